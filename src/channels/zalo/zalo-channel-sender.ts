/**
 * Sends replies and notifications to a Zalo citizen, and tells the caller in plain values
 * what happened: delivered, try again later, or "outside the 7-day window" (the
 * notification outbox then holds the message until the citizen writes again).
 *
 * Why retries here as well as in the outbox: Zalo's rate limit (-32) and network blips
 * are short, and the webhook's replies have no outbox behind them; a few quick attempts
 * per part avoid both a lost reply and a resent earlier part. Token errors are the
 * client's business (it refreshes and retries once); when they persist, it is "retry".
 */
import type { ChannelSender, ChannelSendResult } from '../channel-sender';
import type { ContentSource } from '../../core/bot-content';
import type { ConversationStore } from '../../core/conversation-store';
import type { Locale, OutgoingMessage } from '../../core/messages';
import { conversationKey } from '../../core/messages';
import type { Logger } from '../../infra/logger';
import { silentLogger } from '../../infra/logger';
import { isOutsideWindow, isRateLimited, isTokenError, ZaloNetworkError, type ZaloClient } from './zalo-client';
import type { ZaloMenuStore } from './zalo-menu-store';
import { renderForZalo } from './zalo-renderer';
import { ZaloTokenError } from './zalo-token-manager';

/** The part of ZaloClient the sender uses (a fake in unit tests). */
export type ZaloMessagingClient = Pick<ZaloClient, 'sendText' | 'sendTemplate'>;

export interface ZaloChannelSenderOptions {
  readonly client: ZaloMessagingClient;
  readonly content: ContentSource;
  readonly menus: ZaloMenuStore;
  /** Where the citizen's language is read from for notifications (default Vietnamese). */
  readonly conversations?: Pick<ConversationStore, 'get'>;
  /** ZALO_TEMPLATE_ID: an approved template to reach citizens outside the 7-day window. */
  readonly templateId?: string;
  /** Attempts per part on rate limit or network failure; default 3. */
  readonly maxAttempts?: number;
  /** First back-off delay, doubled per attempt; default 500 ms. */
  readonly retryDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly logger?: Logger;
}

type Failure = Extract<ChannelSendResult, { ok: false }>;

const RATE_LIMIT_RETRY_AFTER_MS = 60_000;
const TOKEN_RETRY_AFTER_MS = 5 * 60_000;

export class ZaloChannelSender implements ChannelSender {
  readonly channel = 'zalo' as const;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly logger: Logger;

  constructor(private readonly options: ZaloChannelSenderOptions) {
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    this.retryDelayMs = options.retryDelayMs ?? 500;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.logger = options.logger ?? silentLogger();
  }

  /** Notifications from the outbox: rendered in the citizen's stored language. */
  async send(userId: string, messages: readonly OutgoingMessage[]): Promise<ChannelSendResult> {
    const state = await this.options.conversations?.get(conversationKey('zalo', userId)).catch(() => undefined);
    return this.sendReply(userId, messages, state?.locale ?? 'vi');
  }

  /** Renders (numbered menu, 2,000-character parts), sends in order, then remembers the menu. */
  async sendReply(userId: string, messages: readonly OutgoingMessage[], locale: Locale): Promise<ChannelSendResult> {
    const rendered = renderForZalo(messages, locale, this.options.content.current());
    for (const [index, part] of rendered.parts.entries()) {
      const failure = await this.sendPart(userId, part);
      if (failure) {
        this.logger.warn(
          { channel: 'zalo', kind: failure.kind, part: index, parts: rendered.parts.length, error: failure.error },
          'zalo send failed',
        );
        return failure;
      }
    }
    await this.options.menus.set(userId, rendered.menu);
    return { ok: true };
  }

  /**
   * Reaches a citizen outside the 7-day window with the approved template (billed), when
   * one is configured. `kind` and `data` become the template's parameters.
   */
  async sendHeldFallback(userId: string, kind: string, data: Readonly<Record<string, string | number>> = {}): Promise<ChannelSendResult> {
    const templateId = this.options.templateId;
    if (!templateId) return { ok: false, kind: 'permanent', error: 'no Zalo template configured (ZALO_TEMPLATE_ID)' };
    return this.withRetries(async () => {
      await this.options.client.sendTemplate(userId, templateId, { kind, ...data });
    });
  }

  private sendPart(userId: string, text: string): Promise<Failure | undefined> {
    return this.withRetries(async () => {
      await this.options.client.sendText(userId, text);
    }).then((result) => (result.ok ? undefined : result));
  }

  private async withRetries(call: () => Promise<void>): Promise<ChannelSendResult> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await call();
        return { ok: true };
      } catch (error) {
        const failure = classify(error);
        const transient = isRateLimited(error) || error instanceof ZaloNetworkError;
        if (!transient || attempt >= this.maxAttempts) return failure;
        await this.sleep(this.retryDelayMs * 2 ** (attempt - 1) * (isRateLimited(error) ? 4 : 1));
      }
    }
  }
}

/** Maps a client error to what the outbox should do. Error texts carry no message text or ids. */
export function classify(error: unknown): Failure {
  const message = error instanceof Error ? error.message : String(error);
  if (isOutsideWindow(error)) return { ok: false, kind: 'outside_window', error: message };
  if (isRateLimited(error)) return { ok: false, kind: 'retry', error: message, retryAfterMs: RATE_LIMIT_RETRY_AFTER_MS };
  if (error instanceof ZaloNetworkError) return { ok: false, kind: 'retry', error: message };
  if (isTokenError(error) || error instanceof ZaloTokenError) {
    return { ok: false, kind: 'retry', error: message, retryAfterMs: TOKEN_RETRY_AFTER_MS };
  }
  // Any other API error (-201 a rejected parameter…) or a programming error: retrying cannot help.
  return { ok: false, kind: 'permanent', error: message };
}
