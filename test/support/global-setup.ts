/**
 * One MongoDB-protocol server for the whole test run: MONGODB_URI when set (a real
 * mongod, e.g. on a machine with Docker), else the embedded FerretDB. Each test file
 * then uses its own database on it (see test/support/database.ts).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedMongo, type EmbeddedMongo } from '../../src/storage/embedded-ferretdb';

declare global {
  var __EMBEDDED_MONGO__: EmbeddedMongo | undefined;
}

export default async function globalSetup(): Promise<void> {
  if (process.env.MONGODB_URI) {
    process.env.TEST_MONGODB_URI = process.env.MONGODB_URI;
    return;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'cchc-test-db-'));
  const embedded = await startEmbeddedMongo({ dataDir });
  globalThis.__EMBEDDED_MONGO__ = embedded;
  process.env.TEST_MONGODB_URI = embedded.uri;
}
