/**
 * `npm run backup -- [--out DIR] [--gzip]`: writes the service's database in mongodump's
 * directory format (`DIR/<database>/<collection>.bson` + `.metadata.json`; see
 * docs/operations.md), restorable with `npm run restore` or `mongorestore --dir DIR`.
 * Works beside a running service (it shares the embedded database server).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { dumpDatabase } from '../storage/dump/database-dump';
import { openConfiguredDatabase } from './configured-database';
import { printCollections, runCommand } from './operator-command';

const USAGE = 'usage: npm run backup -- [--out DIR] [--gzip]   (DIR default: backups/<date-time>)';

runCommand(USAGE, async (argv) => {
  const { values } = parseArgs({ args: argv, options: { out: { type: 'string' }, gzip: { type: 'boolean', default: false } } });
  const out = resolve(values.out ?? `backups/${new Date().toISOString().replace(/[:.]/g, '-')}`);
  const { db } = await openConfiguredDatabase({ share: 'attach' });
  try {
    const summary = await dumpDatabase(db.connection.db!, out, { gzip: values.gzip });
    console.log(`Backup of ${db.description}\nwritten to ${summary.dir}`);
    printCollections(summary.collections);
    console.log(`Restore with: npm run restore -- --from ${out}   (or: mongorestore${values.gzip ? ' --gzip' : ''} --dir ${out})`);
  } finally {
    await db.close();
  }
});
