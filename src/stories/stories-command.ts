/**
 * `npm run nlu -- stories FILE…`: replays conversation stories against the bot built
 * from this checkout's files, on MONGODB_URI or on a throw-away embedded database.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { silentLogger } from '../infra/logger';
import { PROJECT_ROOT } from '../infra/project-root';
import { openDatabase } from '../storage/mongo/database';
import { formatSuite, runStoryFiles } from './story-suite';

export async function storiesCommand(files: readonly string[]): Promise<number> {
  if (files.length === 0) {
    console.error('stories needs one or more story files, e.g. npm run nlu -- stories test/stories/complaint-interruptions.yaml');
    return 2;
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'cchc-stories-'));
  const db = await openDatabase({
    uri: process.env.MONGODB_URI,
    dbName: `stories_${Date.now().toString(36)}`,
    embeddedDataDir: dataDir,
    logger: silentLogger(),
  });
  try {
    const suite = await runStoryFiles(
      files.map((f) => resolve(f)),
      db,
      PROJECT_ROOT,
    );
    console.log(formatSuite(suite));
    return suite.fileErrors.length || suite.results.some((r) => r.failures.length) ? 1 : 0;
  } finally {
    await db.connection.dropDatabase().catch(() => undefined);
    await db.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
