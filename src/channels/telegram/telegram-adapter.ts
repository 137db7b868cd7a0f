/**
 * The Telegram channel: the one place that builds a telegraf bot. telegraf is the
 * framework: its Bot API client (`telegram: { apiRoot }`, so a self-hosted Bot API server
 * or a test fake can stand in for Telegram), its long-polling loop, and its update
 * handling — `handleUpdate` builds a {@link Context} whose typed accessors
 * (telegram-updates.ts) say what the update is. Every update then goes through the one
 * inbound pipeline (duplicate check on `update_id`, limits on the Telegram user id, the
 * chat's turn across processes): private chats to the conversation engine, agencies'
 * groups to the officers' desk. Everything the bot sends goes through one
 * {@link TelegramSendQueue}.
 *
 * Each update is handled once: its id is recorded (`in:telegram:<update_id>`, a unique
 * insert, in the same round trip as the chat's ticket, which keeps the update itself until
 * its turn is over) before it is handled, and a redelivery is acknowledged and ignored. In
 * webhook mode this is done before Telegram gets its 200, so a database failure answers
 * 503 and Telegram redelivers, and an update answered 200 is handled even if the process
 * dies right after (the durable inbox, pipeline/durable-inbox.ts); the worst case left is a
 * reply queued but not sent when the process died. Replies are queued, not awaited, so a chat's 1 s spacing never slows
 * the handling of other chats.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Context, Telegraf, TelegramError } from 'telegraf';
import type { Update } from 'telegraf/types';
import type { Channel, ChannelContext } from '../channel';
import type { ChannelSender } from '../channel-sender';
import type { ContentSource } from '../../core/bot-content';
import type { Directory } from '../../complaints/directory/directory';
import type { Logger } from '../../infra/logger';
import { silentLogger } from '../../infra/logger';
import type { Pseudonymize } from '../../infra/pseudonyms';
import type { Admission, Converse, InboundMessage, InboundPipeline, InboundTask } from '../pipeline/inbound-pipeline';
import { slowDownText } from '../rate-limiter';
import { TelegrafApi } from './telegram-api';
import { classifyTelegramError } from './telegram-errors';
import { TelegramOfficerDesk } from './telegram-officer';
import { TelegramPhotoFetcher } from './telegram-photo-fetcher';
import { NumberedMenus } from './telegram-render';
import { TelegramChannelSender, TelegramReplySender } from './telegram-replies';
import { TelegramSendQueue, type SendQueueOptions } from './telegram-send-queue';
import type { TelegramCardStore } from './telegram-store';
import { TelegramTransport, type TelegramTransportDeps } from './telegram-transport';
import { eventOf, updateIdOf, type TelegramEvent } from './telegram-updates';
import { telegramWebhookRoutes, WEBHOOK_PATH } from './telegram-webhook-routes';

export const DEFAULT_API_ROOT = 'https://api.telegram.org';
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
  readonly sendQueue?: Omit<SendQueueOptions, 'classify' | 'logger' | 'chatLabel'>;
}

export interface TelegramChannelDeps {
  readonly content: ContentSource;
  readonly directory: () => Directory;
  /** `MongoTelegramStore.open(db)`. */
  readonly store: TelegramCardStore;
  readonly loadPhoto: TelegramTransportDeps['loadPhoto'];
  /** Keyed hash for chat and user ids in logs. */
  readonly pseudonymize: Pseudonymize;
  /** Counts webhook refusals (metrics). */
  readonly onRejected?: (reason: string) => void;
  readonly logger?: Logger;
}

/** The answer to a webhook POST. */
export interface WebhookResponse {
  readonly status: number;
  readonly body?: { readonly ok: boolean; readonly error?: string };
}

/** The Telegram channel: its senders at once, its inbound side once attached to the pipeline. */
export class TelegramChannel implements Channel {
  readonly name = 'telegram' as const;
  readonly sender: ChannelSender;
  readonly transport: TelegramTransport;
  readonly photoFetcher: TelegramPhotoFetcher;
  readonly queue: TelegramSendQueue;
  private readonly telegraf: Telegraf;
  private readonly replies: TelegramReplySender;
  private officers?: TelegramOfficerDesk;
  private readonly api: TelegrafApi;
  private readonly logger: Logger;
  private readonly secretDigest?: Buffer;
  /** The pipeline's admission of each update being handled, for the webhook's answer. */
  private readonly admissions = new WeakMap<object, Promise<Admission>>();
  private readonly inflight = new Set<Promise<unknown>>();
  private inbound?: InboundPipeline;
  private polling?: Promise<void>;
  private started = false;

  constructor(
    private readonly config: TelegramChannelConfig,
    private readonly deps: TelegramChannelDeps,
  ) {
    this.logger = (deps.logger ?? silentLogger()).child({ channel: 'telegram' });
    const chatLabel = (chat: string | number): string => deps.pseudonymize(`telegram:${chat}`);
    this.telegraf = new Telegraf(config.token, { telegram: { apiRoot: config.apiRoot ?? DEFAULT_API_ROOT, webhookReply: false } });
    this.queue = new TelegramSendQueue({ ...config.sendQueue, classify: classifyTelegramError, chatLabel, logger: this.logger });
    this.api = new TelegrafApi(this.telegraf.telegram, this.queue, this.logger);
    this.replies = new TelegramReplySender(this.api, new NumberedMenus());
    this.sender = new TelegramChannelSender(this.replies);
    this.transport = new TelegramTransport({ api: this.api, cards: deps.store, loadPhoto: deps.loadPhoto, chatLabel, logger: this.logger });
    this.photoFetcher = new TelegramPhotoFetcher(this.api, { logger: this.logger });
    if (config.webhookSecret) this.secretDigest = digest(config.webhookSecret);
    this.telegraf.use((ctx) => this.receive(ctx));
    // Never telegraf's default handler: it prints the whole update (texts, ids) to stderr.
    this.telegraf.catch((error) => this.logger.error({ err: describe(error) }, 'telegram update handler failed'));
  }

  async attach({ inbound, http, complaints }: ChannelContext): Promise<void> {
    this.officers = new TelegramOfficerDesk({
      api: this.api,
      complaints,
      cards: this.deps.store,
      directory: this.deps.directory,
      idLabel: (id) => this.deps.pseudonymize(`telegram:${id}`),
      logger: this.logger,
    });
    this.inbound = inbound;
    // An update stored before its 200 and left unhandled by a crash comes back here (durable-inbox.ts).
    inbound.onRecover('telegram', (data) =>
      updateIdOf(data) === undefined ? undefined : this.taskFor(eventOf(this.contextOf(data as Update)), data),
    );
    if (this.config.mode === 'webhook')
      await http.register(telegramWebhookRoutes, {
        bot: this,
        logger: this.logger,
        ...(this.deps.onRejected ? { onRejected: this.deps.onRejected } : {}),
      });
  }

  /**
   * Checks the token (getMe), then either starts long polling or, in webhook mode, registers
   * the webhook with its secret when a public URL is configured.
   */
  async start(): Promise<void> {
    if (this.started) return;
    const me = await this.telegraf.telegram.getMe();
    this.telegraf.botInfo = me;
    this.started = true;
    if (this.config.mode === 'polling') {
      this.polling = this.telegraf
        .launch({ allowedUpdates: [...ALLOWED_UPDATES], dropPendingUpdates: false })
        .catch((error: unknown) => this.logger.error({ err: describe(error) }, 'telegram long polling stopped with an error'));
      this.logger.info({ bot: me.username, mode: 'polling' }, 'telegram bot started');
      return;
    }
    if (!this.secretDigest) throw new Error('TELEGRAM_WEBHOOK_SECRET is required in webhook mode');
    if (this.config.publicUrl) {
      const url = new URL(WEBHOOK_PATH, this.config.publicUrl).toString();
      await this.telegraf.telegram.setWebhook(url, {
        secret_token: this.config.webhookSecret,
        allowed_updates: [...ALLOWED_UPDATES],
        drop_pending_updates: false,
      });
      this.logger.info({ bot: me.username, mode: 'webhook', url }, 'telegram webhook set');
    } else {
      this.logger.warn({ bot: me.username, mode: 'webhook' }, 'no public URL configured: the webhook was not registered with Telegram');
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
    await this.idle();
    await this.queue.stop(drainTimeoutMs);
    this.started = false;
  }

  /** True if `header` is the configured webhook secret (constant time, whatever the length). */
  checkSecret(header: string | undefined): boolean {
    if (!this.secretDigest || typeof header !== 'string' || header.length === 0) return false;
    return timingSafeEqual(this.secretDigest, digest(header));
  }

  /**
   * One webhook POST whose secret was checked: 400 for a body that is not an update, 503
   * when it cannot be recorded or the service is saturated (Telegram redelivers), else 200
   * at once — the update is handled after the answer.
   */
  async handleWebhook(body: unknown): Promise<WebhookResponse> {
    if (updateIdOf(body) === undefined) return { status: 400, body: { ok: false, error: 'not a Telegram update' } };
    const update = body as Update;
    await this.telegraf.handleUpdate(update);
    const admission = this.admissions.get(update);
    if (!admission) return { status: 200, body: { ok: true } };
    try {
      const result = await admission;
      if (result.kind === 'busy') return { status: 503, body: { ok: false, error: 'busy, retry later' } };
    } catch {
      return { status: 503, body: { ok: false, error: 'storage unavailable' } };
    }
    return { status: 200, body: { ok: true } };
  }

  /** Handles one update as polling does: resolves when it was handled and its replies queued. */
  async processUpdate(update: unknown): Promise<void> {
    if (updateIdOf(update) === undefined) return;
    await this.telegraf.handleUpdate(update as Update);
    await this.idle();
  }

  /** Resolves once everything received so far has been handled (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  /** telegraf's middleware: the update's event goes to the pipeline; resolves once it is admitted. */
  private async receive(ctx: Context): Promise<void> {
    const event = eventOf(ctx);
    const task = this.taskFor(event, ctx.update);
    if (!task || !this.inbound || !this.officers) {
      if (event.kind === 'ignored' && event.callbackId) await this.api.answerCallback(event.callbackId);
      this.logger.debug(
        { updateId: event.updateId, reason: event.kind === 'ignored' ? event.reason : 'not attached' },
        'telegram update ignored',
      );
      return;
    }
    const submission = this.inbound.submit(task);
    this.admissions.set(ctx.update, submission.recorded);
    const done = submission.done.catch((error: unknown) =>
      this.logger.error({ updateId: event.updateId, kind: event.kind, err: describe(error) }, 'telegram update failed'),
    );
    this.inflight.add(done);
    void done.finally(() => this.inflight.delete(done));
    await submission.recorded.catch((error: unknown) =>
      this.logger.error({ updateId: event.updateId, err: describe(error) }, 'telegram update could not be recorded'),
    );
  }

  /** telegraf's context of a stored update, as `handleUpdate` builds it. */
  private contextOf(update: Update): Context {
    return new Context(update, this.telegraf.telegram, this.telegraf.botInfo ?? ({} as Context['botInfo']));
  }

  /** The pipeline task of an event; undefined for ignored updates. */
  private taskFor(event: TelegramEvent, durable: unknown): InboundTask<void> | undefined {
    const messageId = String(event.updateId);
    switch (event.kind) {
      case 'citizen_message':
      case 'citizen_button': {
        const userId = String(event.userId);
        const text = event.kind === 'citizen_button' ? event.data : event.text;
        const attachments = event.kind === 'citizen_message' && event.attachments.length ? { attachments: event.attachments } : {};
        return {
          message: { channel: 'telegram', userId, requesterKey: userId, messageId, text, ...attachments },
          durable,
          run: async (message, converse) => {
            if (event.kind === 'citizen_button') await this.api.answerCallback(event.callbackId);
            await this.converse(event.chatId, message, converse);
          },
          slowDown: async () => {
            void this.replies.send(event.chatId, [{ text: slowDownText(this.deps.content.current(), 'vi') }]);
          },
        };
      }
      case 'group_button':
      case 'group_reply': {
        // Officers are authorised, not rate limited; their updates still go once and in order per group.
        const group = `group:${event.chatId}`;
        const text = event.kind === 'group_reply' ? event.text : event.data;
        return {
          message: { channel: 'telegram', userId: group, requesterKey: group, messageId, text },
          limited: false,
          durable,
          run: async (message) =>
            event.kind === 'group_reply'
              ? this.officers?.handleReply({ ...event, text: message.text })
              : this.officers?.handleButton(event),
        };
      }
      case 'ignored':
        return undefined;
    }
  }

  private async converse(chatId: number, message: InboundMessage, converse: Converse): Promise<void> {
    const text = this.replies.resolveNumber(chatId, message.text) ?? message.text;
    let reply;
    try {
      reply = await converse({ ...message, text });
    } catch (error) {
      this.logger.error({ chat: this.deps.pseudonymize(`telegram:${chatId}`), err: describe(error) }, 'conversation engine failed');
      this.sendErrorNotice(chatId);
      return;
    }
    const translator = this.deps.content.current().translator;
    const hint = translator.has(MENU_HINT_KEY) ? translator.t(reply.locale, MENU_HINT_KEY) : '';
    const intent = reply.intent;
    void this.replies.send(chatId, reply.messages, hint).then((outcome) => {
      if (!outcome.ok)
        this.logger.error(
          { chat: this.deps.pseudonymize(`telegram:${chatId}`), intent, error: outcome.error },
          'telegram reply not delivered',
        );
    });
  }

  private sendErrorNotice(chatId: number): void {
    const translator = this.deps.content.current().translator;
    if (!translator.has(ERROR_TEXT_KEY)) return;
    void this.replies.send(chatId, [{ text: translator.t('vi', ERROR_TEXT_KEY) }]);
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * An error for logs: Telegram's code and description (which carry no message text), else
 * only the error's class — other messages may quote what a citizen wrote.
 */
function describe(error: unknown): string {
  if (error instanceof TelegramError) return `${error.code}: ${error.description}`;
  return error instanceof Error ? error.name : typeof error;
}
