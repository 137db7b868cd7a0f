/**
 * Failures while a broadcast is sent, through the real Telegram sender to the fake Bot
 * API: a message the platform did not take ("try later": 502) is recorded as a failed
 * attempt in the chunk's one insert and sent again by a later round as attempt 2; a chat
 * that refuses for good (403, the bot blocked) is recorded `failed` and never retried.
 * Everyone else receives it once.
 */
import { FakeTelegramServer } from '../fakes/telegram-bot-api';
import { FakeZaloServer } from '../fakes/zalo-oa-server';
import type { Database } from '../../src/storage/mongo/database';
import { dropTestDatabase, openTestDatabase } from '../support/database';
import { publishLandNews, seedAudience } from './support/audience';
import { createHarnessDispatcher } from './support/broadcast-harness';
import { receivedCounts } from './support/fake-counts';

const TOKEN = '7000000005:AAE2eTestTokenForRetries_0123456789';
const SUBSCRIBERS = 120;
const TEMPORARY = 5;
const BLOCKED = 2;

let db: Database;
const telegram = new FakeTelegramServer({ token: TOKEN, rateLimits: { globalPerSecond: 300, perChatPerSecond: 1 } });
const zalo = new FakeZaloServer();

beforeAll(async () => {
  db = await openTestDatabase('broadcast_retry');
  await telegram.start();
  await zalo.start();
});

afterAll(async () => {
  await telegram.close();
  await zalo.close();
  await dropTestDatabase(db);
});

it('sends a "try later" again as attempt 2, never a refusal, and everyone else once', async () => {
  await seedAudience(db, { telegram: SUBSCRIBERS, zalo: 0, zaloStale: 0 }, { telegram, zalo });
  await publishLandNews(db, 'retry-news');
  // The first sends fail: five with a 502 (temporary), then two with a 403 (the chat refuses).
  telegram.failNext('sendMessage', { error_code: 502, description: 'Bad Gateway' }, TEMPORARY);
  telegram.failNext('sendMessage', { error_code: 403, description: 'Forbidden: bot was blocked by the user' }, BLOCKED);
  const harness = await createHarnessDispatcher(db, {
    owner: 'test-retry',
    telegram: { apiRoot: telegram.apiRoot, token: TOKEN, globalPerSecond: 300, newsPerSecond: 250, maxRetries: 0, baseBackoffMs: 10 },
    zalo: { base: zalo.url, appId: zalo.appId, appSecret: zalo.appSecret, ...zalo.issueTokens(), perSecond: 250 },
  });
  harness.dispatcher.start();
  const deadline = Date.now() + 60_000;
  while ((await db.models.Broadcast.findById('news:retry-news').lean())?.finishedAt === undefined) {
    if (Date.now() > deadline) throw new Error('broadcast did not finish in time');
    await new Promise((r) => setTimeout(r, 200));
  }
  await harness.stop();

  const receipts = await db.models.BroadcastReceipt.find({ broadcastId: 'news:retry-news' }, { outcome: 1, attempts: 1 }).lean();
  expect(receipts).toHaveLength(SUBSCRIBERS);
  const failed = receipts.filter((r) => r.outcome === 'failed');
  expect(failed).toHaveLength(BLOCKED);
  expect(failed.every((r) => r.attempts === 1)).toBe(true);
  const sent = receipts.filter((r) => r.outcome === 'sent');
  expect(sent).toHaveLength(SUBSCRIBERS - BLOCKED);
  expect(sent.filter((r) => r.attempts === 2)).toHaveLength(TEMPORARY);

  // What reached the chats (the fake records accepted calls only): each of the others once, the
  // five "try later" included; the blocked chats never — a retry of theirs would have been accepted now.
  const { perChat } = receivedCounts(telegram, zalo);
  expect(perChat.size).toBe(SUBSCRIBERS - BLOCKED);
  expect([...perChat.values()].filter((n) => n !== 1)).toEqual([]);
});
