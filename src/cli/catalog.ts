/**
 * `npm run catalog -- <command>`: tools for the procedure catalog.
 *
 *   validate        check every procedure file (file and line for each mistake; exit 1 on problems)
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatContentError } from '../content/content-error';
import { loadProcedureFiles } from '../catalog/procedure-files';
import { PROJECT_ROOT } from '../infra/project-root';

const USAGE = 'usage: npm run catalog -- validate';

async function main(argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} });
  const [command] = positionals;
  const dir = process.env.PROCEDURES_DIR ?? join(PROJECT_ROOT, 'procedures');
  switch (command) {
    case 'validate': {
      const loaded = await loadProcedureFiles(dir);
      if (!loaded.ok) {
        for (const error of loaded.errors) console.error(formatContentError(error));
        console.error(`${loaded.errors.length} problem(s)`);
        return 1;
      }
      const byField = new Map<string, number>();
      for (const p of loaded.value.procedures) byField.set(p.field, (byField.get(p.field) ?? 0) + 1);
      console.log(`catalog OK: ${loaded.value.procedures.length} procedures in ${byField.size} fields`);
      for (const [field, n] of [...byField].sort()) console.log(`  ${field}: ${n}`);
      return 0;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
