/**
 * A mistake in a file an admin edits (intents, locales, abbreviations, directory),
 * located precisely enough that a non-programmer can open the file and fix it.
 */
export interface ContentError {
  readonly file: string;
  /** 1-based line, when the mistake can be pinned to one. */
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
}

/** "intents/hotline.yaml:12:5: examples[3] must be text" */
export function formatContentError(error: ContentError): string {
  const where = error.line ? `${error.file}:${error.line}${error.column ? `:${error.column}` : ''}` : error.file;
  return `${where}: ${error.message}`;
}

/** Thrown when a content bundle does not validate; carries every problem found, not just the first. */
export class ContentValidationError extends Error {
  constructor(readonly errors: readonly ContentError[]) {
    super(`${errors.length} problem(s) in content files:\n` + errors.map(formatContentError).join('\n'));
    this.name = 'ContentValidationError';
  }
}

/** Either a value or the list of everything wrong with the input. */
export type Checked<T> = { ok: true; value: T } | { ok: false; errors: ContentError[] };
