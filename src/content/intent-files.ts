/**
 * Loads the intent files (`intents/*.yaml`) that admins edit: one intent per file, plus
 * `_out_of_scope.yaml` with messages that must land on the fallback.
 *
 * Everything wrong is reported at once, with file and line, and the result is only
 * usable when nothing is wrong: a half-loaded intent set must never reach citizens.
 */
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import type { ContentError } from './content-error';
import { readYamlWithSchema } from './yaml-source';
import { foldDiacritics } from '../text/vietnamese';
import { normalizeKey } from '../text/normalize';
import type { IntentDefinition, IntentSet } from '../nlu/intent-set';

/** Name of the special file holding out-of-scope examples. */
export const OUT_OF_SCOPE_FILE = '_out_of_scope.yaml';

const INTENT_ID = /^[a-z][a-z0-9_]*$/;

const IntentFileSchema = z
  .strictObject({
    intent: z.string().regex(INTENT_ID, 'intent id must be lower_snake_case'),
    description: z.string().optional(),
    answer: z.string().min(1, 'answer must name a locale key').optional(),
    /** `catalog`: the procedure catalog answers this intent (the procedures that list it in `intents:`), not a fixed text. */
    answered_by: z.literal('catalog', { message: "answered_by can only be 'catalog'" }).optional(),
    suggestions: z.array(z.string().regex(INTENT_ID, 'a suggestion must be an intent id')).max(5).optional(),
    examples: z.array(z.string().trim().min(1, 'an example must not be empty')).min(3, 'an intent needs at least 3 examples'),
    /** The same intent asked in English (foreign residents, investors): trains the English model. */
    examples_en: z.array(z.string().trim().min(1, 'an example must not be empty')).optional(),
  })
  .refine((f) => (f.answer === undefined) !== (f.answered_by === undefined), {
    message: "give either 'answer' (a locale key) or 'answered_by: catalog', not both",
    path: ['answer'],
  });

const OutOfScopeFileSchema = z.strictObject({
  out_of_scope: z.array(z.string().trim().min(1, 'an example must not be empty')),
  out_of_scope_en: z.array(z.string().trim().min(1, 'an example must not be empty')).optional(),
});

export type { IntentSet } from '../nlu/intent-set';

interface ExampleOrigin {
  intent: string;
  file: string;
  line?: number;
}

/**
 * Reads every `*.yaml` in `dir` (sorted, so the result never depends on the file system's
 * order). Returns what did load even when some files are broken, so a validator can go on checking the rest (e.g. the answer keys of the valid
 * intents against the translations) and report everything in one run.
 */
export async function readIntentFiles(dir: string, displayDir = 'intents'): Promise<{ value: IntentSet; errors: ContentError[] }> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.yaml') || n.endsWith('.yml')).sort();
  } catch (err) {
    return {
      value: { intents: [], outOfScope: [], outOfScopeEnglish: [] },
      errors: [{ file: displayDir, message: `cannot read folder: ${(err as Error).message}` }],
    };
  }
  const errors: ContentError[] = [];
  const intents: IntentDefinition[] = [];
  const outOfScope: string[] = [];
  const outOfScopeEnglish: string[] = [];
  const seen = new Map<string, ExampleOrigin>();
  const intentFile = new Map<string, string>();
  const brokenIds = new Set<string>();

  for (const name of names) {
    const display = `${displayDir}/${name}`;
    const path = join(dir, name);
    if (name === OUT_OF_SCOPE_FILE) {
      const parsed = await readYamlWithSchema(path, display, OutOfScopeFileSchema);
      if (!parsed.ok) {
        errors.push(...parsed.errors);
        continue;
      }
      parsed.value.out_of_scope.forEach((text, i) => {
        const origin = { intent: 'out of scope', file: display, line: parsed.lineOf(['out_of_scope', i]) };
        if (checkDuplicate(text, origin, seen, errors)) outOfScope.push(text);
      });
      (parsed.value.out_of_scope_en ?? []).forEach((text, i) => {
        const origin = { intent: 'out of scope', file: display, line: parsed.lineOf(['out_of_scope_en', i]) };
        if (checkDuplicate(text, origin, seen, errors)) outOfScopeEnglish.push(text);
      });
      continue;
    }
    const parsed = await readYamlWithSchema(path, display, IntentFileSchema);
    const expectedId = basename(name).replace(/\.ya?ml$/, '');
    if (!parsed.ok) {
      errors.push(...parsed.errors);
      // The intent exists, only broken: do not also report every suggestion of it as unknown.
      brokenIds.add(expectedId);
      continue;
    }
    const file = parsed.value;
    if (file.intent !== expectedId) {
      errors.push({
        file: display,
        line: parsed.lineOf(['intent']),
        message: `intent '${file.intent}' must be in a file named ${file.intent}.yaml`,
      });
    }
    const previous = intentFile.get(file.intent);
    if (previous) {
      errors.push({ file: display, line: parsed.lineOf(['intent']), message: `intent '${file.intent}' is already defined in ${previous}` });
      continue;
    }
    intentFile.set(file.intent, display);
    const examples: string[] = [];
    file.examples.forEach((text, i) => {
      const origin = { intent: file.intent, file: display, line: parsed.lineOf(['examples', i]) };
      if (checkDuplicate(text, origin, seen, errors)) examples.push(text);
    });
    const englishExamples: string[] = [];
    (file.examples_en ?? []).forEach((text, i) => {
      const origin = { intent: file.intent, file: display, line: parsed.lineOf(['examples_en', i]) };
      if (checkDuplicate(text, origin, seen, errors)) englishExamples.push(text);
    });
    intents.push({
      id: file.intent,
      description: file.description,
      answerKey: file.answer,
      answeredByCatalog: file.answered_by === 'catalog',
      suggestions: file.suggestions ?? [],
      examples,
      englishExamples,
      file: display,
    });
  }

  for (const intent of intents) {
    for (const suggestion of intent.suggestions) {
      if (!intentFile.has(suggestion) && !brokenIds.has(suggestion)) {
        errors.push({ file: intent.file, message: `suggestion '${suggestion}' is not an intent (no intents/${suggestion}.yaml)` });
      }
    }
  }
  if (intents.length < 2 && errors.length === 0) {
    errors.push({ file: displayDir, message: 'at least two intents are needed to train the matcher' });
  }
  return { value: { intents, outOfScope, outOfScopeEnglish }, errors };
}

/**
 * Records an example and reports it when the same text (ignoring case, diacritics and
 * punctuation) was already seen. The same example under two intents is an error because
 * the matcher cannot learn it; twice in one intent it is only redundant, so it is skipped.
 */
function checkDuplicate(text: string, origin: ExampleOrigin, seen: Map<string, ExampleOrigin>, errors: ContentError[]): boolean {
  const key = foldDiacritics(normalizeKey(text));
  const first = seen.get(key);
  if (!first) {
    seen.set(key, origin);
    return true;
  }
  if (first.intent !== origin.intent) {
    errors.push({
      file: origin.file,
      line: origin.line,
      message: `example "${text}" is also under intent '${first.intent}' (${first.file}${first.line ? `:${first.line}` : ''}); keep it in one intent only`,
    });
  }
  return false;
}
