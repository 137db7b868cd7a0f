/**
 * Satisfaction surveys as data (`surveys/*.yaml`), in the spirit of the national
 * satisfaction index for public services (SIPAS): questions scored 1–5, single choices
 * and short texts, in Vietnamese and English. Validated with file and line.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { Checked, ContentError } from '../content/content-error';
import type { Locale } from '../core/messages';
import { parseYamlWithSchema } from '../content/yaml-source';

/** Buttons on a phone screen: five options and "skip". */
export const MAX_OPTIONS = 5;
const ID = /^[a-z][a-z0-9_-]*$/;
const text = (max: number) => z.strictObject({ vi: z.string().trim().min(1).max(max), en: z.string().trim().min(1).max(max) });
const buttonLabel = text(40);

const QuestionSchema = z.discriminatedUnion('kind', [
  z.strictObject({ id: z.string().regex(ID), kind: z.literal('likert'), text: text(300), optional: z.boolean().default(false) }),
  z.strictObject({
    id: z.string().regex(ID),
    kind: z.literal('choice'),
    text: text(300),
    optional: z.boolean().default(false),
    options: z
      .array(z.strictObject({ id: z.string().regex(ID), label: buttonLabel }))
      .min(2, 'a choice needs at least two options')
      .max(MAX_OPTIONS, `at most ${MAX_OPTIONS} options fit the buttons`),
  }),
  z.strictObject({ id: z.string().regex(ID), kind: z.literal('text'), text: text(300), optional: z.boolean().default(true) }),
]);

const SurveyFileSchema = z.strictObject({
  id: z.string().regex(ID, 'a survey id is lower case letters, digits, - and _'),
  title: text(120),
  intro: text(600),
  questions: z.array(QuestionSchema).min(1).max(15, 'at most 15 questions: a chat survey must stay short'),
});

export type SurveyDefinition = z.output<typeof SurveyFileSchema>;
export type SurveyQuestion = SurveyDefinition['questions'][number];

export function parseSurveyFile(file: string, source: string): Checked<SurveyDefinition> {
  const parsed = parseYamlWithSchema(file, source, SurveyFileSchema);
  if (!parsed.ok) return parsed;
  const errors: ContentError[] = [];
  const ids = new Set<string>();
  parsed.value.questions.forEach((q, i) => {
    if (ids.has(q.id)) errors.push({ file, line: parsed.lineOf(['questions', i, 'id']), message: `question id '${q.id}' is used twice` });
    ids.add(q.id);
    if (q.kind === 'choice' && new Set(q.options.map((o) => o.id)).size !== q.options.length)
      errors.push({ file, line: parsed.lineOf(['questions', i, 'options']), message: 'two options have the same id' });
  });
  return errors.length ? { ok: false, errors } : { ok: true, value: parsed.value };
}

/** Every `*.yaml` of a folder; ids must be unique across files. */
export async function loadSurveys(dir: string, displayDir: string): Promise<Checked<ReadonlyMap<string, SurveyDefinition>>> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.yaml')).sort();
  const surveys = new Map<string, SurveyDefinition>();
  const errors: ContentError[] = [];
  for (const name of files) {
    const display = `${displayDir}/${name}`;
    const parsed = parseSurveyFile(display, await readFile(join(dir, name), 'utf8'));
    if (!parsed.ok) errors.push(...parsed.errors);
    else if (surveys.has(parsed.value.id))
      errors.push({ file: display, line: 1, message: `survey id '${parsed.value.id}' is used by another file` });
    else surveys.set(parsed.value.id, parsed.value);
  }
  return errors.length ? { ok: false, errors } : { ok: true, value: surveys };
}

export function localized(value: Readonly<Record<Locale, string>>, locale: Locale): string {
  return value[locale] ?? value.vi;
}
