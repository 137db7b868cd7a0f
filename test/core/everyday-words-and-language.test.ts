/** Everyday yes/no/cancel words, the "is this a question" reading, and the language of a message. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseCommand } from '../../src/core/command';
import { everydayAnswer, isCancelPhrase } from '../../src/core/everyday-answers';
import { isSomethingElse, looksLikeQuestion } from '../../src/core/flow-interruption';
import { detectLanguage } from '../../src/text/language';
import { foldDiacritics } from '../../src/text/vietnamese';

const ROOT = join(__dirname, '..', '..');
const abbreviations = new Set(
  Object.keys((parse(readFileSync(join(ROOT, 'config', 'abbreviations.yaml'), 'utf8')) as { expansions: object }).expansions),
);
const holdout = (file: string): string[] =>
  readFileSync(join(ROOT, 'test', 'data', file), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { text: string }).text);

describe('everyday answers', () => {
  it.each([
    'ok',
    'Oke',
    'đúng rồi',
    'dung roi gui di',
    'Đúng rồi, gửi đi!',
    'gửi',
    'có',
    'ừ',
    'vâng ạ',
    'yes',
    'yes please',
    'yes, send it',
    'đồng ý',
  ])('%s is a yes', (text) => expect(everydayAnswer(text)).toBe('yes'));
  it.each(['không', 'ko cần', 'k', 'bỏ qua', 'bo qua', 'không để lại', 'no thanks', 'skip', 'khong co', 'Liên hệ: ko cần'])(
    '%s is a no',
    (text) => expect(everydayAnswer(text)).toBe('no'),
  );
  it.each(['đúng là cán bộ đòi tiền', 'không ai trả lời', 'có ai ở đó không', 'Nguyễn Văn A', 'ok nhưng sửa số điện thoại'])(
    '%s is neither',
    (text) => expect(everydayAnswer(text)).toBeUndefined(),
  );

  it('cancels with whole phrases only, and never mistakes "đúng" for "dừng"', () => {
    for (const text of ['hủy', 'huy', 'Thôi, không gửi nữa', 'thoi khong gui nua', 'thôi ko gửi nữa ạ', 'dừng lại', 'never mind', 'cancel'])
      expect([text, isCancelPhrase(text)]).toEqual([text, true]);
    for (const text of ['đúng', 'dung', 'thôi được rồi gửi đi', 'hủy bỏ quyết định xử phạt sai của xã'])
      expect([text, isCancelPhrase(text)]).toEqual([text, false]);
    expect(parseCommand('thôi, không gửi nữa')).toEqual({ kind: 'cancel' });
    expect(parseCommand('#flow:continue')).toEqual({ kind: 'continue' });
  });
});

describe('is this something else?', () => {
  const confident = (id: string, confidence = 0.9) => ({ ranking: [{ kind: 'intent' as const, id, confidence }] });
  it('reads questions with and without marks, in Vietnamese and English', () => {
    for (const q of [
      'làm giấy khai sinh cho con cần giấy tờ gì',
      'lam giay khai sinh can giay to gi a',
      'lệ phí bao nhiêu',
      'How do I register?',
      'can I pay online',
    ])
      expect([q, looksLikeQuestion(q)]).toEqual([q, true]);
    for (const s of ['Cán bộ vẫn chưa trả lại tiền cho tôi', 'đường vào thôn bị sạt lở', 'Nguyễn Văn A 0905123456'])
      expect([s, looksLikeQuestion(s)]).toEqual([s, false]);
  });

  it('keeps answers in the flow, yields to clear questions and to greetings', () => {
    const text = 'làm giấy khai sinh cho con cần giấy tờ gì';
    const own = new Set(['complaint_submit']);
    expect(isSomethingElse(confident('proc_birth_registration'), { text, fit: 'answer', ownTopics: own })).toBe(false);
    expect(isSomethingElse(confident('proc_birth_registration'), { text, fit: 'free_text', ownTopics: own })).toBe(true);
    expect(isSomethingElse(confident('complaint_submit'), { text, fit: 'other', ownTopics: own })).toBe(false);
    expect(isSomethingElse({ ranking: [] }, { text, fit: 'other', ownTopics: own })).toBe(false);
    expect(isSomethingElse(confident('greeting', 0.6), { text: 'xin chào', fit: 'free_text', ownTopics: own })).toBe(true);
    // a complaint text that mentions a procedure is still the complaint
    const complaint = 'cán bộ tư pháp xã đòi tiền mới làm giấy khai sinh';
    expect(isSomethingElse(confident('proc_birth_registration'), { text: complaint, fit: 'free_text', ownTopics: own })).toBe(false);
    // a procedure ranking from the catalog plugs in with the same shape
    const procedure = { ranking: [{ kind: 'procedure' as const, id: 'ho-tich/dang-ky-khai-sinh', confidence: 0.8 }] };
    expect(isSomethingElse(procedure, { text, fit: 'other', ownTopics: own })).toBe(true);
  });
});

describe('language of a message (hold-out sets, with and without diacritics)', () => {
  const share = (texts: string[], language: 'vi' | 'en'): number =>
    texts.filter((t) => detectLanguage(t, abbreviations) === language).length / texts.length;
  it('tells Vietnamese in ≥ 98 % of the Vietnamese hold-out, typed or without marks', () => {
    const vi = holdout('nlu-holdout.jsonl');
    expect(share(vi, 'vi')).toBeGreaterThanOrEqual(0.98);
    expect(share(vi.map(foldDiacritics), 'vi')).toBeGreaterThanOrEqual(0.98);
    expect(vi.filter((t) => detectLanguage(t, abbreviations) === 'en')).toEqual([]); // never English
  });
  it('tells English in ≥ 98 % of the English hold-out', () => {
    expect(share(holdout('nlu-holdout-en.jsonl'), 'en')).toBeGreaterThanOrEqual(0.98);
  });
  it('does not decide on a word or two', () => {
    for (const text of ['ok', 'hello', 'menu', 'thanks', '2', '#pa:confirm', 'PA-7K3M9X'])
      expect([text, detectLanguage(text, abbreviations)]).toEqual([text, undefined]);
  });
});
