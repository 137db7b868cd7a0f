/**
 * Sends the core's messages to a citizen's private chat — both the conversation's replies
 * and the notification outbox's messages ({@link TelegramChannelSender}) — so both render
 * the same way and share the numbered-menu memory and the send queue.
 */
import type { ChannelSender, ChannelSendResult } from '../channel-sender';
import type { OutgoingMessage } from '../../core/messages';
import type { SendOutcome } from './telegram-send-queue';
import type { TelegramApi } from './telegram-api';
import { NumberedMenus, renderOutgoing } from './telegram-render';

export class TelegramReplySender {
  constructor(
    private readonly api: TelegramApi,
    private readonly menus: NumberedMenus,
  ) {}

  /**
   * Queues every message at once (the queue keeps their order and spacing) and resolves
   * when all are sent or failed; the worst outcome is returned (permanent > retry > ok).
   */
  async send(chatId: number, messages: readonly OutgoingMessage[], menuHint = ''): Promise<SendOutcome<unknown>> {
    const rendered = messages.flatMap((m) => renderOutgoing(m, menuHint));
    const lastMenu = [...rendered].reverse().find((r) => r.keyboard || r.numberedPayloads);
    this.menus.remember(chatId, lastMenu?.numberedPayloads);
    const outcomes = await Promise.all(rendered.map((r) => this.api.sendText(chatId, r.text, r.keyboard ? { keyboard: r.keyboard } : {})));
    return worst(outcomes);
  }

  /** The payload a typed number stands for, when the last menu in the chat was numbered. */
  resolveNumber(chatId: number, text: string): string | undefined {
    return this.menus.resolve(chatId, text);
  }
}

function worst(outcomes: readonly SendOutcome<unknown>[]): SendOutcome<unknown> {
  return outcomes.find((o) => !o.ok && o.kind === 'permanent') ?? outcomes.find((o) => !o.ok) ?? { ok: true, value: undefined };
}

/**
 * The notification outbox's way to reach a Telegram citizen. Telegram has no messaging
 * window, so `outside_window` is never returned; a chat that refuses (403 "bot was blocked
 * by the user", 400 "chat not found") is `permanent`; everything else is `retry`.
 */
export class TelegramChannelSender implements ChannelSender {
  readonly channel = 'telegram' as const;

  constructor(private readonly replies: TelegramReplySender) {}

  async send(userId: string, messages: readonly OutgoingMessage[]): Promise<ChannelSendResult> {
    if (!/^\d{1,16}$/.test(userId)) return { ok: false, kind: 'permanent', error: 'not a Telegram user id' };
    if (messages.length === 0) return { ok: true };
    const outcome = await this.replies.send(Number(userId), messages);
    if (outcome.ok) return { ok: true };
    const result = { ok: false as const, kind: outcome.kind, error: outcome.error };
    return outcome.retryAfterMs !== undefined ? { ...result, retryAfterMs: outcome.retryAfterMs } : result;
  }
}
