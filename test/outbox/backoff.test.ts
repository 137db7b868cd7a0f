import { backoffDelay } from '../../src/outbox/backoff';
import { safeErrorText } from '../../src/outbox/safe-error';

describe('backoffDelay', () => {
  const low = () => 0;
  const high = () => 1;

  it('doubles from the base and stops at the cap (30 s … 1 h by default)', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, {}, undefined, high))).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(backoffDelay(8, {}, undefined, high)).toBe(3_600_000);
    expect(backoffDelay(50, {}, undefined, high)).toBe(3_600_000);
  });

  it('jitters within the upper half of the nominal delay', () => {
    expect(backoffDelay(3, { baseMs: 100, capMs: 10_000 }, undefined, low)).toBe(200);
    expect(backoffDelay(3, { baseMs: 100, capMs: 10_000 }, undefined, high)).toBe(400);
    for (let i = 0; i < 100; i++) {
      const d = backoffDelay(2, { baseMs: 100, capMs: 10_000 });
      expect(d).toBeGreaterThanOrEqual(100);
      expect(d).toBeLessThanOrEqual(200);
    }
  });

  it('never retries sooner than the receiver asked (Retry-After)', () => {
    expect(backoffDelay(1, { baseMs: 100 }, 90_000, high)).toBe(90_000);
    expect(backoffDelay(1, { baseMs: 100 }, 10, high)).toBe(100);
  });
});

describe('safeErrorText', () => {
  it('cuts out the complaint’s personal strings and long digit runs, and keeps the rest', () => {
    const text = 'HTTP 400: field "text" invalid: Đường bị sạt lở gần nhà ông Nguyễn Văn A, gọi 0912 345 678 hoặc +84 912345678';
    const safe = safeErrorText(text, ['Đường bị sạt lở gần nhà ông Nguyễn Văn A, gọi 0912 345 678', 'Nguyễn Văn A', undefined]);
    expect(safe).toBe('HTTP 400: field "text" invalid: [redacted] hoặc [number]');
    expect(safeErrorText('HTTP 503: maintenance')).toBe('HTTP 503: maintenance');
  });

  it('keeps errors short and on one line', () => {
    const safe = safeErrorText(`SMTP 451:\r\n${'x'.repeat(1000)}`);
    expect(safe.length).toBeLessThanOrEqual(300);
    expect(safe).not.toMatch(/[\r\n]/);
  });
});
