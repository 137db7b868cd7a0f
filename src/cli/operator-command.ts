/**
 * What the operator commands (backup, restore, citizen data) share: argument errors
 * with the usage line, known failures as one clear message and exit code 1, and the
 * per-collection report.
 */
import { ConfigError } from '../config';
import type { CollectionSummary } from '../storage/dump/database-dump';

/** A mistake in the command line: printed with the usage line. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Runs `body` with the command-line arguments; exits 0 on success, 1 with a message on failure, 2 on a usage error. */
export function runCommand(usage: string, body: (argv: string[]) => Promise<void>): void {
  body(process.argv.slice(2)).then(
    // process.exitCode when the command set one (a request not done), else 0.
    () => process.exit(),
    (err: unknown) => {
      const usageMistake = err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
      if (usageMistake) {
        console.error(`${(err as Error).message}\n${usage}`);
        process.exit(2);
      }
      // The message says what went wrong and what to do; LOG_LEVEL=debug adds the stack for a bug report.
      console.error(err instanceof Error ? err.message : String(err));
      if (process.env.LOG_LEVEL === 'debug' && err instanceof Error && !(err instanceof ConfigError)) console.error(err.stack);
      process.exit(1);
    },
  );
}

export function printCollections(collections: readonly CollectionSummary[]): void {
  const width = Math.max(12, ...collections.map((c) => c.name.length));
  for (const c of collections) {
    console.log(`  ${c.name.padEnd(width)} ${String(c.documents).padStart(7)} documents, ${c.indexes} index${c.indexes === 1 ? '' : 'es'}`);
  }
}
