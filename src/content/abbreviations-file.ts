/** Loads the admin-editable teencode/abbreviation table (config/abbreviations.yaml). */
import { z } from 'zod';
import type { AbbreviationTable } from '../text/normalize';
import { normalizeKey } from '../text/normalize';
import type { Checked, ContentError } from './content-error';
import { readYamlWithSchema } from './yaml-source';

const AbbreviationFileSchema = z.strictObject({
  expansions: z.record(z.string(), z.string().min(1, 'the expansion must not be empty')),
});

/** Reads and validates the table; keys must be single words, values real words. */
export async function loadAbbreviations(path: string, displayName: string): Promise<Checked<AbbreviationTable>> {
  const parsed = await readYamlWithSchema(path, displayName, AbbreviationFileSchema);
  if (!parsed.ok) return parsed;
  const errors: ContentError[] = [];
  const table = new Map<string, string>();
  for (const [rawKey, rawValue] of Object.entries(parsed.value.expansions)) {
    const line = parsed.lineOf(['expansions', rawKey]);
    const key = normalizeKey(rawKey);
    const value = normalizeKey(rawValue);
    if (!key || key.includes(' ')) {
      errors.push({ file: displayName, line, message: `key '${rawKey}' must be exactly one word` });
      continue;
    }
    if (!value) {
      errors.push({ file: displayName, line, message: `expansion of '${rawKey}' has no letters` });
      continue;
    }
    if (table.has(key)) {
      errors.push({ file: displayName, line, message: `key '${rawKey}' is listed twice` });
      continue;
    }
    table.set(key, value);
  }
  return errors.length ? { ok: false, errors } : { ok: true, value: table };
}
