/**
 * Both outbox workers (agency deliveries and citizen notifications) in their own process
 * with their own database connection, as a service process runs them — for the
 * two-process test. Configuration from the environment: TEST_MONGODB_URI,
 * OUTBOX_DB_NAME, WEBHOOK_URL (the agency's endpoint), CHANNEL_URL (where the fake
 * channel posts citizens' messages), WORKER_OWNER. Prints "ready" once polling.
 */
import type { ChannelSender } from '../../../src/notifications/channel-sender';
import { citizenNotificationHandler } from '../../../src/notifications/citizen-notification-handler';
import { OutboxWorker } from '../../../src/outbox/outbox-worker';
import { WebhookTransport } from '../../../src/forwarding/webhook-transport';
import { silentLogger } from '../../../src/infra/logger';
import { openDatabase } from '../../../src/storage/mongo/database';
import { MongoNotificationOutbox } from '../../../src/storage/mongo/mongo-outbox';
import { createDeliveryWorker } from '../../forwarding/support/delivery-worker';
import { outboxDirectory, WEBHOOK_SECRET, WEBHOOK_SECRET_ENV } from '../../forwarding/support/outbox-fixtures';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** A channel that posts each message to CHANNEL_URL with the message text as its idempotency key. */
const channel: ChannelSender = {
  channel: 'telegram',
  async send(userId, messages) {
    for (const message of messages) {
      const res = await fetch(env('CHANNEL_URL'), {
        method: 'POST',
        headers: { 'idempotency-key': message.text, 'content-type': 'application/json' },
        body: JSON.stringify({ userId }),
      });
      if (!res.ok) return { ok: false, kind: 'retry', error: `HTTP ${res.status}` };
    }
    return { ok: true };
  },
};

async function main(): Promise<void> {
  const logger = silentLogger();
  const db = await openDatabase({ uri: env('TEST_MONGODB_URI'), dbName: env('OUTBOX_DB_NAME'), embeddedDataDir: '', logger });
  const directory = outboxDirectory(env('WEBHOOK_URL'));
  const owner = env('WORKER_OWNER');
  const tuning = { pollIntervalMs: 20, batchSize: 20, concurrency: 4, backoff: { baseMs: 10, capMs: 50 } };
  const deliveries = createDeliveryWorker(db, {
    directory: { current: () => directory },
    transports: { webhook: new WebhookTransport({ env: { [WEBHOOK_SECRET_ENV]: WEBHOOK_SECRET }, timeoutMs: 2000 }) },
    owner,
    ...tuning,
  });
  const notifications = new OutboxWorker({
    store: new MongoNotificationOutbox(db),
    handler: citizenNotificationHandler({
      senders: [channel],
      render: (n) => [{ text: String(n.params.tag) }],
      localeOf: async () => 'vi',
    }),
    owner,
    logger,
    ...tuning,
  });
  deliveries.start();
  notifications.start();
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => {
    void Promise.all([deliveries.stop(), notifications.stop()])
      .then(() => db.close())
      .then(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`outbox-process failed: ${String(err)}\n`);
  process.exit(1);
});
