/**
 * `npm run restore -- --from DIR [--db NAME] [--drop]`: loads a mongodump-format folder
 * (made by `npm run backup` or by `mongodump --out DIR`) into the service's configured
 * database. Refuses a target that already holds data unless `--drop`, and refuses to run
 * while the service runs on the embedded database: stop the service first.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EmbeddedDatabaseBusyError } from '../storage/embedded-ferretdb';
import { restoreDatabase } from '../storage/dump/database-dump';
import { openConfiguredDatabase } from './configured-database';
import { printCollections, runCommand, UsageError } from './operator-command';

const USAGE = 'usage: npm run restore -- --from DIR [--db NAME] [--drop]';

const isDumpFile = (name: string): boolean => /\.(bson|metadata\.json)(\.gz)?$/.test(name);

/** DIR itself when it holds collection files, else its one database folder (or the one named by --db). */
export function findDumpFolder(dir: string, database?: string): string {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${dir} is not a folder`);
  if (database) return join(dir, database);
  if (readdirSync(dir).some(isDumpFile)) return dir;
  const databases = readdirSync(dir).filter((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() && readdirSync(path).some(isDumpFile);
  });
  if (databases.length === 1) return join(dir, databases[0]);
  if (databases.length === 0) throw new UsageError(`${dir} holds no mongodump files`);
  throw new UsageError(`${dir} holds several databases (${databases.join(', ')}): choose one with --db NAME`);
}

runCommand(USAGE, async (argv) => {
  const { values } = parseArgs({
    args: argv,
    options: { from: { type: 'string' }, db: { type: 'string' }, drop: { type: 'boolean', default: false } },
  });
  if (!values.from) throw new UsageError('--from DIR is required');
  const folder = findDumpFolder(resolve(values.from), values.db);
  let opened;
  try {
    opened = await openConfiguredDatabase({ share: 'refuse' });
  } catch (err) {
    if (err instanceof EmbeddedDatabaseBusyError) throw new Error(`${err.message}\nStop the service before restoring.`);
    throw err;
  }
  const { db } = opened;
  try {
    const summary = await restoreDatabase(db.connection.db!, folder, { drop: values.drop });
    console.log(`Restored ${folder}\ninto ${db.description}`);
    printCollections(summary.collections);
  } finally {
    await db.close();
  }
});
