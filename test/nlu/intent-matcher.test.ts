import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateContentFiles, type ValidatedContent } from '../../src/content/content-loader';
import { FALLBACK, IntentMatcher, type LabelledText } from '../../src/nlu/intent-matcher';
import { predictAll, scorePredictions } from '../../src/nlu/evaluation';
import { defaultContentPaths } from '../../src/cli/project-paths';
import { extraTextKeys } from '../../src/app-text-keys';

let content: ValidatedContent;
let matcher: IntentMatcher;

function items(c: ValidatedContent): LabelledText[] {
  return [
    ...c.intentSet.intents.flatMap((i) => i.examples.map((text) => ({ text, intent: i.id }))),
    ...c.intentSet.outOfScope.map((text) => ({ text, intent: FALLBACK })),
  ];
}

beforeAll(async () => {
  const result = await validateContentFiles(defaultContentPaths(), { requiredTextKeys: extraTextKeys() });
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.file}:${e.line}: ${e.message}`).join('\n'));
  content = result.value;
  matcher = IntentMatcher.fromIntentSet(content.intentSet, content.abbreviations);
});

describe('IntentMatcher on the shipped intents', () => {
  it.each([
    ['lam giay khai sinh cho con o dau', 'proc_birth_registration'],
    ['làm giấy khai sinh cho con ở đâu', 'proc_birth_registration'],
    ['cho e hoi lam gks cho be can j a', 'proc_birth_registration'],
    ['thủ tục cấp sổ đỏ lần đầu', 'proc_land_certificate'],
    ['can bo xa Dak Ha doi tien moi giai quyet ho so dat', 'complaint_submit'],
    ['xin chào', 'greeting'],
    ['cảm ơn bot nhé', 'thanks_goodbye'],
    ['số đường dây nóng cải cách hành chính là gì', 'hotline'],
    ['lệ phí đăng ký kết hôn', 'proc_marriage_registration'],
  ])('%s → %s', (text, intent) => {
    expect(matcher.match(text).intent).toBe(intent);
  });

  it.each(['thời tiết kon tum ngày mai thế nào', 'tối nay việt nam đá với thái lan mấy giờ', 'mua iphone 15 ở đâu rẻ', 'asdkjh qwe zxc'])(
    'sends out-of-scope "%s" to fallback',
    (text) => {
      expect(matcher.match(text).intent).toBe(FALLBACK);
    },
  );

  it('gives a confidence between 0 and 1 and a ranking', () => {
    const result = matcher.match('thủ tục cấp sổ đỏ');
    expect(result.confidence).toBeGreaterThan(0.5);
    expect(result.confidence).toBeLessThanOrEqual(1);
    expect(result.ranking[0].intent).toBe(result.intent);
  });

  it('answers the same for NFD input as for NFC input', () => {
    const text = 'Thủ tục đăng ký kết hôn cần giấy tờ gì';
    expect(matcher.match(text.normalize('NFD')).intent).toBe(matcher.match(text).intent);
    expect(matcher.match(text.normalize('NFD')).confidence).toBeCloseTo(matcher.match(text).confidence, 10);
  });

  it('is deterministic: the same files give the same model and the same answers', () => {
    const again = IntentMatcher.fromIntentSet(content.intentSet, content.abbreviations);
    for (const text of ['sổ đỏ', 'hồ sơ của tôi tới đâu rồi', 'bưu điện trả kết quả', 'abc xyz']) {
      const a = matcher.match(text);
      const b = again.match(text);
      expect(b.intent).toBe(a.intent);
      expect(b.confidence).toBe(a.confidence);
    }
  });

  it('survives empty, huge and hostile input', () => {
    expect(matcher.match('').intent).toBe(FALLBACK);
    expect(matcher.match('😀😀😀').intent).toBe(FALLBACK);
    expect(() => matcher.match('đất '.repeat(500000))).not.toThrow();
    expect(() => matcher.match('\u0000\u0001{"$gt":""}')).not.toThrow();
  });

  it('scores well on the held-out questions the training data never saw', () => {
    const file = join(__dirname, '..', 'data', 'nlu-holdout.jsonl');
    const lines = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim());
    const holdout = lines.map((l) => JSON.parse(l) as LabelledText);
    const trainingTexts = new Set(items(content).map((i) => i.text.toLowerCase()));
    expect(holdout.filter((h) => trainingTexts.has(h.text.toLowerCase()))).toEqual([]);
    const report = scorePredictions(predictAll(matcher, holdout), { trainMs: 0, predictMsPerText: 0 });
    expect(report.n).toBeGreaterThanOrEqual(150);
    expect(report.accuracy).toBeGreaterThanOrEqual(0.85);
  });
});

describe('IntentMatcher.train on any labelled data', () => {
  it('learns a tiny data set and falls back on unknown words', () => {
    const data: LabelledText[] = [
      { text: 'mở tài khoản', intent: 'account' },
      { text: 'đăng ký tài khoản mới', intent: 'account' },
      { text: 'tạo tài khoản', intent: 'account' },
      { text: 'nộp thuế', intent: 'tax' },
      { text: 'đóng thuế đất', intent: 'tax' },
      { text: 'thuế thu nhập', intent: 'tax' },
    ];
    const m = IntentMatcher.train(data, new Map());
    expect(m.match('tao tai khoan').intent).toBe('account');
    expect(m.match('dong thue').intent).toBe('tax');
    expect(m.match('qwerty zxcvb').intent).toBe(FALLBACK);
    expect(m.intents.sort()).toEqual(['account', 'tax']);
  });
});
