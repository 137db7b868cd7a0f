/**
 * A broadcast sender SIGKILLed halfway and a new one started: no subscriber receives the
 * news twice (the fake servers count what reached them), every subscriber ends `sent` or
 * — only the sends in flight at the kill — `uncertain`, and the platform limits hold
 * across both processes.
 */
import type { ChildProcess } from 'node:child_process';
import { FakeTelegramServer } from '../fakes/telegram-bot-api';
import { FakeZaloServer } from '../fakes/zalo-oa-server';
import type { Database } from '../../src/storage/mongo/database';
import { exited, startTestProcess } from '../support/child-process';
import { dropTestDatabase, openTestDatabase } from '../support/database';
import { publishLandNews, seedAudience } from './support/audience';
import { receivedCounts } from './support/fake-counts';

const TOKEN = '7000000002:AAE2eTestTokenForCrashes_01234567';
const GLOBAL_PER_SECOND = 100;
const NEWS_PER_SECOND = 80;
const TELEGRAM = 400;
const ZALO = 100;
/** The dispatcher's chunk: the most sends that can be under way at a kill. */
const CHUNK = 50;
const SCRIPT = 'test/campaign/support/dispatch-process.ts';

describe('a broadcast sender killed halfway', () => {
  let db: Database;
  const telegram = new FakeTelegramServer({ token: TOKEN, rateLimits: { globalPerSecond: GLOBAL_PER_SECOND, perChatPerSecond: 1 } });
  const zalo = new FakeZaloServer();
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

  it('finishes after a restart with no duplicate; only the sends in flight are uncertain', async () => {
    await seedAudience(db, { telegram: TELEGRAM, zalo: ZALO, zaloStale: 0 }, { telegram, zalo });
    await publishLandNews(db, 'crash-news');
    const tokens = zalo.issueTokens();
    const env = (owner: string): Record<string, string> => ({
      CRASH_DB_NAME: db.connection.name,
      CRASH_OWNER: owner,
      CRASH_TELEGRAM_ROOT: telegram.apiRoot,
      CRASH_TELEGRAM_TOKEN: TOKEN,
      CRASH_GLOBAL_PER_SECOND: String(GLOBAL_PER_SECOND),
      CRASH_NEWS_PER_SECOND: String(NEWS_PER_SECOND),
      CRASH_ZALO_BASE: zalo.url,
      CRASH_ZALO_APP_ID: zalo.appId,
      CRASH_ZALO_APP_SECRET: zalo.appSecret,
      CRASH_ZALO_ACCESS: tokens.accessToken,
      CRASH_ZALO_REFRESH: tokens.refreshToken,
      CRASH_LEASE_MS: '1500',
      CRASH_BROADCAST: 'news:crash-news',
    });
    const delivered = (): number => telegram.sent.filter((c) => c.method === 'sendMessage').length + zalo.sent.length;

    const first = startTestProcess(SCRIPT, env('first'), 'first sender');
    children.push(first.child);
    await first.ready;
    const deadline = Date.now() + 60_000;
    while (delivered() < (TELEGRAM + ZALO) / 2) {
      if (Date.now() > deadline) throw new Error(`only ${delivered()} sent in time`);
      await new Promise((r) => setTimeout(r, 20));
    }
    first.child.kill('SIGKILL');
    await exited(first.child);
    const atKill = delivered();
    expect(atKill).toBeLessThan(TELEGRAM + ZALO);

    const second = startTestProcess(SCRIPT, env('second'), 'second sender');
    children.push(second.child);
    await second.ready;
    const done = new Promise<void>((resolve) =>
      second.child.stdout?.on('data', (c: Buffer) => c.toString().includes('finished') && resolve()),
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      done,
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('the second sender did not finish')), 90_000))),
    ]).finally(() => clearTimeout(timer));
    await exited(second.child);

    // No one received it twice.
    const { perChat, perZalo, busiestTelegramSecond } = receivedCounts(telegram, zalo);
    expect([...perChat.values(), ...perZalo.values()].every((n) => n === 1)).toBe(true);

    // Everyone is delivered or, for the sends in flight at the kill, recorded uncertain.
    const receipts = await db.models.BroadcastReceipt.find({ broadcastId: 'news:crash-news' }, { recipientId: 1, outcome: 1 }).lean();
    expect(receipts).toHaveLength(TELEGRAM + ZALO);
    const uncertain = receipts.filter((r) => r.outcome === 'uncertain');
    expect(receipts.filter((r) => r.outcome !== 'sent' && r.outcome !== 'uncertain')).toEqual([]);
    expect(uncertain.length).toBeLessThanOrEqual(CHUNK);
    const received = (recipientId: string): boolean => {
      const [channel, userId] = recipientId.split(':');
      return channel === 'telegram' ? perChat.has(userId) : perZalo.has(userId);
    };
    for (const r of receipts.filter((x) => x.outcome === 'sent')) expect(received(r.recipientId)).toBe(true);
    // What was not received by anyone is only among the uncertain (they were never re-sent).
    const missing = receipts.filter((r) => !received(r.recipientId));
    expect(missing.every((r) => r.outcome === 'uncertain')).toBe(true);

    // The limits held across both processes.
    expect(telegram.floodRefusals).toBe(0);
    expect(busiestTelegramSecond).toBeLessThanOrEqual(GLOBAL_PER_SECOND);
    expect(zalo.calls.filter((c) => c.error !== 0)).toHaveLength(0);
    process.stdout.write(`killed at ${atKill} of ${TELEGRAM + ZALO}; uncertain after restart: ${uncertain.length}\n`);
  }, 180_000);
});
