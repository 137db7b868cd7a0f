/**
 * Opens a fresh database on the test run's MongoDB-protocol server (started by
 * global-setup). A real connection to a real server: tests never mock our storage.
 */
import { randomBytes } from 'node:crypto';
import { openDatabase, type Database } from '../../src/storage/mongo/database';
import { silentLogger } from '../../src/infra/logger';

export function testMongoUri(): string {
  const uri = process.env.TEST_MONGODB_URI;
  if (!uri) throw new Error('TEST_MONGODB_URI is not set: run the tests through jest (global-setup starts the server)');
  return uri;
}

/** A database with a unique name; drop it with `dropTestDatabase` in afterAll. */
export async function openTestDatabase(prefix = 'test'): Promise<Database> {
  const dbName = `${prefix}_${randomBytes(4).toString('hex')}`;
  return openDatabase({ uri: testMongoUri(), dbName, embeddedDataDir: '', logger: silentLogger() });
}

export async function dropTestDatabase(db: Database): Promise<void> {
  await db.connection.dropDatabase().catch(() => undefined);
  await db.close();
}
