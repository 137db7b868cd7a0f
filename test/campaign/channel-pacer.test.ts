/** The campaign pacer: no sliding second holds more than the budget, whatever the timers do; stop() refuses what waits. */
import { ChannelPacer } from '../../src/campaign/channel-pacer';
import { maxInWindow } from './support/fake-counts';

it('keeps every sliding second within the budget, and uses it', async () => {
  const pacer = new ChannelPacer({ perSecond: { telegram: 20 } });
  const times: number[] = [];
  const started = Date.now();
  await Promise.all(Array.from({ length: 50 }, () => pacer.acquire({ channel: 'telegram' }).then(() => times.push(Date.now()))));
  const seconds = (Date.now() - started) / 1000;
  expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(20);
  // 50 at 20/s: the first 20 in the first second, the last ones after 2 s — not much slower than the budget.
  expect(seconds).toBeGreaterThanOrEqual(2 - 0.3);
  expect(seconds).toBeLessThan(3.5);
  // A channel without a budget is not paced.
  const web = Date.now();
  await Promise.all(Array.from({ length: 100 }, () => pacer.acquire({ channel: 'web' })));
  expect(Date.now() - web).toBeLessThan(200);
  await pacer.stop();
});

it('paces a small budget by whole seconds, and refuses what waits once stopped', async () => {
  const pacer = new ChannelPacer({ perSecond: { zalo: 2 } });
  const times: number[] = [];
  const waits = Array.from({ length: 5 }, () => pacer.acquire({ channel: 'zalo' }).then(() => times.push(Date.now())));
  // Two at once, two a second later; the fifth would wait another second.
  await Promise.all(waits.slice(0, 4));
  expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(2);
  await pacer.stop();
  await expect(waits[4]).rejects.toThrow('pacer stopped');
  await expect(pacer.acquire({ channel: 'zalo' })).rejects.toThrow('pacer stopped');
});
