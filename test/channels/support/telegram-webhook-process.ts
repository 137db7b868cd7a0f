/**
 * The Telegram channel in webhook mode in its own process, on the real pipeline and the
 * test database, with the durable inbox sweeping at start — for the crash test, which
 * SIGKILLs it after a 200. Configuration from the environment: TEST_MONGODB_URI, DB_NAME,
 * TG_TOKEN, TG_API_ROOT, PORT, SECRET; HANG=1 gives it an engine that never answers (the
 * turn is in progress when the process dies). Prints "ready" once it listens.
 */
import { hostname } from 'node:os';
import Fastify from 'fastify';
import { DurableInbox } from '../../../src/channels/pipeline/durable-inbox';
import { MongoSlotStore } from '../../../src/channels/pipeline/slot-store';
import { silentLogger } from '../../../src/infra/logger';
import { openDatabase } from '../../../src/storage/mongo/database';
import { loadSampleDirectory } from '../../complaints/sample-directory';
import type { FakeTelegramServer } from '../../fakes/telegram-bot-api';
import { createHarness, loadTestContent } from '../telegram/telegram-harness';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function main(): Promise<void> {
  const db = await openDatabase({ uri: env('TEST_MONGODB_URI'), dbName: env('DB_NAME'), embeddedDataDir: '', logger: silentLogger() });
  const owner = `${hostname()}:${process.pid}:test`;
  const http = Fastify();
  const harness = await createHarness({
    fake: { token: env('TG_TOKEN'), apiRoot: env('TG_API_ROOT') } as FakeTelegramServer,
    db,
    content: await loadTestContent(),
    directory: await loadSampleDirectory(),
    http,
    config: { mode: 'webhook', webhookSecret: env('SECRET') },
    owner,
    ...(process.env.HANG === '1' ? { engine: { handle: () => new Promise<never>(() => undefined) } } : {}),
  });
  await http.listen({ host: '127.0.0.1', port: Number(env('PORT')) });
  await harness.channel.start();
  const inbox = new DurableInbox({ store: new MongoSlotStore(db.connection), pipeline: harness.inbound, owner });
  await inbox.sweep();
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => {
    void Promise.all([inbox.stop(), harness.channel.stop(500), http.close()])
      .then(() => db.close())
      .then(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`telegram-webhook-process failed: ${String(err)}\n`);
  process.exit(1);
});
