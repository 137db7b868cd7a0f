/**
 * The one ranking between intents and catalog procedures, measured on the shipped
 * hold-out sets (written without seeing the catalog's names). The thresholds are the
 * figures reached (docs/measurements.md) less a small margin: a change that makes the
 * bot clearly worse fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BotContent } from '../../src/core/bot-content';
import { evaluateUnderstanding, parseEvaluationLines, type CatalogReport } from '../../src/catalog/catalog-evaluation';
import { DEFAULT_THRESHOLDS, offeredProcedures, understandText } from '../../src/catalog/understanding';
import { labelledExamples } from '../../src/nlu/bilingual-matcher';
import { readIntentFiles } from '../../src/content/intent-files';
import { ASPECT_EXAMPLES_FILE, loadAspectExamples } from '../../src/content/aspects-file';
import { normalizeKey } from '../../src/text/normalize';
import { foldDiacritics } from '../../src/text/vietnamese';
import { loadTestContent, SETUP_TIMEOUT_MS } from '../complaints/complaint-test-kit';

const ROOT = join(__dirname, '..', '..');
const data = (file: string) => parseEvaluationLines(readFileSync(join(ROOT, 'test', 'data', file), 'utf8'), file);

let content: BotContent;
const reports = new Map<string, CatalogReport>();
function report(file: string, strip = false): CatalogReport {
  const key = `${file}:${strip}`;
  let r = reports.get(key);
  if (!r) {
    const lines = data(file).map((l) => (strip ? { ...l, text: foldDiacritics(l.text) } : l));
    r = evaluateUnderstanding(lines, (text) => understandText(content, text));
    reports.set(key, r);
  }
  return r;
}

beforeAll(async () => {
  content = await loadTestContent();
}, SETUP_TIMEOUT_MS);

describe('procedure questions (799 Vietnamese hold-out lines)', () => {
  it('finds the procedure: top-1 ≥ 90 %, top-3 ≥ 96 % (offered: answered, in the choice or a related button)', () => {
    const r = report('procedure-holdout.jsonl').procedures;
    expect(r.n).toBe(799);
    expect(r.top1).toBeGreaterThanOrEqual(0.9);
    expect(r.top3).toBeGreaterThanOrEqual(0.96);
  });
  // Aspect labels as relabelled by the guide of docs/procedure-catalog.md (test/data/procedure-holdout-relabels.md).
  it('finds the aspect asked: ≥ 89 %', () => expect(report('procedure-holdout.jsonl').procedures.aspect).toBeGreaterThanOrEqual(0.89));
  it('does as well without diacritics: top-1 ≥ 88 %', () =>
    expect(report('procedure-holdout.jsonl', true).procedures.top1).toBeGreaterThanOrEqual(0.88));
  it('answers English questions: top-1 ≥ 76 %, top-3 ≥ 88 % (offered to the citizen)', () => {
    const r = report('procedure-holdout-en.jsonl').procedures;
    expect(r.top1).toBeGreaterThanOrEqual(0.76);
    expect(r.top3).toBeGreaterThanOrEqual(0.88);
  });
});

describe('nothing steals the other side’s questions', () => {
  it('out-of-scope messages still get the fallback (≥ 93 %; 94.1 % before the catalog)', () =>
    expect(report('procedure-holdout-oos.jsonl').intents.fallbackRecall).toBeGreaterThanOrEqual(0.93));
  it('the intent hold-out does not fall (97.0 % before the catalog; proc_* labels scored by the procedures that list them)', () => {
    expect(report('nlu-holdout.jsonl').intents.accuracy).toBeGreaterThanOrEqual(0.97);
    expect(report('nlu-holdout-en.jsonl').intents.accuracy).toBeGreaterThanOrEqual(0.96);
  });
  it('a grievance that names a procedure stays a complaint', () => {
    const u = understandText(content, 'cán bộ xã đòi tiền mới giải quyết hồ sơ khai sinh cho con tôi, quá đáng');
    expect(u.kind === 'intent' && u.match.intent).toBe('complaint_submit');
  });
  it('an online-submission question that names a procedure is answered by that procedure, online; without one it stays with the intent', () => {
    const named = understandText(content, 'đăng ký tạm trú có nộp trực tuyến được không');
    expect(named.kind === 'procedure' && [named.procedure.id, named.aspect]).toEqual(['dang-ky-tam-tru', 'online']);
    const general = understandText(content, 'nộp hồ sơ trực tuyến thế nào');
    expect(general.kind === 'intent' && general.match.intent).toBe('online_submission_howto');
  });
  it('an out-of-scope fallback stays one even when the ranker is sure of a name', () => {
    for (const text of ['giá vàng hôm nay', 'mở bài nhạc bolero cho tôi nghe']) expect(understandText(content, text).kind).toBe('intent');
  });
  it('a family named as a whole ("register a company") gets a choice of its members; one member named gets that member', () => {
    const forms = [
      'thanh-lap-cong-ty-tnhh-mot-thanh-vien',
      'thanh-lap-cong-ty-tnhh-hai-thanh-vien',
      'thanh-lap-cong-ty-co-phan',
      'thanh-lap-doanh-nghiep-tu-nhan',
    ];
    for (const text of ['how much does it cost to register a company?', 'thành lập công ty cần giấy tờ gì']) {
      const u = understandText(content, text);
      expect([text, u.kind === 'choice' && [...u.procedures.map((p) => p.id)].sort()]).toEqual([text, [...forms].sort()]);
    }
    const business = understandText(content, 'đăng ký doanh nghiệp');
    expect(business.kind === 'choice' && business.procedures.map((p) => p.id)).toEqual(expect.arrayContaining(forms));
    const one = understandText(content, 'lệ phí thành lập công ty cổ phần');
    expect(one.kind === 'procedure' && one.procedure.id).toBe('thanh-lap-cong-ty-co-phan');
  });
  it('the "not in the catalog" answer offers the likely procedures the message calls by name or the ranker favours, as buttons only', () => {
    // Nothing is likely enough to answer (offer forced up): the named procedure is still offered to choose.
    const named = understandText(content, 'làm giấy khai sinh cho con cần gì', { ...DEFAULT_THRESHOLDS, offer: 1.01 });
    expect(named.kind).toBe('unknown_procedure');
    expect(offeredProcedures(named).map((p) => p.id)).toContain('dang-ky-khai-sinh');
    // A procedure the catalog lacks: the ranker's guesses share no distinctive words with the message.
    for (const text of ['thủ tục cấp phép khai thác cát sỏi lòng sông', 'thủ tục xin cấp phép bắn pháo hoa đám cưới']) {
      const u = understandText(content, text);
      expect([text, u.kind, offeredProcedures(u)]).toEqual([text, 'unknown_procedure', []]);
    }
  });
  it('abbreviations citizens use for procedures are read in full', () => {
    for (const [text, id] of [
      ['hồ sơ hưởng tctn gồm những gì', 'huong-tro-cap-that-nghiep'],
      ['công ty thuê kỹ sư Nhật thì xin gplđ ở đâu', 'cap-giay-phep-lao-dong'],
      ['đăng ký npt giảm trừ gia cảnh cho mẹ già', 'dang-ky-nguoi-phu-thuoc'],
    ]) {
      const u = understandText(content, text);
      expect([text, u.kind === 'procedure' ? u.procedure.id : u.kind]).toEqual([text, id]);
    }
  });
  it('one or two words that fit several procedures get a choice', () => {
    const u = understandText(content, 'giấy phép');
    expect(u.kind).toBe('choice');
  });
  it('a procedure named with typos, teencode or very short is found', () => {
    for (const [text, id] of [
      ['khai tu', 'dang-ky-khai-tu'],
      ['lam cccd', 'cap-the-can-cuoc'],
      ['dk ket hon can j', 'dang-ky-ket-hon'],
      ['lam so do lan dau', 'dang-ky-cap-giay-chung-nhan-lan-dau'],
      ['đăng ký mã số thuế cá nhân', 'dang-ky-ma-so-thue-ca-nhan'],
    ]) {
      const u = understandText(content, text);
      expect([text, u.kind === 'procedure' ? u.procedure.id : u.kind]).toEqual([text, id]);
    }
  });
});

describe('procedures the catalog lacks (100 lines: 40 tuned on, 60 held out)', () => {
  // Honest: the "not in the catalog" answer (its "did you mean" buttons allowed) or an intent's
  // answer; never a procedure answered, never a choice among procedures. 58.3 % measured.
  it('get the honest answer on the hold-out: ≥ 58 %', () =>
    expect(report('procedure-unknown-holdout.jsonl').unknown.honest).toBeGreaterThanOrEqual(0.58));
  it('a procedure the ranker likes but the message does not call by any of its names is not answered', () => {
    for (const text of ['đăng ký tàu cá mới đóng thì làm sao', 'giấy phép xả thải vào nguồn nước']) {
      const u = understandText(content, text);
      expect([text, u.kind]).toEqual([text, 'unknown_procedure']);
    }
  });
});

describe('the hold-out sets stay out of the training material', () => {
  it('no hold-out line is an alias, a name, an intent example, an aspect example or a near copy of one', async () => {
    const key = (t: string) => foldDiacritics(normalizeKey(t));
    const intents = await readIntentFiles(join(ROOT, 'intents'));
    const training = new Set<string>(labelledExamples(intents.value).map((e) => key(e.text)));
    for (const p of content.catalog!.procedures.values())
      for (const t of [p.name.vi, p.name.en, ...p.aliases.vi, ...p.aliases.en]) training.add(key(t));
    const file = join(ROOT, 'procedures', ASPECT_EXAMPLES_FILE);
    const aspectExamples = await loadAspectExamples(file, file);
    if (!aspectExamples.ok) throw new Error(`${file} is not valid`);
    for (const t of Object.values(aspectExamples.value).flat()) training.add(key(t));
    // A name of two or three words ("khai tử") is the procedure's name, not a copied question.
    // A question of four words or more must not be a training text, nor a near copy of one:
    // one containing the other with at most a quarter of the words different.
    const words = (t: string) => t.split(' ').length;
    const nearCopy = (a: string, b: string) =>
      (` ${a} `.includes(` ${b} `) || ` ${b} `.includes(` ${a} `)) && Math.min(words(a), words(b)) >= 0.75 * Math.max(words(a), words(b));
    const texts = [...training];
    const leaks: string[] = [];
    for (const file of [
      'procedure-holdout.jsonl',
      'procedure-holdout-en.jsonl',
      'procedure-holdout-oos.jsonl',
      'procedure-unknown-holdout.jsonl',
    ]) {
      for (const line of data(file)) {
        const text = key(line.text);
        if (words(text) >= 4 && texts.some((t) => nearCopy(text, t))) leaks.push(line.text);
      }
    }
    expect(leaks).toEqual([]);
  });
});
