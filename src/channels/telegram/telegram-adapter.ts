/**
 * The Telegram channel: the one place that builds a telegraf bot. telegraf is used for
 * what it is good at — the Bot API client (`telegram: { apiRoot }`, so a self-hosted Bot API
 * server or a test fake can stand in for Telegram) and the long-polling loop — while the
 * handling of updates is ours: parse (telegram-updates), record once, then citizens'
 * private chats go to the {@link ConversationEngine} and agencies' groups to the officers'
 * desk. Everything the bot sends goes through one {@link TelegramSendQueue}.
 *
 * Each update is handled once. Its id is recorded (`telegram:<update_id>`, a unique insert
 * in processed_messages) BEFORE it is handled, and a redelivery is acknowledged and
 * ignored. Why before, not after: recording after handling would let two deliveries of one
 * update (a webhook retry racing a slow first attempt, two instances) both run — an answer
 * relayed twice to a citizen, a complaint flow fed the same text twice and thrown a step
 * out. Recording first turns the worst case into a lost reply (a crash between the insert
 * and the send), which the citizen notices and repeats. In webhook mode the insert is done
 * before Telegram gets its 200, so a database failure answers 503 and Telegram redelivers.
 *
 * Updates of one chat are handled one at a time, in arrival order (a per-chat mutex joined
 * synchronously on arrival); replies are queued, not awaited, so a chat's 1 s spacing never
 * slows the handling of other chats.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Telegraf } from 'telegraf';
import type { ChannelSender } from '../channel-sender';
import type { ContentSource } from '../../core/bot-content';
import { KeyedMutex } from '../../core/keyed-mutex';
import type { IncomingMessage, Reply } from '../../core/messages';
import type { ComplaintService } from '../../complaints/complaint-service';
import type { Directory } from '../../complaints/directory/directory';
import type { Logger } from '../../infra/logger';
import { silentLogger } from '../../infra/logger';
import { TelegrafApi, type TelegramApi } from './telegram-api';
import { classifyTelegramError } from './telegram-errors';
import { TelegramOfficerDesk } from './telegram-officer';
import { TelegramPhotoFetcher } from './telegram-photo-fetcher';
import { NumberedMenus } from './telegram-render';
import { TelegramChannelSender, TelegramReplySender } from './telegram-replies';
import { TelegramSendQueue, type SendQueueOptions } from './telegram-send-queue';
import type { ProcessedUpdates, TelegramCardStore } from './telegram-store';
import { TelegramTransport, type TelegramTransportDeps } from './telegram-transport';
import { parseUpdate, updateIdOf, type TelegramEvent } from './telegram-updates';

export const DEFAULT_API_ROOT = 'https://api.telegram.org';
export const WEBHOOK_PATH = '/telegram/webhook';
/** The update kinds this bot asks Telegram for. */
export const ALLOWED_UPDATES = ['message', 'callback_query'] as const;
const MENU_HINT_KEY = 'fallback.menu_hint';
/** Said to a citizen when handling their message failed, if the locale files have it. */
const ERROR_TEXT_KEY = 'system.error';

export interface TelegramChannelConfig {
  /** TELEGRAM_BOT_TOKEN. */
  readonly token: string;
  /** TELEGRAM_API_ROOT (default https://api.telegram.org). */
  readonly apiRoot?: string;
  /** TELEGRAM_MODE. */
  readonly mode: 'polling' | 'webhook';
  /** TELEGRAM_WEBHOOK_SECRET: required in webhook mode, checked on every POST. */
  readonly webhookSecret?: string;
  /** PUBLIC_URL: in webhook mode, `setWebhook(PUBLIC_URL + /telegram/webhook)` on start. */
  readonly publicUrl?: string;
  /** Flood-limit and retry settings of the send queue (defaults are Telegram's limits). */
  readonly sendQueue?: Omit<SendQueueOptions, 'classify' | 'logger'>;
}

/** What the core answers a message with (ConversationEngine satisfies it). */
export interface MessageHandler {
  handle(message: IncomingMessage): Promise<Reply>;
}

export interface TelegramChannelDeps {
  readonly engine: MessageHandler;
  readonly content: ContentSource;
  readonly complaints: ComplaintService;
  readonly directory: () => Directory;
  /** `MongoTelegramStore.open(db)`. */
  readonly store: ProcessedUpdates & TelegramCardStore;
  readonly loadPhoto: TelegramTransportDeps['loadPhoto'];
  readonly logger?: Logger;
}

/** The answer to a webhook POST. */
export interface WebhookResponse {
  readonly status: number;
  readonly body?: { readonly ok: boolean; readonly error?: string };
}

/** Everything the composition root wires: the bot, and the pieces other modules use. */
export interface TelegramChannel {
  readonly bot: TelegramBot;
  /** For the notification outbox. */
  readonly channelSender: ChannelSender;
  /** For the delivery outbox (transport kind `telegram`). */
  readonly transport: TelegramTransport;
  /** For the complaint service's `photoFetchers.telegram`. */
  readonly photoFetcher: TelegramPhotoFetcher;
  readonly queue: TelegramSendQueue;
}

/** Builds the telegraf client, the send queue and every Telegram piece on them. */
export function createTelegramChannel(config: TelegramChannelConfig, deps: TelegramChannelDeps): TelegramChannel {
  const logger = (deps.logger ?? silentLogger()).child({ channel: 'telegram' });
  const telegraf = new Telegraf(config.token, { telegram: { apiRoot: config.apiRoot ?? DEFAULT_API_ROOT, webhookReply: false } });
  const queue = new TelegramSendQueue({ ...config.sendQueue, classify: classifyTelegramError, logger });
  const api = new TelegrafApi(telegraf.telegram, queue, logger);
  const replies = new TelegramReplySender(api, new NumberedMenus());
  const officers = new TelegramOfficerDesk({ api, complaints: deps.complaints, cards: deps.store, directory: deps.directory, logger });
  const bot = new TelegramBot(telegraf, {
    ...config,
    api,
    queue,
    replies,
    officers,
    engine: deps.engine,
    content: deps.content,
    processed: deps.store,
    logger,
  });
  return {
    bot,
    channelSender: new TelegramChannelSender(replies),
    transport: new TelegramTransport({ api, cards: deps.store, loadPhoto: deps.loadPhoto, logger }),
    photoFetcher: new TelegramPhotoFetcher(api, { logger }),
    queue,
  };
}

interface BotParts {
  readonly mode: 'polling' | 'webhook';
  readonly webhookSecret?: string;
  readonly publicUrl?: string;
  readonly api: TelegramApi;
  readonly queue: TelegramSendQueue;
  readonly replies: TelegramReplySender;
  readonly officers: TelegramOfficerDesk;
  readonly engine: MessageHandler;
  readonly content: ContentSource;
  readonly processed: ProcessedUpdates;
  readonly logger: Logger;
}

/** Receives updates (long polling or webhook), records each once and dispatches it. */
export class TelegramBot {
  private readonly mutex = new KeyedMutex();
  private readonly inflight = new Set<Promise<void>>();
  private readonly secretDigest?: Buffer;
  private polling?: Promise<void>;
  private started = false;

  constructor(
    private readonly telegraf: Telegraf,
    private readonly parts: BotParts,
  ) {
    if (parts.webhookSecret) this.secretDigest = digest(parts.webhookSecret);
    telegraf.use((ctx) => this.processUpdate(ctx.update));
    telegraf.catch((error) => parts.logger.error({ err: describe(error) }, 'telegram update handler failed'));
  }

  /**
   * Checks the token (getMe), then either starts long polling or, in webhook mode, registers
   * the webhook with its secret when a public URL is configured.
   */
  async start(): Promise<void> {
    if (this.started) return;
    const { logger } = this.parts;
    const me = await this.telegraf.telegram.getMe();
    this.telegraf.botInfo = me;
    this.started = true;
    if (this.parts.mode === 'polling') {
      this.polling = this.telegraf
        .launch({ allowedUpdates: [...ALLOWED_UPDATES], dropPendingUpdates: false })
        .catch((error: unknown) => logger.error({ err: describe(error) }, 'telegram long polling stopped with an error'));
      logger.info({ bot: me.username, mode: 'polling' }, 'telegram bot started');
      return;
    }
    if (!this.secretDigest) throw new Error('TELEGRAM_WEBHOOK_SECRET is required in webhook mode');
    if (this.parts.publicUrl) {
      const url = new URL(WEBHOOK_PATH, this.parts.publicUrl).toString();
      await this.telegraf.telegram.setWebhook(url, {
        secret_token: this.parts.webhookSecret,
        allowed_updates: [...ALLOWED_UPDATES],
        drop_pending_updates: false,
      });
      logger.info({ bot: me.username, mode: 'webhook', url }, 'telegram webhook set');
    } else {
      logger.warn({ bot: me.username, mode: 'webhook' }, 'no public URL configured: the webhook was not registered with Telegram');
    }
  }

  /** Stops polling, waits for updates being handled, then drains the send queue (bounded). */
  async stop(drainTimeoutMs = 5000): Promise<void> {
    if (this.polling) {
      try {
        this.telegraf.stop('shutdown');
      } catch {
        // launch() had not started polling yet, or polling already ended on an error.
      }
      await this.polling;
      this.polling = undefined;
    }
    await Promise.allSettled([...this.inflight]);
    await this.parts.queue.stop(drainTimeoutMs);
    this.started = false;
  }

  /** True if `header` is the configured webhook secret (constant time, whatever the length). */
  checkSecret(header: string | undefined): boolean {
    if (!this.secretDigest || typeof header !== 'string' || header.length === 0) return false;
    return timingSafeEqual(this.secretDigest, digest(header));
  }

  /**
   * One webhook POST: 401 unless the secret header matches (nothing is processed), 400 for
   * a body that is not an update, 503 when the update cannot be recorded (Telegram will
   * redeliver), else 200 at once — the update is handled after the answer.
   */
  async handleWebhook(body: unknown, secretHeader: string | undefined): Promise<WebhookResponse> {
    if (!this.checkSecret(secretHeader)) return { status: 401, body: { ok: false, error: 'unauthorized' } };
    if (updateIdOf(body) === undefined) return { status: 400, body: { ok: false, error: 'not a Telegram update' } };
    const { recorded } = this.accept(body);
    try {
      await recorded;
    } catch {
      return { status: 503, body: { ok: false, error: 'storage unavailable' } };
    }
    return { status: 200, body: { ok: true } };
  }

  /** Handles one update (the polling path): resolves when it was handled and its replies queued. */
  async processUpdate(update: unknown): Promise<void> {
    if (updateIdOf(update) === undefined) return;
    await this.accept(update).handled;
  }

  /** Resolves once everything received so far has been handled (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  /**
   * Starts recording the update (`recorded`: true if first seen, rejects on a storage error)
   * and queues its handling behind the same chat's earlier updates (`handled`).
   */
  private accept(update: unknown): { recorded: Promise<boolean>; handled: Promise<void> } {
    const event = parseUpdate(update);
    const recorded = this.parts.processed.firstSeen(event.updateId);
    // Handled below, maybe only after earlier updates of the chat: mark it handled now so a
    // storage error is not an unhandled rejection in the meantime.
    recorded.catch(() => undefined);
    const key = event.chatId !== undefined ? `chat:${event.chatId}` : `update:${event.updateId}`;
    const handled = this.mutex
      .run(key, async () => {
        const first = await recorded.catch((error: unknown) => {
          this.parts.logger.error({ updateId: event.updateId, err: describe(error) }, 'telegram update could not be recorded');
          return false;
        });
        if (!first) {
          this.parts.logger.debug({ updateId: event.updateId }, 'telegram update already handled: ignored');
          return;
        }
        await this.dispatch(event);
      })
      .catch((error: unknown) =>
        this.parts.logger.error({ updateId: event.updateId, kind: event.kind, err: describe(error) }, 'telegram update failed'),
      );
    this.inflight.add(handled);
    void handled.finally(() => this.inflight.delete(handled));
    return { recorded, handled };
  }

  private async dispatch(event: TelegramEvent): Promise<void> {
    switch (event.kind) {
      case 'citizen_message':
      case 'citizen_button':
        return this.handleCitizen(event);
      case 'group_button':
        return this.parts.officers.handleButton(event);
      case 'group_reply':
        return this.parts.officers.handleReply(event);
      case 'ignored':
        if (event.callbackId) await this.parts.api.answerCallback(event.callbackId);
        this.parts.logger.debug({ updateId: event.updateId, reason: event.reason }, 'telegram update ignored');
        return;
    }
  }

  private async handleCitizen(event: Extract<TelegramEvent, { kind: 'citizen_message' | 'citizen_button' }>): Promise<void> {
    if (event.kind === 'citizen_button') await this.parts.api.answerCallback(event.callbackId);
    const typed = event.kind === 'citizen_button' ? event.data : event.text;
    const text = this.parts.replies.resolveNumber(event.chatId, typed) ?? typed;
    const attachments = event.kind === 'citizen_message' && event.attachments.length ? { attachments: event.attachments } : {};
    const message: IncomingMessage = {
      channel: 'telegram',
      userId: String(event.userId),
      messageId: String(event.updateId),
      text,
      ...attachments,
    };
    let reply: Reply;
    try {
      reply = await this.parts.engine.handle(message);
    } catch (error) {
      this.parts.logger.error({ updateId: event.updateId, chatId: event.chatId, err: describe(error) }, 'conversation engine failed');
      this.sendErrorNotice(event.chatId);
      return;
    }
    const translator = this.parts.content.current().translator;
    const hint = translator.has(MENU_HINT_KEY) ? translator.t(reply.locale, MENU_HINT_KEY) : '';
    void this.parts.replies.send(event.chatId, reply.messages, hint).then((outcome) => {
      if (!outcome.ok)
        this.parts.logger.error({ chatId: event.chatId, intent: reply.intent, error: outcome.error }, 'telegram reply not delivered');
    });
  }

  private sendErrorNotice(chatId: number): void {
    const translator = this.parts.content.current().translator;
    if (!translator.has(ERROR_TEXT_KEY)) return;
    void this.parts.replies.send(chatId, [{ text: translator.t('vi', ERROR_TEXT_KEY) }]);
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message.replace(/bot\d+:[A-Za-z0-9_-]+/g, 'bot[REDACTED]');
  return String(error);
}
