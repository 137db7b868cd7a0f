/** What the fake Telegram and Zalo servers received, counted per person and per sliding second. */
import type { FakeTelegramServer } from '../../fakes/telegram-bot-api';
import type { FakeZaloServer } from '../../fakes/zalo-oa-server';

/** The most events in any window of `spanMs` (a platform's sliding-window limit). */
export function maxInWindow(times: number[], spanMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end] - sorted[start] >= spanMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/** Messages received per Telegram chat id and per Zalo user id, and the busiest Telegram second. */
export function receivedCounts(telegram: FakeTelegramServer, zalo: FakeZaloServer) {
  const tgSends = telegram.sent.filter((c) => c.method === 'sendMessage');
  const perChat = new Map<string, number>();
  for (const call of tgSends) {
    const chat = String(Number(call.params.chat_id));
    perChat.set(chat, (perChat.get(chat) ?? 0) + 1);
  }
  const perZalo = new Map<string, number>();
  for (const m of zalo.sent) perZalo.set(m.userId, (perZalo.get(m.userId) ?? 0) + 1);
  return {
    perChat,
    perZalo,
    busiestTelegramSecond: maxInWindow(
      tgSends.map((c) => c.at),
      1000,
    ),
  };
}
