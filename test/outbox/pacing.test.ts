/** The generic worker asks the outbox's pacing policy before each send (the hook a news outbox's per-platform rate limits use). */
import type { ChannelSender } from '../../src/notifications/channel-sender';
import { silentLogger } from '../../src/infra/logger';
import { citizenNotificationHandler } from '../../src/notifications/citizen-notification-handler';
import type { NotificationItem } from '../../src/notifications/notification-item';
import { OutboxWorker } from '../../src/outbox/outbox-worker';
import type { Pacer } from '../../src/outbox/pacing';
import type { Database } from '../../src/storage/mongo/database';
import { MongoNotificationOutbox } from '../../src/storage/mongo/mongo-outbox';
import { dropTestDatabase, openTestDatabase } from '../support/database';

let db: Database;

beforeAll(async () => {
  db = await openTestDatabase('outbox_pacing');
});

afterAll(async () => {
  await dropTestDatabase(db);
});

it('waits for the pacer before each send: a policy of one send per 40 ms spaces the sends out', async () => {
  // Compared per item (user u<n> ↔ news:<n>): each send after its pacer slot was released,
  // whatever the database's delays around it (a span between first and last send is not).
  const sentAt = new Map<string, number>();
  const sender: ChannelSender = {
    channel: 'zalo',
    send: async (userId) => {
      sentAt.set(userId.replace('u', 'news:'), Date.now());
      return { ok: true };
    },
  };
  let nextSlot = 0;
  const acquired: string[] = [];
  const releasedAt = new Map<string, number>();
  const onePer40ms: Pacer<NotificationItem> = {
    async acquire(item) {
      acquired.push(item.id);
      const wait = Math.max(0, nextSlot - Date.now());
      nextSlot = Math.max(nextSlot, Date.now()) + 40;
      await new Promise((r) => setTimeout(r, wait));
      releasedAt.set(item.id, Date.now());
    },
  };
  await db.models.Notification.insertMany(
    [1, 2, 3, 4].map((n) => ({
      idempotencyKey: `news:${n}`,
      channel: 'zalo',
      userId: `u${n}`,
      kind: 'answer',
      params: {},
      state: 'pending',
      nextAttemptAt: new Date(),
    })),
  );
  const worker = new OutboxWorker({
    store: new MongoNotificationOutbox(db),
    handler: citizenNotificationHandler({ senders: [sender], render: () => [{ text: 'x' }], localeOf: async () => 'vi' }),
    owner: 'pacer-test',
    logger: silentLogger(),
    pacer: onePer40ms,
    concurrency: 4,
  });
  expect(await worker.runOnce()).toMatchObject({ sent: 4 });
  expect(acquired.sort()).toEqual(['news:1', 'news:2', 'news:3', 'news:4']);
  for (const id of acquired) expect(sentAt.get(id)).toBeGreaterThanOrEqual(releasedAt.get(id)!);
  // (How far apart the releases are is the test policy's own business, and timers measured
  // by the wall clock drift by milliseconds on a loaded machine: not asserted.)
});
