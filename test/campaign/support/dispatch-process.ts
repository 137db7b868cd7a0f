/**
 * A broadcast sender in its own process (test/campaign/broadcast-crash.test.ts): it
 * connects, starts the dispatcher (real channel senders pointed at the parent's fake
 * Telegram and Zalo servers), prints "ready", and sends until it is killed or the
 * broadcast is finished (then it prints "finished" and exits).
 */
import { silentLogger } from '../../../src/infra/logger';
import { openDatabase } from '../../../src/storage/mongo/database';
import { createHarnessDispatcher } from './broadcast-harness';

const env = (key: string): string =>
  process.env[key] ??
  (() => {
    throw new Error(`${key} is not set`);
  })();

async function main(): Promise<void> {
  const db = await openDatabase({
    uri: env('TEST_MONGODB_URI'),
    dbName: env('CRASH_DB_NAME'),
    embeddedDataDir: '',
    logger: silentLogger(),
  });
  const harness = await createHarnessDispatcher(db, {
    owner: env('CRASH_OWNER'),
    telegram: {
      apiRoot: env('CRASH_TELEGRAM_ROOT'),
      token: env('CRASH_TELEGRAM_TOKEN'),
      globalPerSecond: Number(env('CRASH_GLOBAL_PER_SECOND')),
      newsPerSecond: Number(env('CRASH_NEWS_PER_SECOND')),
    },
    zalo: {
      base: env('CRASH_ZALO_BASE'),
      appId: env('CRASH_ZALO_APP_ID'),
      appSecret: env('CRASH_ZALO_APP_SECRET'),
      accessToken: env('CRASH_ZALO_ACCESS'),
      refreshToken: env('CRASH_ZALO_REFRESH'),
      perSecond: Number(env('CRASH_ZALO_PER_SECOND')),
    },
    leaseMs: Number(env('CRASH_LEASE_MS')),
    concurrency: Number(env('CRASH_CONCURRENCY')),
    pollIntervalMs: 100,
  });
  harness.dispatcher.start();
  console.log('ready');
  const broadcastId = env('CRASH_BROADCAST');
  while ((await db.models.Broadcast.findById(broadcastId).lean())?.finishedAt === undefined) await new Promise((r) => setTimeout(r, 200));
  await harness.stop();
  console.log('finished');
  await db.close();
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
