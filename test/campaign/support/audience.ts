/** Seeds subscribers (and, for Zalo, when they last wrote) straight into the database, and a news item to send them. */
import type { Database } from '../../../src/storage/mongo/database';
import { MongoCampaignStore } from '../../../src/storage/mongo/mongo-campaign-store';
import type { FakeTelegramServer } from '../../fakes/telegram-bot-api';
import { privateChatOf } from '../../fakes/telegram-bot-api';
import type { FakeZaloServer } from '../../fakes/zalo-oa-server';

export interface SeededAudience {
  readonly telegramIds: number[];
  readonly zaloInWindow: string[];
  readonly zaloOutOfWindow: string[];
}

const DAY_MS = 24 * 3600 * 1000;

/** `telegram` Telegram subscribers, `zalo` Zalo ones of whom `zaloStale` last wrote 10 days ago; every one subscribed to 'land'. */
export async function seedAudience(
  db: Database,
  counts: { telegram: number; zalo: number; zaloStale: number },
  fakes: { telegram: FakeTelegramServer; zalo: FakeZaloServer },
): Promise<SeededAudience> {
  const now = Date.now();
  const telegramIds = Array.from({ length: counts.telegram }, (_, i) => 500_000_000 + i);
  const zaloIds = Array.from({ length: counts.zalo }, (_, i) => String(7_000_000_000_000_000_000n + BigInt(i)));
  for (const id of telegramIds) fakes.telegram.addChat(privateChatOf({ id, is_bot: false, first_name: `S${id}` }));
  const stale = new Set(zaloIds.slice(0, counts.zaloStale));
  for (const id of zaloIds) fakes.zalo.setLastInteraction(id, new Date(stale.has(id) ? now - 10 * DAY_MS : now - 3600_000));
  const subscribers = [
    ...telegramIds.map((id) => ({ _id: `telegram:${id}`, channel: 'telegram', userId: String(id) })),
    ...zaloIds.map((id) => ({ _id: `zalo:${id}`, channel: 'zalo', userId: id })),
  ].map((s, i) => ({
    ...s,
    topics: i % 3 === 0 ? ['land', 'business'] : ['land'],
    localityIds: [],
    locale: 'vi',
    subscribedAt: new Date(now),
  }));
  for (let i = 0; i < subscribers.length; i += 1000)
    await db.models.Subscriber.insertMany(subscribers.slice(i, i + 1000), { ordered: false });
  const conversations = zaloIds.map((id) => ({
    _id: `zalo:${id}`,
    locale: 'vi',
    lastSeenAt: new Date(stale.has(id) ? now - 10 * DAY_MS : now - 3600_000),
  }));
  for (let i = 0; i < conversations.length; i += 1000)
    await db.models.Conversation.insertMany(conversations.slice(i, i + 1000), { ordered: false });
  return { telegramIds, zaloInWindow: zaloIds.filter((id) => !stale.has(id)), zaloOutOfWindow: [...stale] };
}

/** Publishes a news item for the topic 'land' (as the use case does: item + broadcast). */
export async function publishLandNews(db: Database, id: string): Promise<void> {
  const store = new MongoCampaignStore(db);
  const publishedAt = new Date();
  await store.publish(
    {
      id,
      title: 'Cấp giấy chứng nhận quyền sử dụng đất trực tuyến',
      summary: 'Từ tháng này, hồ sơ đăng ký đất đai lần đầu được nộp trên Cổng dịch vụ công.',
      link: 'https://dichvucong.gov.vn/',
      topics: ['land'],
      localityIds: [],
      publishedAt,
      publishedBy: 'test',
    },
    { id: `news:${id}`, audience: { kind: 'subscribers', topics: ['land'], localityIds: [] }, createdAt: publishedAt },
  );
}
