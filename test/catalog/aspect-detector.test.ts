/**
 * The aspect detector with the shipped cue words and examples (procedures/_aspects.yaml,
 * procedures/_aspect-examples.yaml): what each of its steps decides. The hold-out figure
 * is asserted in understanding.test.ts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ASPECTS } from '../../src/catalog/aspects';
import { ASPECT_EXAMPLES_FILE, loadAspectExamples } from '../../src/content/aspects-file';
import type { BotContent } from '../../src/core/bot-content';
import type { Locale } from '../../src/i18n/locale';
import { normalizeText } from '../../src/text/normalize';
import { loadTestContent, SETUP_TIMEOUT_MS } from '../complaints/complaint-test-kit';

let content: BotContent;
beforeAll(async () => {
  content = await loadTestContent();
}, SETUP_TIMEOUT_MS);

function detect(text: string, procedureId?: string, locale: Locale = 'vi') {
  const catalog = content.catalog!;
  const procedure = procedureId ? catalog.procedures.get(procedureId) : undefined;
  if (procedureId && !procedure) throw new Error(`no procedure ${procedureId}`);
  return catalog.aspects.detect(normalizeText(text, content.abbreviations), locale, procedure);
}

describe('aspect detector', () => {
  it('a strong cue word decides', () => {
    expect(detect('làm hộ chiếu hết bao nhiêu tiền', 'cap-ho-chieu-pho-thong')).toEqual({ aspect: 'fee', byCue: true });
    expect(detect('sang tên xe ở đâu', 'sang-ten-xe')).toEqual({ aspect: 'where', byCue: true });
  });

  it("sets the procedure's own names aside: a fee or a time limit in a name is not asked", () => {
    // Without the procedure, "phí" is a fee cue; with it, "miễn giảm học phí" is the name.
    expect(detect('miễn giảm học phí cho con hộ nghèo').aspect).toBe('fee');
    expect(detect('miễn giảm học phí cho con hộ nghèo', 'mien-giam-hoc-phi').aspect).toBe('overview');
    expect(detect('miễn giảm học phí cho con hộ nghèo cần giấy tờ gì', 'mien-giam-hoc-phi').aspect).toBe('documents');
  });

  it('without a cue, the classifier decides from the words citizens use', () => {
    expect(detect('bố mẹ đi vắng thì ông bà đi thay có ổn không', 'dang-ky-khai-sinh')).toEqual({ aspect: 'eligibility', byCue: false });
    expect(detect('đi làm cái này thì lên ủy ban nào', 'dang-ky-khai-sinh')).toEqual({ aspect: 'where', byCue: false });
  });

  it('a "how" asks the overview, whatever the situation told before it', () =>
    expect(detect('chồng em người nước ngoài, bé sinh ở nhà thì làm khai sinh thế nào', 'dang-ky-khai-sinh')).toEqual({
      aspect: 'overview',
      byCue: true,
    }));

  it('a name and one or two words more tell no aspect (the classifier would guess a time limit from "hết hạn")', () =>
    expect(detect('đổi căn cước hết hạn', 'cap-doi-the-can-cuoc')).toEqual({ aspect: 'overview', byCue: false }));

  it('a word only some of the names add still asks its aspect ("đăng ký tạm trú online" is one of its names)', () =>
    expect(detect('đăng ký tạm trú online được không', 'dang-ky-tam-tru').aspect).toBe('online'));

  it('a Vietnamese cue is no cue in English ("can" is not "cần")', () =>
    expect(detect('can my wife apply for a temporary residence card', 'cap-the-tam-tru-nguoi-nuoc-ngoai', 'en').aspect).toBe(
      'eligibility',
    ));
});

describe('procedures/_aspect-examples.yaml is checked like every content file', () => {
  it('a mistake is reported with its file and line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aspect-examples-'));
    const file = join(dir, ASPECT_EXAMPLES_FILE);
    const ten = (word: string) => Array.from({ length: 10 }, (_, i) => `    - ${word} ${i}`).join('\n');
    const blocks = ASPECTS.filter((a) => a !== 'penalty').map((a) => `  ${a}:\n${ten(a)}`);
    writeFileSync(file, `examples:\n${blocks.join('\n')}\n  penalty:\n    - có bị phạt không\n    - fee 1\n`);
    const result = await loadAspectExamples(file, 'procedures/_aspect-examples.yaml');
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    // Too few penalty examples (line of the key), and one that is already a fee example (its own line).
    const penaltyLine = 2 + 11 * (ASPECTS.length - 1);
    expect(errors).toEqual([
      expect.objectContaining({
        file: 'procedures/_aspect-examples.yaml',
        line: penaltyLine,
        message: expect.stringContaining('at least 10'),
      }),
      expect.objectContaining({ line: penaltyLine + 2, message: expect.stringContaining("already an example of 'fee'") }),
    ]);
  });
});
