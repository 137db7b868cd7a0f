/**
 * Loads the translation files (`locales/<lang>.json`): nested objects whose leaves are
 * texts with optional `{{placeholders}}`. Vietnamese is the reference language: every
 * other language must have exactly its keys and the same placeholders, so a citizen who
 * switches to English never meets a missing text.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { Checked, ContentError } from './content-error';
import { parseYamlWithSchema } from './yaml-source';

import { SUPPORTED_LOCALES, REFERENCE_LOCALE, type Locale, type LocaleCatalogs } from '../i18n/locale';

export { SUPPORTED_LOCALES, type LocaleCatalogs } from '../i18n/locale';

interface LocaleTree {
  [key: string]: string | LocaleTree;
}
const LocaleTreeSchema: z.ZodType<LocaleTree> = z.lazy(() =>
  z.record(
    z.string().regex(/^[A-Za-z0-9_-]+$/, 'keys use letters, digits, _ and - only'),
    z.union([z.string().min(1, 'a text must not be empty'), LocaleTreeSchema]),
  ),
);

interface LoadedLocale {
  catalog: Map<string, string>;
  lineOf: (path: readonly PropertyKey[]) => number | undefined;
  display: string;
}

/**
 * Reads every supported language from `dir` and cross-checks them. `requiredKeys` are
 * the keys the code and the intent files use: each must exist in every language.
 */
export async function loadLocaleFiles(
  dir: string,
  requiredKeys: Iterable<string>,
  displayDir = 'locales',
): Promise<Checked<LocaleCatalogs>> {
  const errors: ContentError[] = [];
  const loaded = new Map<Locale, LoadedLocale>();
  for (const locale of SUPPORTED_LOCALES) {
    const result = await loadOne(join(dir, `${locale}.json`), `${displayDir}/${locale}.json`);
    if (result.ok) loaded.set(locale, result.value);
    else errors.push(...result.errors);
  }
  if (errors.length) return { ok: false, errors };

  const reference = loaded.get(REFERENCE_LOCALE)!;
  for (const key of requiredKeys) {
    for (const [, one] of loaded) {
      if (!one.catalog.has(key)) errors.push({ file: one.display, message: `missing text '${key}'` });
    }
  }
  for (const [locale, one] of loaded) {
    if (locale === REFERENCE_LOCALE) continue;
    for (const [key, text] of reference.catalog) {
      const other = one.catalog.get(key);
      if (other === undefined) {
        errors.push({
          file: one.display,
          message: `missing text '${key}' (present in ${reference.display}:${reference.lineOf(key.split('.')) ?? '?'})`,
        });
      } else if (placeholders(text) !== placeholders(other)) {
        errors.push({
          file: one.display,
          line: one.lineOf(key.split('.')),
          message: `'${key}' uses placeholders ${placeholders(other) || '(none)'} but ${reference.display} uses ${placeholders(text) || '(none)'}`,
        });
      }
    }
    for (const key of one.catalog.keys()) {
      if (!reference.catalog.has(key)) {
        errors.push({
          file: one.display,
          line: one.lineOf(key.split('.')),
          message: `text '${key}' does not exist in ${reference.display}`,
        });
      }
    }
  }
  if (errors.length) return { ok: false, errors };
  return { ok: true, value: new Map([...loaded].map(([locale, one]) => [locale, one.catalog])) };
}

async function loadOne(path: string, display: string): Promise<Checked<LoadedLocale>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    return { ok: false, errors: [{ file: display, message: `cannot read file: ${(err as Error).message}` }] };
  }
  try {
    JSON.parse(text); // strict JSON first: YAML would accept things JSON does not
  } catch (err) {
    return { ok: false, errors: [jsonSyntaxError(display, text, err as Error)] };
  }
  const parsed = parseYamlWithSchema(display, text, LocaleTreeSchema);
  if (!parsed.ok) return parsed;
  const catalog = new Map<string, string>();
  flatten(parsed.value, '', catalog);
  return { ok: true, value: { catalog, lineOf: parsed.lineOf, display } };
}

function flatten(tree: LocaleTree, prefix: string, into: Map<string, string>): void {
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') into.set(path, value);
    else flatten(value, path, into);
  }
}

/** The sorted set of `{{name}}` placeholders in a text, as one comparable string. */
export function placeholders(text: string): string {
  return [...new Set([...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]))].sort().join(',');
}

function jsonSyntaxError(file: string, text: string, err: Error): ContentError {
  const position = /position (\d+)/.exec(err.message);
  const lineCol = /line (\d+) column (\d+)/.exec(err.message);
  if (lineCol) return { file, line: Number(lineCol[1]), column: Number(lineCol[2]), message: `JSON syntax: ${err.message}` };
  if (position) {
    const before = text.slice(0, Number(position[1]));
    const line = before.split('\n').length;
    const column = before.length - before.lastIndexOf('\n');
    return { file, line, column, message: `JSON syntax: ${err.message}` };
  }
  return { file, message: `JSON syntax: ${err.message}` };
}
