/**
 * The database the service is configured for (`.env` and the environment), opened for an
 * operator's command: MONGODB_URI when set, else the embedded server on DATA_DIR —
 * shared with a running service when `share` is `attach`, otherwise started here (and
 * refused with a clear message while a service runs on it).
 */
import { resolve } from 'node:path';
import { config as loadDotenv } from 'dotenv';
import { loadConfig } from '../config';
import { createLogger, type Logger } from '../infra/logger';
import { PROJECT_ROOT } from '../infra/project-root';
import { openDatabase, type Database } from '../storage/mongo/database';

export async function openConfiguredDatabase(options: { share: 'attach' | 'refuse' }): Promise<{ db: Database; logger: Logger }> {
  loadDotenv({ quiet: true });
  const config = loadConfig();
  // Operator commands print their own report on stdout; the log (stderr) only says what went wrong.
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', destination: process.stderr });
  const db = await openDatabase({
    uri: config.MONGODB_URI,
    dbName: config.MONGODB_DB,
    embeddedDataDir: resolve(PROJECT_ROOT, config.DATA_DIR),
    embeddedPort: config.EMBEDDED_DB_PORT,
    embeddedShare: options.share,
    logger,
  });
  return { db, logger };
}
