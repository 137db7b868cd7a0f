/**
 * The whole service in this process (buildApp on a fresh database of the test run's
 * server, real HTTP on 127.0.0.1), configured only through settings as an operator would.
 */
import { buildApp, type App } from '../../src/app';
import { loadConfig } from '../../src/config';
import { silentLogger } from '../../src/infra/logger';
import { openTestDatabase, testMongoUri } from './database';

export interface TestService {
  readonly app: App;
  readonly base: string;
  readonly dbName: string;
  close(): Promise<void>;
}

export async function startTestService(prefix: string, settings: Record<string, string>): Promise<TestService> {
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
