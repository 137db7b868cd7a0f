import { UserRateLimiter } from '../../../src/channels/rate-limiter';

describe('UserRateLimiter', () => {
  let now: number;
  const limiter = (options: ConstructorParameters<typeof UserRateLimiter>[0] = {}) => new UserRateLimiter({ clock: () => now, ...options });

  beforeEach(() => {
    now = 1_000_000;
  });

  it('lets a burst through, then one message per second, with one notice per minute', () => {
    const l = limiter({ burst: 10, refillPerSecond: 1 });
    const decisions = Array.from({ length: 15 }, () => l.take('zalo', 'A'));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
    expect(decisions.filter((d) => !d.allowed && d.notify)).toHaveLength(1);
    now += 1000;
    expect(l.take('zalo', 'A')).toEqual({ allowed: true });
    expect(l.take('zalo', 'A')).toEqual({ allowed: false, notify: false });
    now += 59_000;
    l.take('zalo', 'A');
    for (let i = 0; i < 100; i += 1) l.take('zalo', 'A');
    // A minute after the first notice, the citizen may be told once more.
    const later = Array.from({ length: 5 }, () => l.take('zalo', 'A'));
    expect(later.some((d) => !d.allowed && d.notify)).toBe(false);
  });

  it('tells the citizen again only after the notice interval', () => {
    const l = limiter({ burst: 1, refillPerSecond: 0.001, noticeIntervalMs: 60_000 });
    l.take('web', 'A');
    expect(l.take('web', 'A')).toEqual({ allowed: false, notify: true });
    now += 30_000;
    expect(l.take('web', 'A')).toEqual({ allowed: false, notify: false });
    now += 30_000;
    expect(l.take('web', 'A')).toEqual({ allowed: false, notify: true });
  });

  it('keeps users and channels apart', () => {
    const l = limiter({ burst: 2 });
    l.take('zalo', 'A');
    l.take('zalo', 'A');
    expect(l.take('zalo', 'A').allowed).toBe(false);
    expect(l.take('zalo', 'B').allowed).toBe(true);
    expect(l.take('web', 'A').allowed).toBe(true);
  });

  it('bounds memory: idle buckets are dropped, and never more than maxBuckets are kept', () => {
    const l = limiter({ burst: 5, refillPerSecond: 1, maxBuckets: 100 });
    for (let i = 0; i < 1000; i += 1) l.take('web', `user-${i}`);
    expect(l.size).toBeLessThanOrEqual(100);
    now += 120_000;
    l.take('web', 'fresh');
    expect(l.size).toBe(1);
  });

  it('does not forgive a throttled user by evicting them while they are still over the limit', () => {
    const l = limiter({ burst: 2, refillPerSecond: 0.01, maxBuckets: 1000 });
    l.take('web', 'A');
    l.take('web', 'A');
    for (let i = 0; i < 500; i += 1) l.take('web', `other-${i}`);
    expect(l.take('web', 'A').allowed).toBe(false);
  });
});
