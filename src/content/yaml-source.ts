/**
 * Reads a YAML file and validates it against a zod schema, reporting every problem
 * with its file and line. Admins who are not programmers edit these files: "line 12:
 * unknown key 'exemples'" is the difference between a fix and a support ticket.
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, isMap, isNode, isScalar, type Document } from 'yaml';
import type { z } from 'zod';
import type { Checked, ContentError } from './content-error';

/** A validated YAML value, plus a way to find the line of any part of it for later checks. */
export type YamlChecked<T> =
  (Checked<T> & { ok: false }) | { ok: true; value: T; lineOf: (path: readonly PropertyKey[]) => number | undefined };

/** Parses YAML text and validates it; `file` is only used in error messages. */
export function parseYamlWithSchema<S extends z.ZodType>(file: string, text: string, schema: S): YamlChecked<z.output<S>> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { file, line: pos?.line, column: pos?.col, message: `YAML syntax: ${firstLine(e.message)}` };
      }),
    };
  }
  const result = schema.safeParse(doc.toJS());
  if (result.success) {
    return { ok: true, value: result.data, lineOf: (path) => lineOfPath(doc, lineCounter, path)?.line };
  }
  return {
    ok: false,
    errors: result.error.issues.map((issue) => {
      // For an unknown key, point at the key itself rather than at its parent object.
      const nodePath = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
      const missing = issue.code === 'invalid_type' && issue.path.length > 0 && !doc.hasIn(issue.path as unknown[]);
      return locateIssue(file, doc, lineCounter, issue.path, nodePath, missing ? 'required key is missing' : describeIssue(issue));
    }),
  };
}

/** Reads and validates one YAML file from disk. */
export async function readYamlWithSchema<S extends z.ZodType>(
  path: string,
  displayName: string,
  schema: S,
): Promise<YamlChecked<z.output<S>>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    return { ok: false, errors: [{ file: displayName, message: `cannot read file: ${(err as Error).message}` }] };
  }
  return parseYamlWithSchema(displayName, text, schema);
}

/** Finds the line of the YAML node at `path` (or its closest existing parent). */
export function lineOfPath(
  doc: Document,
  lineCounter: LineCounter,
  path: readonly PropertyKey[],
): { line: number; col: number } | undefined {
  // A map key: point at the key itself (its value may start on the next line).
  const last = path[path.length - 1];
  const parent = doc.getIn(path.slice(0, -1) as unknown[], true);
  if (path.length > 0 && isMap(parent)) {
    const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(last));
    if (pair && isNode(pair.key) && pair.key.range) return lineCounter.linePos(pair.key.range[0]);
  }
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth) as unknown[], true);
    if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]);
  }
  return undefined;
}

function locateIssue(
  file: string,
  doc: Document,
  lineCounter: LineCounter,
  path: readonly PropertyKey[],
  nodePath: readonly PropertyKey[],
  message: string,
): ContentError {
  const pos = lineOfPath(doc, lineCounter, nodePath);
  const where = path.length ? `${formatPath(path)}: ` : '';
  return { file, line: pos?.line, column: pos?.col, message: where + message };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown key(s) ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
  return issue.message;
}

/** ["examples", 3] → "examples[3]" */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)),
    '',
  );
}

function firstLine(message: string): string {
  return message.split('\n')[0];
}
