import { splitForZalo, ZALO_TEXT_LIMIT } from '../../../src/channels/zalo/split-text';
import { seededRandom } from '../../../src/nlu/seeded-random';

/**
 * The contract, checked on every output: parts are non-empty, trimmed, within `max`, appear
 * in the original in order with only whitespace between them, and a cut with no whitespace
 * at all happens only inside a word longer than `max`. Returns the violations found.
 */
function contractViolations(text: string, parts: string[], max: number): string[] {
  const problems: string[] = [];
  let cursor = 0;
  parts.forEach((part, i) => {
    if (part.length === 0 || part.length > max) problems.push(`part ${i} has length ${part.length} (max ${max})`);
    if (part !== part.trim()) problems.push(`part ${i} is not trimmed`);
    const at = text.indexOf(part, cursor);
    if (at < 0) {
      problems.push(`part ${i} is not found in order in the original`);
      return;
    }
    const gap = text.slice(cursor, at);
    if (gap.trim() !== '') problems.push(`text was lost before part ${i}: ${JSON.stringify(gap)}`);
    if (i > 0 && gap === '' && wordAround(text, at).length <= max) problems.push(`part ${i} starts inside a short word`);
    cursor = at + part.length;
  });
  if (text.slice(cursor).trim() !== '') problems.push('text was lost after the last part');
  if (parts.join('').replace(/\s+/g, '') !== text.replace(/\s+/g, '')) problems.push('parts do not rejoin to the text');
  return problems;
}

function expectFaithfulSplit(text: string, parts: string[], max: number): void {
  expect(contractViolations(text, parts, max)).toEqual([]);
}

/** The run of non-whitespace characters that contains the cut at `index`. */
function wordAround(text: string, index: number): string {
  let start = index;
  let end = index;
  while (start > 0 && !/\s/.test(text[start - 1] ?? ' ')) start -= 1;
  while (end < text.length && !/\s/.test(text[end] ?? ' ')) end += 1;
  return text.slice(start, end);
}

/** Deterministic PRNG (the matcher's own) so a failing case can be replayed. */
const prng = seededRandom;

const WORDS = (
  'thủ tục hành chính cấp căn cước công dân hồ sơ nộp trực tuyến tại cổng dịch vụ công quốc gia ' +
  'ủy ban nhân dân tỉnh Kon Tum phản ánh kiến nghị người dân doanh nghiệp giấy phép lái xe ' +
  'đăng ký khai sinh kết hôn chứng thực bản sao thời hạn giải quyết ngày làm việc lệ phí'
).split(' ');
const LONG_WORD = 'https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.001234';

function randomText(random: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const paragraphs: string[] = [];
  for (let p = 0, np = 1 + Math.floor(random() * 4); p < np; p += 1) {
    const lines: string[] = [];
    for (let l = 0, nl = 1 + Math.floor(random() * 4); l < nl; l += 1) {
      const sentences: string[] = [];
      for (let s = 0, ns = 1 + Math.floor(random() * 4); s < ns; s += 1) {
        const words = Array.from({ length: 1 + Math.floor(random() * 14) }, () => (random() < 0.03 ? LONG_WORD : pick(WORDS)));
        sentences.push(words.join(random() < 0.1 ? '  ' : ' ') + pick(['.', '?', '!', '…', '']));
      }
      lines.push(sentences.join(' '));
    }
    paragraphs.push(lines.join(random() < 0.2 ? '\r\n' : '\n'));
  }
  return paragraphs.join(pick(['\n\n', '\n \n', '\n\n\n']));
}

describe('splitForZalo', () => {
  it('returns a short text as one part, and the limit is inclusive', () => {
    expect(splitForZalo('Xin chào!')).toEqual(['Xin chào!']);
    const exact = 'ạ'.repeat(ZALO_TEXT_LIMIT);
    expect(splitForZalo(exact)).toEqual([exact]);
    expect(splitForZalo(`${exact}ạ`)).toHaveLength(2);
  });

  it('returns no part for empty or whitespace-only text', () => {
    expect(splitForZalo('')).toEqual([]);
    expect(splitForZalo(' \n\n\t ')).toEqual([]);
  });

  it('prefers a paragraph boundary to a line boundary', () => {
    const p1 = 'aaaaaaaaa\nbbbbbbbbbb'; // 20
    const p2 = 'ccccccccccccccccccc\ndddddddddddddddddddd'; // 40
    expect(splitForZalo(`${p1}\n\n${p2}`, 50)).toEqual([p1, p2]);
  });

  it('cuts between lines of a too-long paragraph (numbered menus stay whole)', () => {
    const menu = 'Trả lời 1, 2 hoặc 3:\n1. Cấp CCCD\n2. Đăng ký khai sinh\n3. Gửi phản ánh';
    expect(splitForZalo(menu, 40)).toEqual(['Trả lời 1, 2 hoặc 3:\n1. Cấp CCCD', '2. Đăng ký khai sinh\n3. Gửi phản ánh']);
  });

  it('cuts between sentences of a too-long line', () => {
    const line = 'Hồ sơ gồm tờ khai. Bản sao giấy khai sinh! Ảnh 4x6 có đúng không? Nộp tại bộ phận một cửa.';
    expect(splitForZalo(line, 45)).toEqual([
      'Hồ sơ gồm tờ khai. Bản sao giấy khai sinh!',
      'Ảnh 4x6 có đúng không?',
      'Nộp tại bộ phận một cửa.',
    ]);
  });

  it('cuts between words of a too-long sentence, never inside one', () => {
    const sentence = 'người dân có thể nộp hồ sơ trực tuyến qua cổng dịch vụ công';
    const parts = splitForZalo(sentence, 20);
    expect(parts).toEqual(['người dân có thể nộp', 'hồ sơ trực tuyến qua', 'cổng dịch vụ công']);
  });

  it('cuts inside a word only when the word alone exceeds max', () => {
    expect(splitForZalo('x'.repeat(25), 10)).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
    const parts = splitForZalo(`Xem ${LONG_WORD} nhé`, 30);
    expectFaithfulSplit(`Xem ${LONG_WORD} nhé`, parts, 30);
    expect(parts[0]).toBe('Xem');
  });

  it('never separates a decomposed (NFD) Vietnamese letter from its tone mark', () => {
    const nfd = 'nghiêngnghiêngnghiêngnghiêng'.normalize('NFD');
    const parts = splitForZalo(nfd, 7);
    for (const part of parts) expect(part).not.toMatch(/^\p{M}/u);
    expect(parts.join('')).toBe(nfd);
  });

  it('never splits a surrogate pair', () => {
    const parts = splitForZalo('👍'.repeat(9), 4);
    expect(parts).toEqual(['👍👍', '👍👍', '👍👍', '👍👍', '👍']);
  });

  it('rejects a max below 2', () => {
    expect(() => splitForZalo('abc', 1)).toThrow(RangeError);
    expect(() => splitForZalo('abc', 2.5)).toThrow(RangeError);
  });

  it('keeps a long Vietnamese answer within 2,000 characters per part', () => {
    const answer = Array.from({ length: 60 }, (_, i) => `Bước ${i + 1}: ${WORDS.join(' ')}.`).join('\n');
    const parts = splitForZalo(answer);
    expect(parts.length).toBeGreaterThan(1);
    expectFaithfulSplit(answer, parts, ZALO_TEXT_LIMIT);
  });

  it('holds its contract on 500 random Vietnamese texts and limits', () => {
    const random = prng(20240601);
    const failures: string[] = [];
    for (let i = 0; i < 500; i += 1) {
      const text = randomText(random);
      const max = 8 + Math.floor(random() * 300);
      const problems = contractViolations(text, splitForZalo(text, max), max);
      if (problems.length > 0) failures.push(`case ${i} (max ${max}): ${problems.join('; ')}`);
    }
    expect(failures).toEqual([]);
  });
});
