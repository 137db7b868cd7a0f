/** The whole service (buildApp) on a fresh test database, listening on 127.0.0.1 with any free port. */
import { buildApp, type App } from '../../src/app';
import { loadConfig } from '../../src/config';
import { silentLogger } from '../../src/infra/logger';
import { openTestDatabase, testMongoUri } from './database';

export interface TestService {
  readonly app: App;
  /** "http://127.0.0.1:port" */
  readonly base: string;
  readonly dbName: string;
  /** Drops the database and stops the service. */
  close(): Promise<void>;
}

/** Starts the service with test defaults (no watching, no forwarding, silent) and `settings` on top. */
export async function startTestService(prefix: string, settings: Record<string, string> = {}): Promise<TestService> {
  const scratch = await openTestDatabase(prefix);
  const dbName = scratch.connection.name;
  await scratch.close();
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    MONGODB_URI: testMongoUri(),
    MONGODB_DB: dbName,
    WATCH_CONTENT: 'false',
    FORWARDING_MODE: 'noop',
    ...settings,
  });
  const app = await buildApp(config, silentLogger());
  await app.start();
  return {
    app,
    base: app.url!,
    dbName,
    close: async () => {
      await app.db.connection.dropDatabase().catch(() => undefined);
      await app.stop();
    },
  };
}
