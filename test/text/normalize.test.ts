import { canonicalToneWord, canonicalTones, foldDiacritics } from '../../src/text/vietnamese';
import { MAX_TEXT_LENGTH, cleanText, normalizeKey, normalizeText } from '../../src/text/normalize';

const table = new Map([
  ['ko', 'không'],
  ['k', 'không'],
  ['dc', 'được'],
  ['đc', 'được'],
  ['j', 'gì'],
  ['hs', 'hồ sơ'],
  ['cccd', 'căn cước công dân'],
]);

describe('tone placement', () => {
  it.each([
    ['hoà', 'hòa'],
    ['hòa', 'hòa'],
    ['thuỷ', 'thủy'],
    ['khoẻ', 'khỏe'],
    ['hoàng', 'hoàng'],
    ['người', 'người'],
    ['quý', 'quý'],
    ['già', 'già'],
    ['giữ', 'giữ'],
    ['gì', 'gì'],
    ['của', 'của'],
    ['ngoài', 'ngoài'],
    ['tuổi', 'tuổi'],
    ['khuỷu', 'khuỷu'],
  ])('%s → %s', (input, expected) => {
    expect(canonicalToneWord(input)).toBe(expected);
  });

  it('gives NFD and NFC input the same result', () => {
    const nfc = 'Thủ tục hoà giải ở xã';
    expect(canonicalTones(nfc.normalize('NFD').normalize('NFC'))).toBe(canonicalTones(nfc));
    expect(normalizeText(nfc.normalize('NFD'), table)).toEqual(normalizeText(nfc, table));
  });
});

describe('diacritic folding', () => {
  it('maps đ to d, which has no Unicode decomposition', () => {
    expect(foldDiacritics('Đăng ký đất đai')).toBe('Dang ky dat dai');
    expect(foldDiacritics('Đăk Hà')).toBe('Dak Ha');
  });
});

describe('normalizeText', () => {
  it('expands teencode and abbreviations as whole words only', () => {
    const n = normalizeText('hs nộp onl dc k ạ', table);
    expect(n.canonical).toBe('hồ sơ nộp onl được không ạ');
    expect(n.folded).toBe('ho so nop onl duoc khong a');
    expect(normalizeText('khai sinh', table).canonical).toBe('khai sinh');
  });

  it('matches abbreviations typed with or without diacritics', () => {
    expect(normalizeText('đc', table).canonical).toBe('được');
    expect(normalizeText('dc', table).canonical).toBe('được');
  });

  it('drops emoji, zero-width and control characters', () => {
    const n = normalizeText('xin\u200b chào 😀👍🏽 ad\u0007!!', table);
    expect(n.tokens).toEqual(['xin', 'chào', 'ad']);
    expect(cleanText('a\uFEFFb\u200dc')).toBe('abc');
  });

  it('cuts very long messages instead of failing', () => {
    const huge = 'thủ tục '.repeat(200000);
    const n = normalizeText(huge, table);
    expect(n.canonical.length).toBeLessThanOrEqual(MAX_TEXT_LENGTH);
    expect(n.tokens.length).toBeGreaterThan(100);
  });

  it('returns no tokens for an empty or symbol-only message', () => {
    expect(normalizeText('', table).tokens).toEqual([]);
    expect(normalizeText('?!... 😀', table).tokens).toEqual([]);
  });

  it('normalises table keys the same way as messages', () => {
    expect(normalizeKey('  Sđt ')).toBe('sđt');
    expect(normalizeKey('Hoà')).toBe('hòa');
  });
});
