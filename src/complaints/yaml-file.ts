/**
 * Reads an admin-edited YAML file through content/yaml-source.ts, making sure YAML
 * syntax errors carry a line number too.
 *
 * Why this wrapper: yaml-source.ts parses with `prettyErrors: false`, which leaves
 * `YAMLError.linePos` empty, so its syntax errors arrive without a line. We recompute
 * the line from the error offsets. Once yaml-source.ts fills the line itself, this
 * keeps its answer (errors that already have a line are left alone).
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import type { ContentError } from '../content/content-error';
import { parseYamlWithSchema, type YamlChecked } from '../content/yaml-source';

/** Parses and validates YAML text; `file` names it in error messages. */
export function parseYamlFile<S extends z.ZodType>(file: string, text: string, schema: S): YamlChecked<z.output<S>> {
  const parsed = parseYamlWithSchema(file, text, schema);
  return parsed.ok ? parsed : { ok: false, errors: withSyntaxLines(text, parsed.errors) };
}

/** Reads, parses and validates a YAML file; an unreadable file is one error. */
export async function readYamlFile<S extends z.ZodType>(path: string, file: string, schema: S): Promise<YamlChecked<z.output<S>>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const message = typeof err === 'object' && err !== null && 'message' in err ? String(err.message) : String(err);
    return { ok: false, errors: [{ file, message: `cannot read file: ${message}` }] };
  }
  return parseYamlFile(file, text, schema);
}

function withSyntaxLines(text: string, errors: ContentError[]): ContentError[] {
  if (errors.every((e) => e.line !== undefined || !e.message.startsWith('YAML syntax'))) return errors;
  const lineCounter = new LineCounter();
  const positions = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true }).errors.map((e) =>
    lineCounter.linePos(e.pos[0]),
  );
  let next = 0;
  return errors.map((e) => {
    if (!e.message.startsWith('YAML syntax')) return e;
    const pos = positions[next++];
    return e.line === undefined && pos ? { ...e, line: pos.line, column: pos.col } : e;
  });
}
