/**
 * A worker process is SIGKILLed while it forwards 200 deliveries; a second process takes
 * over. Every delivery must end `sent`, the receiver must have seen every key, and the
 * only duplicates allowed are the sends that were in flight at the kill.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Database } from '../../src/storage/mongo/database';
import { exited, startTestProcess } from '../support/child-process';
import { dropTestDatabase, openTestDatabase, testMongoUri } from '../support/database';
import { insertDeliveries, waitFor, WebhookReceiver } from './support/outbox-fixtures';

const WORKER = join(__dirname, 'support', 'worker-process.ts');
const LEASE_MS = 1500;

function startWorker(dbName: string, webhookUrl: string, owner: string): { child: ChildProcess; ready: Promise<void> } {
  const env = {
    TEST_MONGODB_URI: testMongoUri(),
    OUTBOX_DB_NAME: dbName,
    WEBHOOK_URL: webhookUrl,
    WORKER_OWNER: owner,
    LEASE_MS: String(LEASE_MS),
  };
  return startTestProcess(WORKER, env, `worker ${owner}`);
}

describe('the agency outbox worker survives a SIGKILL mid-run', () => {
  let db: Database;
  const receiver = new WebhookReceiver();
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    db = await openTestDatabase('delivery_crash');
    await receiver.start();
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all(children.map(exited));
    await receiver.stop();
    await dropTestDatabase(db);
  });

  it('every delivery ends sent; each key reaches the receiver; duplicates only for the sends in flight at the kill', async () => {
    receiver.behaviour = { delayMs: 60 };
    const keys = await insertDeliveries(db, 200, 20);
    const dbName = db.connection.name;

    const first = startWorker(dbName, receiver.url, 'crash-victim');
    children.push(first.child);
    await first.ready;
    // Kill while the receiver holds a request: a send is cut in the middle.
    await waitFor(() => receiver.totalRequests >= 50 && receiver.pending > 0, 60_000, 'the first worker to be well under way');
    first.child.kill('SIGKILL');
    await exited(first.child);
    expect(first.child.signalCode).toBe('SIGKILL');

    const sentAtKill = await db.models.Delivery.countDocuments({ state: 'sent' });
    const inFlightAtKill = await db.models.Delivery.countDocuments({ state: 'sending' });
    expect(sentAtKill).toBeLessThan(200);
    expect(inFlightAtKill).toBeGreaterThan(0);

    const second = startWorker(dbName, receiver.url, 'successor');
    children.push(second.child);
    await second.ready;
    await waitFor(async () => (await db.models.Delivery.countDocuments({ state: 'sent' })) === 200, 90_000, 'all 200 sent');
    second.child.kill('SIGTERM');
    await exited(second.child);

    expect(await db.models.Delivery.countDocuments({ state: { $ne: 'sent' } })).toBe(0);
    expect(receiver.requests.size).toBe(200);
    for (const key of keys) expect(receiver.accepted.get(key)).toBeGreaterThanOrEqual(1);
    const duplicates = receiver.totalRequests - 200;
    expect(duplicates).toBeGreaterThanOrEqual(0);
    expect(duplicates).toBeLessThanOrEqual(inFlightAtKill);
    // Every duplicate is a resend of a key whose send was cut by the kill.
    const resent = [...receiver.requests.entries()].filter(([, n]) => n > 1).map(([k]) => k);
    expect(resent.length).toBeLessThanOrEqual(inFlightAtKill);
    for (const key of resent) expect(receiver.requests.get(key)).toBe(2);
  }, 180_000);
});
