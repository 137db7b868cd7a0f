import { forEachLimit, PollingLoop } from '../../src/jobs/polling-loop';
import { silentLogger } from '../../src/infra/logger';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits until `done()` holds (a loaded machine may take far longer than the ticks themselves). */
async function until(done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await sleep(5);
  }
}

describe('PollingLoop', () => {
  it('never overlaps ticks, reruns at once when there is more work, and stop() waits for the tick in progress', async () => {
    let running = 0;
    let maxRunning = 0;
    let ticks = 0;
    let finished = 0;
    const loop = new PollingLoop(
      'test',
      async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        ticks++;
        await sleep(20);
        running--;
        finished++;
        return ticks < 3; // "more work" twice, then idle
      },
      60_000,
      silentLogger(),
    );
    loop.start();
    loop.poke();
    await until(() => finished === 3);
    await sleep(50); // no 4th tick comes by itself: the interval is a minute
    expect(ticks).toBe(3);
    loop.poke(); // runs a 4th tick despite the long interval
    await until(() => running === 1);
    loop.poke(); // while it runs: remembered, a 5th follows
    await loop.stop();
    expect(running).toBe(0);
    expect(finished).toBe(ticks);
    expect(maxRunning).toBe(1);
    expect(ticks).toBe(4); // stop() cancelled the remembered poke
    expect(loop.stopping).toBe(true);
  });

  it('survives a tick that throws', async () => {
    let ticks = 0;
    const loop = new PollingLoop(
      'test',
      async () => {
        ticks++;
        if (ticks === 1) throw new Error('boom');
        return false;
      },
      10,
      silentLogger(),
    );
    loop.start();
    await sleep(60);
    await loop.stop();
    expect(ticks).toBeGreaterThanOrEqual(2);
  });
});

describe('forEachLimit', () => {
  it('keeps at most `limit` calls in flight and visits every item once', async () => {
    let inFlight = 0;
    let max = 0;
    const seen: number[] = [];
    await forEachLimit([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      inFlight++;
      max = Math.max(max, inFlight);
      await sleep(5);
      seen.push(n);
      inFlight--;
    });
    expect(max).toBe(3);
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});
