/**
 * A Telegram citizen flooding the bot is limited by their Telegram user id (which they
 * cannot choose), through the same pipeline as every channel: the excess is dropped with
 * one polite notice, and another citizen is answered as usual.
 */
import { UserRateLimiter } from '../../src/channels/rate-limiter';
import { slowDownText } from '../../src/channels/rate-limiter';
import type { Database } from '../../src/storage/mongo/database';
import { createHarness, loadTestContent, SETUP_TIMEOUT_MS, type TelegramHarness } from '../channels/telegram/telegram-harness';
import { loadSampleDirectory } from '../complaints/sample-directory';
import { FakeTelegramServer, privateChatOf, type User } from '../fakes/telegram-bot-api';
import { dropTestDatabase, openTestDatabase } from '../support/database';

describe('Telegram per-citizen limit', () => {
  let fake: FakeTelegramServer;
  let db: Database;
  let h: TelegramHarness;
  let notice: string;

  beforeAll(async () => {
    const [content, directory] = await Promise.all([loadTestContent(), loadSampleDirectory()]);
    notice = slowDownText(content, 'vi');
    fake = new FakeTelegramServer({ rateLimits: false });
    await fake.start();
    db = await openTestDatabase('telegram_flood');
    h = await createHarness({
      fake,
      db,
      content,
      directory,
      limits: {
        citizenBurst: new UserRateLimiter({ burst: 3, refillPerSecond: 0.01 }),
        perMinute: { name: 'msg', limit: 5, windowMs: 60_000 },
      },
    });
    await h.channel.start();
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await h?.channel.stop(1000);
    await fake?.close();
    if (db) await dropTestDatabase(db);
  });

  it('drops a flood beyond the burst with one notice, and still answers another citizen', async () => {
    const flooder: User = { id: 990_001, is_bot: false, first_name: 'Flood' };
    const other: User = { id: 990_002, is_bot: false, first_name: 'Other' };
    for (let i = 0; i < 12; i++) fake.userSendsText(flooder, privateChatOf(flooder), `xin chào ${i}`);
    fake.userSendsText(other, privateChatOf(other), 'cho tôi xin số đường dây nóng');
    await fake.waitForMessages(other.id, 1, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const handled = h.seen.filter((m) => m.userId === String(flooder.id));
    expect(handled).toHaveLength(3);
    const toFlooder = await fake.waitForMessages(flooder.id, 4, 5000);
    expect(toFlooder.filter((m) => m.text === notice)).toHaveLength(1);
  }, 60_000);
});
