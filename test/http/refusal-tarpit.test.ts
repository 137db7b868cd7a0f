import { RefusalTarpit } from '../../src/http/refusal-tarpit';

async function timed(work: Promise<void>): Promise<number> {
  const started = performance.now();
  await work;
  return performance.now() - started;
}

/**
 * True when the refusal is answered at once: the tarpit decides synchronously whether it
 * holds a refusal (its count goes up before the first await), so this does not depend on
 * how busy the machine running the tests is.
 */
async function answeredAtOnce(tarpit: RefusalTarpit, client: string): Promise<boolean> {
  const before = tarpit.holding;
  const answer = tarpit.delay(client);
  const held = tarpit.holding > before;
  await answer;
  return !held;
}

it('answers a client’s first refusals at once and holds the next ones, another client unaffected', async () => {
  const tarpit = new RefusalTarpit({ freeRefusals: 3, delayMs: 150 });
  for (let i = 0; i < 3; i++) expect(await answeredAtOnce(tarpit, 'a')).toBe(true);
  expect(await timed(tarpit.delay('a'))).toBeGreaterThanOrEqual(140);
  expect(await answeredAtOnce(tarpit, 'b')).toBe(true);
});

it('starts counting again after the window', async () => {
  let now = 0;
  const tarpit = new RefusalTarpit({ freeRefusals: 1, delayMs: 150, windowMs: 1000, clock: () => now });
  await tarpit.delay('a');
  now = 1001;
  expect(await answeredAtOnce(tarpit, 'a')).toBe(true);
});

it('holds at most maxHeld refusals at once; the others are answered at once', async () => {
  const tarpit = new RefusalTarpit({ freeRefusals: 0, delayMs: 200, maxHeld: 2 });
  const held = [tarpit.delay('a'), tarpit.delay('a')];
  expect(tarpit.holding).toBe(2);
  expect(await answeredAtOnce(tarpit, 'a')).toBe(true);
  await Promise.all(held);
  expect(tarpit.holding).toBe(0);
});
