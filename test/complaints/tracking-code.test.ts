import { TRACKING_CODE_ALPHABET, isTrackingCode, newTrackingCode, normalizeTrackingCode } from '../../src/complaints/tracking-code';

describe('tracking codes', () => {
  it('alphabet has no look-alike characters', () => {
    expect(TRACKING_CODE_ALPHABET).toHaveLength(31);
    for (const ch of '01ILO') expect(TRACKING_CODE_ALPHABET).not.toContain(ch);
    expect(new Set(TRACKING_CODE_ALPHABET).size).toBe(31);
  });

  it('10 000 draws: format, alphabet, near-uniqueness and an even spread of characters', () => {
    const codes = Array.from({ length: 10_000 }, () => newTrackingCode());
    const counts = new Map<string, number>();
    for (const code of codes) {
      expect(code).toMatch(/^PA-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$/);
      expect(isTrackingCode(code)).toBe(true);
      for (const ch of code.slice(3)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    }
    // 31^6 ≈ 8.9e8 codes: P(any duplicate among 10 000) ≈ 5.5 %, P(more than 3) < 1e-5.
    // Storage enforces uniqueness; here we check the draws are not biased towards repeats.
    expect(codes.length - new Set(codes).size).toBeLessThanOrEqual(3);
    // 60 000 characters over 31 symbols: ≈ 1935 each, σ ≈ 43; ±350 is > 8σ.
    expect(counts.size).toBe(31);
    for (const n of counts.values()) {
      expect(n).toBeGreaterThan(1935 - 350);
      expect(n).toBeLessThan(1935 + 350);
    }
  });

  it('isTrackingCode accepts only the canonical form', () => {
    expect(isTrackingCode('PA-7K3M9X')).toBe(true);
    for (const s of ['pa-7k3m9x', 'PA7K3M9X', 'PA-7K3M9', 'PA-7K3M9XX', 'PA-7K3M9O', 'PB-7K3M9X', ' PA-7K3M9X']) {
      expect(isTrackingCode(s)).toBe(false);
    }
  });

  it.each([
    ['PA-7K3M9X', 'PA-7K3M9X'],
    ['pa-7k3m9x', 'PA-7K3M9X'],
    ['PA7K3M9X', 'PA-7K3M9X'],
    ['  pa 7k3 m9x ', 'PA-7K3M9X'],
    ['Pa_7K3-M9X', 'PA-7K3M9X'],
    ['ＰＡ－７Ｋ３Ｍ９Ｘ', 'PA-7K3M9X'], // full-width characters from some phone keyboards
  ])('normalizes %j → %s', (input, expected) => {
    expect(normalizeTrackingCode(input)).toBe(expected);
  });

  it.each([
    ['PA-7K3M90'], // 0 is not in the alphabet (nor is O): rejected, not guessed
    ['PA-7K3M9O'],
    ['PA-1K3M9X'],
    ['PA-IK3M9X'],
    ['PA-LK3M9X'],
    ['7K3M9X'], // prefix required
    ['PA-7K3M9'],
    ['PA-7K3M9XZ'],
    [''],
    ['xin chào'],
  ])('rejects %j', (input) => {
    expect(normalizeTrackingCode(input)).toBeUndefined();
  });
});
