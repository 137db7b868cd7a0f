/**
 * The agency outbox worker in its own process, for the crash test (the test SIGKILLs it
 * in the middle of a run) and the two-process test. Configuration comes from the environment:
 * TEST_MONGODB_URI, OUTBOX_DB_NAME, WEBHOOK_URL, WORKER_OWNER, LEASE_MS.
 * Prints "ready" once the worker is polling.
 */
import { createDeliveryWorker } from './delivery-worker';
import { WebhookTransport } from '../../../src/forwarding/webhook-transport';
import { silentLogger } from '../../../src/infra/logger';
import { openDatabase } from '../../../src/storage/mongo/database';
import { outboxDirectory, WEBHOOK_SECRET, WEBHOOK_SECRET_ENV } from './outbox-fixtures';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function main(): Promise<void> {
  const logger = silentLogger();
  const db = await openDatabase({ uri: env('TEST_MONGODB_URI'), dbName: env('OUTBOX_DB_NAME'), embeddedDataDir: '', logger });
  const directory = outboxDirectory(env('WEBHOOK_URL'));
  const source = { current: () => directory };
  const worker = createDeliveryWorker(db, {
    directory: source,
    transports: { webhook: new WebhookTransport({ env: { [WEBHOOK_SECRET_ENV]: WEBHOOK_SECRET }, timeoutMs: 2000 }) },
    owner: env('WORKER_OWNER'),
    pollIntervalMs: 20,
    batchSize: 20,
    concurrency: 4,
    leaseMs: Number(env('LEASE_MS')),
    backoff: { baseMs: 10, capMs: 50 },
  });
  worker.start();
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => {
    void worker
      .stop()
      .then(() => db.close())
      .then(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`worker-process failed: ${String(err)}\n`);
  process.exit(1);
});
