/**
 * Two service processes on one database, each with its own connection and both outbox
 * workers running: every agency delivery and every citizen notification is sent exactly
 * once (claims on a unique index decide who sends what; FerretDB's conditional updates
 * alone would let both send).
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Database } from '../../src/storage/mongo/database';
import { exited, startTestProcess } from '../support/child-process';
import { dropTestDatabase, openTestDatabase, testMongoUri } from '../support/database';
import { insertDeliveries, waitFor, WebhookReceiver } from '../forwarding/support/outbox-fixtures';

const PROCESS = join(__dirname, 'support', 'outbox-process.ts');

function startProcess(
  dbName: string,
  webhookUrl: string,
  channelUrl: string,
  owner: string,
): { child: ChildProcess; ready: Promise<void> } {
  const env = {
    TEST_MONGODB_URI: testMongoUri(),
    OUTBOX_DB_NAME: dbName,
    WEBHOOK_URL: webhookUrl,
    CHANNEL_URL: channelUrl,
    WORKER_OWNER: owner,
  };
  return startTestProcess(PROCESS, env, `process ${owner}`);
}

describe('two service processes on one database', () => {
  let db: Database;
  const agency = new WebhookReceiver();
  const citizens = new WebhookReceiver();
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    db = await openTestDatabase('two_processes');
    await Promise.all([agency.start(), citizens.start()]);
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all(children.map(exited));
    await Promise.all([agency.stop(), citizens.stop()]);
    await dropTestDatabase(db);
  });

  it('send each outbox item once: 120 deliveries and 120 notifications, both processes working', async () => {
    agency.behaviour = { delayMs: 5 };
    citizens.behaviour = { delayMs: 5 };
    const deliveryKeys = await insertDeliveries(db, 120, 12);
    const tags = Array.from({ length: 120 }, (_, i) => `note-${i}`);
    await db.models.Notification.insertMany(
      tags.map((tag, i) => ({
        idempotencyKey: `PA-22222A:answer:${i + 1}`,
        complaintCode: 'PA-22222A',
        channel: 'telegram',
        userId: String(1000 + (i % 15)),
        kind: 'answer',
        params: { tag },
        state: 'pending',
        nextAttemptAt: new Date(Date.now() - 1000 + i),
      })),
    );
    const dbName = db.connection.name;
    const processes = ['service-1', 'service-2'].map((owner) => startProcess(dbName, agency.url, citizens.url, owner));
    children.push(...processes.map((p) => p.child));
    await Promise.all(processes.map((p) => p.ready));
    await waitFor(
      async () =>
        (await db.models.Delivery.countDocuments({ state: 'sent' })) === 120 &&
        (await db.models.Notification.countDocuments({ state: 'sent' })) === 120,
      150_000,
      'every item sent',
    );
    for (const p of processes) p.child.kill('SIGTERM');
    await Promise.all(processes.map((p) => exited(p.child)));

    expect(agency.totalRequests).toBe(120);
    for (const key of deliveryKeys) expect(agency.requests.get(key)).toBe(1);
    expect(citizens.totalRequests).toBe(120);
    for (const tag of tags) expect(citizens.requests.get(tag)).toBe(1);
    // Both processes took part (each claim names its owner).
    const owners = await db.connection.collection<{ owner: string }>('claims').distinct('owner');
    expect(owners.sort()).toEqual(['service-1', 'service-2']);
  }, 200_000);
});
