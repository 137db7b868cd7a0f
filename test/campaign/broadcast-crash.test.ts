/**
 * A news item to 10,000 subscribers (8,000 Telegram; 2,000 Zalo, of whom 100 last wrote 10
 * days ago) through the real channel senders, in a sender process of its own, to the fake
 * Telegram and Zalo servers in the test process, on a real MongoDB-protocol server. The
 * sender is SIGKILLed halfway and another one started. Then, from what the fake servers
 * received: no one got it twice; everyone in reach got it or — only the chunk in progress
 * at the kill — is recorded `uncertain`; the Zalo subscribers outside the messaging window
 * are recorded `not_allowed` and were never called; no sliding second (Telegram) and no
 * quota window (Zalo) held more than the platform allows, across both processes.
 *
 * The limits are raised, the same rules at test speed (at Telegram's 30/s the Telegram
 * part alone would take 4½ minutes): the fake Telegram server allows 300 messages in any
 * second and 1 per chat per second, the fake Zalo OA 250 calls in any second (Zalo's rule
 * is 4,000 a minute); the senders are paced at 250/s and 200/s (the service's defaults:
 * 20/s and 2,000/min, src/config.ts). `npm run bench` prints the rate at the real limits.
 */
import type { ChildProcess } from 'node:child_process';
import { FakeTelegramServer } from '../fakes/telegram-bot-api';
import { FakeZaloServer } from '../fakes/zalo-oa-server';
import type { Database } from '../../src/storage/mongo/database';
import { exited, startTestProcess } from '../support/child-process';
import { dropTestDatabase, openTestDatabase } from '../support/database';
import { publishLandNews, seedAudience } from './support/audience';
import { maxInWindow, receivedCounts } from './support/fake-counts';

const TOKEN = '7000000002:AAE2eTestTokenForCrashes_01234567';
const TELEGRAM_PER_SECOND = 300;
const ZALO_QUOTA = { limit: 250, spanMs: 1000 };
const NEWS_TELEGRAM_PER_SECOND = 250;
const NEWS_ZALO_PER_SECOND = 200;
const TELEGRAM = 8000;
const ZALO = 2000;
const ZALO_STALE = 100;
const IN_REACH = TELEGRAM + ZALO - ZALO_STALE;
/** The dispatcher's chunk: the most people a kill can leave `uncertain`. */
const CHUNK = 50;
const SCRIPT = 'test/campaign/support/dispatch-process.ts';
/** Halfway, off a chunk's boundary: the kill lands while a chunk's sends are under way, not between two chunks. */
const KILL_AT = IN_REACH / 2 + 17;
const BROADCAST = 'news:crash-news';

describe('a news item to 10,000 subscribers, its sender killed halfway', () => {
  let db: Database;
  const telegram = new FakeTelegramServer({ token: TOKEN, rateLimits: { globalPerSecond: TELEGRAM_PER_SECOND, perChatPerSecond: 1 } });
  const zalo = new FakeZaloServer({ rateLimit: ZALO_QUOTA });
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    db = await openTestDatabase('broadcast_crash');
    await telegram.start();
    await zalo.start();
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await telegram.close();
    await zalo.close();
    await dropTestDatabase(db);
  });

  it('reaches each once within the limits; after a restart only the chunk in flight is uncertain', async () => {
    const audience = await seedAudience(db, { telegram: TELEGRAM, zalo: ZALO, zaloStale: ZALO_STALE }, { telegram, zalo });
    await publishLandNews(db, 'crash-news');
    const tokens = zalo.issueTokens();
    const env = (owner: string): Record<string, string> => ({
      CRASH_DB_NAME: db.connection.name,
      CRASH_OWNER: owner,
      CRASH_TELEGRAM_ROOT: telegram.apiRoot,
      CRASH_TELEGRAM_TOKEN: TOKEN,
      CRASH_GLOBAL_PER_SECOND: String(TELEGRAM_PER_SECOND),
      CRASH_NEWS_PER_SECOND: String(NEWS_TELEGRAM_PER_SECOND),
      CRASH_ZALO_PER_SECOND: String(NEWS_ZALO_PER_SECOND),
      CRASH_ZALO_BASE: zalo.url,
      CRASH_ZALO_APP_ID: zalo.appId,
      CRASH_ZALO_APP_SECRET: zalo.appSecret,
      CRASH_ZALO_ACCESS: tokens.accessToken,
      CRASH_ZALO_REFRESH: tokens.refreshToken,
      CRASH_LEASE_MS: '1500',
      CRASH_CONCURRENCY: '16',
      CRASH_BROADCAST: BROADCAST,
    });
    const delivered = (): number => telegram.sent.filter((c) => c.method === 'sendMessage').length + zalo.sent.length;

    const started = Date.now();
    const first = startTestProcess(SCRIPT, env('first'), 'first sender');
    children.push(first.child);
    await first.ready;
    const deadline = Date.now() + 240_000;
    while (delivered() < KILL_AT) {
      if (Date.now() > deadline) throw new Error(`only ${delivered()} sent in time`);
      await new Promise((r) => setTimeout(r, 20));
    }
    first.child.kill('SIGKILL');
    await exited(first.child);
    const atKill = delivered();
    expect(atKill).toBeLessThan(IN_REACH);

    const second = startTestProcess(SCRIPT, env('second'), 'second sender');
    children.push(second.child);
    await second.ready;
    const done = new Promise<void>((resolve) =>
      second.child.stdout?.on('data', (c: Buffer) => c.toString().includes('finished') && resolve()),
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      done,
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('the second sender did not finish')), 240_000))),
    ]).finally(() => clearTimeout(timer));
    await exited(second.child);
    const seconds = (Date.now() - started) / 1000;

    // No one received it twice (counted per chat id and per Zalo user by the fake servers).
    const { perChat, perZalo, busiestTelegramSecond } = receivedCounts(telegram, zalo);
    expect([...perChat.values()].filter((n) => n !== 1)).toEqual([]);
    expect([...perZalo.values()].filter((n) => n !== 1)).toEqual([]);

    // Everyone has one receipt: sent, or uncertain (the chunk in flight at the kill), or not_allowed (outside Zalo's window).
    const receipts = await db.models.BroadcastReceipt.find({ broadcastId: BROADCAST }, { recipientId: 1, outcome: 1 }).lean();
    expect(receipts).toHaveLength(TELEGRAM + ZALO);
    const outcome = new Map(receipts.map((r) => [r.recipientId, r.outcome]));
    const stale = new Set(audience.zaloOutOfWindow);
    const notAllowed = receipts.filter((r) => r.outcome === 'not_allowed').map((r) => r.recipientId);
    expect(notAllowed.sort()).toEqual(audience.zaloOutOfWindow.map((id) => `zalo:${id}`).sort());
    for (const id of stale) expect(perZalo.has(id)).toBe(false);
    const uncertain = receipts.filter((r) => r.outcome === 'uncertain');
    expect(uncertain.length).toBeLessThanOrEqual(CHUNK);
    expect(receipts.filter((r) => !['sent', 'uncertain', 'not_allowed'].includes(r.outcome))).toEqual([]);
    // Everyone in reach received it or is recorded uncertain; everyone recorded sent received it.
    const inReach: [string, boolean][] = [
      ...audience.telegramIds.map((id): [string, boolean] => [`telegram:${id}`, perChat.has(String(id))]),
      ...audience.zaloInWindow.map((id): [string, boolean] => [`zalo:${id}`, perZalo.has(id)]),
    ];
    expect(inReach).toHaveLength(IN_REACH);
    const lost = inReach.filter(([id, received]) => !received && outcome.get(id) !== 'uncertain');
    expect(lost).toEqual([]);
    const sentNotReceived = inReach.filter(([id, received]) => !received && outcome.get(id) === 'sent');
    expect(sentNotReceived).toEqual([]);

    // The limits held across both processes.
    expect(telegram.floodRefusals).toBe(0);
    expect(busiestTelegramSecond).toBeLessThanOrEqual(TELEGRAM_PER_SECOND);
    expect(zalo.rateRefusals).toBe(0);
    expect(
      maxInWindow(
        zalo.sent.map((m) => m.at),
        ZALO_QUOTA.spanMs,
      ),
    ).toBeLessThanOrEqual(ZALO_QUOTA.limit);
    expect(zalo.calls.filter((c) => c.error !== 0)).toEqual([]);
    process.stdout.write(
      `10,000 subscribers: killed at ${atKill} of ${IN_REACH} in reach, ${uncertain.length} uncertain after the restart; ` +
        `${seconds.toFixed(1)} s in all (${(IN_REACH / seconds).toFixed(0)} messages/s, both senders' start-ups included); ` +
        `busiest Telegram second ${busiestTelegramSecond}\n`,
    );
  }, 540_000);
});
