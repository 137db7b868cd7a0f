/**
 * Every message the bot sends to Telegram goes through this queue, so that Telegram's flood
 * limits (about 1 message/s per private chat, 20/min per group, 30/s per bot) are kept
 * *before* Telegram has to say 429, and so that a 429, a 5xx or a network failure delays a
 * message instead of losing it.
 *
 * The scheduling is bottleneck's (the library grammY's throttler is built on): one limiter
 * per chat — private chats spaced by `privateSpacingMs`, groups with a reservoir of
 * `groupPerMinute` a minute — each chained to one bot-wide limiter with a reservoir of
 * `globalPerSecond` a second. A chat's limiter runs one job at a time, and a job retries
 * inside itself (waiting `retry_after` on a 429, backing off on a 5xx or a network error),
 * so a retried first message can never be overtaken by the second; a slow chat does not
 * hold up the others.
 *
 * The queue never throws for a send problem: `enqueue` resolves with a {@link SendOutcome}.
 * Retries are bounded; a message that still fails is reported as `retry` (the outbox keeps
 * it and tries later) and logged with a hashed chat id only, never the text.
 */
import Bottleneck from 'bottleneck';
import type { Logger } from '../../infra/logger';
import { silentLogger } from '../../infra/logger';

/** Result of one queued call. `retry` = temporary failure after bounded retries; `permanent` = the chat refuses. */
export type SendOutcome<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false;
      readonly kind: 'retry' | 'permanent';
      readonly error: string;
      readonly code?: number;
      readonly retryAfterMs?: number;
    };

/** What to do with an error thrown by a call, decided by {@link SendQueueOptions.classify}. */
export type ErrorDecision =
  /** Telegram said 429: wait this long, then try the same message again. */
  | { readonly action: 'rate_limited'; readonly retryAfterMs: number; readonly code?: number; readonly error: string }
  /** A 5xx or a network failure: try again after an exponential backoff. */
  | { readonly action: 'backoff'; readonly code?: number; readonly error: string }
  /** No use retrying now. */
  | { readonly action: 'fail'; readonly kind: 'retry' | 'permanent'; readonly code?: number; readonly error: string };

export interface SendQueueOptions {
  /** Decides how to handle an error of a call (see telegram-errors.ts for Telegram's). */
  readonly classify: (error: unknown) => ErrorDecision;
  /** Minimum gap between two messages to one private chat (Telegram: ~1 message/s). */
  readonly privateSpacingMs?: number;
  /** Messages per minute to one group or channel (Telegram: 20). */
  readonly groupPerMinute?: number;
  /** Messages per second over all chats (Telegram: ~30). */
  readonly globalPerSecond?: number;
  /** Retries of one message after 5xx/network errors before it is reported as failed. */
  readonly maxRetries?: number;
  /** Retries of one message after 429 answers before it is reported as failed. */
  readonly maxRateLimitRetries?: number;
  readonly baseBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Turns a chat id into what logs may carry (a keyed hash). */
  readonly chatLabel?: (chatId: string) => string;
  readonly logger?: Logger;
}

/**
 * Telegram chat ids of private chats are the (positive) user ids; groups, supergroups and
 * channels have negative ids. That is all the queue needs to pick the limit.
 */
export function isPrivateChatId(chatId: string | number): boolean {
  return !String(chatId).trim().startsWith('-');
}

const STOPPED: SendOutcome<never> = { ok: false, kind: 'retry', error: 'send queue stopped' };

export class TelegramSendQueue {
  private readonly global: Bottleneck;
  private readonly privateChats: Bottleneck.Group;
  private readonly groupChats: Bottleneck.Group;
  private readonly logger: Logger;
  private readonly chatLabel: (chatId: string) => string;
  private pending = 0;
  private stopped = false;
  private readonly idleWaiters = new Set<() => void>();

  constructor(private readonly options: SendQueueOptions) {
    this.logger = options.logger ?? silentLogger();
    this.chatLabel = options.chatLabel ?? (() => 'chat');
    const perSecond = options.globalPerSecond ?? 30;
    const perMinute = options.groupPerMinute ?? 20;
    this.global = new Bottleneck({ reservoir: perSecond, reservoirRefreshAmount: perSecond, reservoirRefreshInterval: 1000 });
    // One job at a time per private chat; the job itself keeps the slot until the spacing has
    // passed since it started (measured where the call runs, so a busy event loop cannot shrink it).
    this.privateChats = new Bottleneck.Group({ maxConcurrent: 1 });
    this.groupChats = new Bottleneck.Group({
      maxConcurrent: 1,
      reservoir: perMinute,
      reservoirRefreshAmount: perMinute,
      reservoirRefreshInterval: 60_000,
    });
    for (const group of [this.privateChats, this.groupChats]) group.on('created', (limiter) => limiter.chain(this.global));
  }

  /**
   * Queues `call` (one Bot API send to `chatId`) behind the chat's earlier messages and
   * resolves when it was sent, or finally failed. Never rejects.
   */
  async enqueue<T>(chatId: string | number, call: () => Promise<T>): Promise<SendOutcome<T>> {
    if (this.stopped) return STOPPED;
    const chat = String(chatId);
    const isPrivate = isPrivateChatId(chat);
    const limiter = (isPrivate ? this.privateChats : this.groupChats).key(chat);
    const spacingMs = isPrivate ? (this.options.privateSpacingMs ?? 1000) : 0;
    this.pending += 1;
    try {
      let outcome: SendOutcome<T> | undefined;
      const settled = new Promise<SendOutcome<T>>((resolve, reject) => {
        limiter
          .schedule(async () => {
            const started = Date.now();
            outcome = await this.attempt(chat, call);
            resolve(outcome);
            const rest = spacingMs - (Date.now() - started);
            if (rest > 0) await new Promise((wait) => setTimeout(wait, rest));
          })
          .catch(reject);
      });
      return await settled;
    } catch {
      // bottleneck rejects the jobs it drops when stopped.
      return STOPPED;
    } finally {
      this.pending -= 1;
      if (this.pending === 0) for (const waiter of [...this.idleWaiters]) waiter();
    }
  }

  /** Messages waiting or being sent. */
  get size(): number {
    return this.pending;
  }

  /** Resolves once nothing is queued (or after `timeoutMs`, whichever comes first). */
  async drain(timeoutMs: number): Promise<boolean> {
    if (this.pending === 0) return true;
    return new Promise<boolean>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.idleWaiters.delete(done);
        resolve(this.pending === 0);
      };
      const timer = setTimeout(done, timeoutMs);
      this.idleWaiters.add(done);
    });
  }

  /** Waits up to `drainTimeoutMs` for queued messages, then reports those still waiting as `retry`. */
  async stop(drainTimeoutMs = 5000): Promise<void> {
    await this.drain(drainTimeoutMs);
    this.stopped = true;
    const limiters = [...this.privateChats.limiters(), ...this.groupChats.limiters()].map((l) => l.limiter);
    if (this.pending > 0) this.logger.error({ unsent: this.pending }, 'telegram send queue stopped with messages unsent');
    await Promise.all([...limiters, this.global].map((l) => l.stop({ dropWaitingJobs: true }).catch(() => undefined)));
  }

  /** One message: the call, retried while the failure is temporary and the budget lasts. */
  private async attempt<T>(chat: string, call: () => Promise<T>): Promise<SendOutcome<T>> {
    let retries = 0;
    let rateLimitRetries = 0;
    for (;;) {
      try {
        return { ok: true, value: await call() };
      } catch (error) {
        const decision = this.options.classify(error);
        if (decision.action === 'fail') return { ok: false, kind: decision.kind, error: decision.error, code: decision.code };
        const rateLimited = decision.action === 'rate_limited';
        if (rateLimited) rateLimitRetries++;
        else retries++;
        const delay = rateLimited ? decision.retryAfterMs : this.backoff(retries);
        const exhausted = rateLimited
          ? rateLimitRetries > (this.options.maxRateLimitRetries ?? 20)
          : retries > (this.options.maxRetries ?? 5);
        const log = { chat: this.chatLabel(chat), code: decision.code, retries, rateLimitRetries };
        if (exhausted || this.stopped) {
          this.logger.error(log, 'telegram send failed after retries');
          return { ok: false, kind: 'retry', error: decision.error, code: decision.code, retryAfterMs: delay };
        }
        this.logger.warn({ ...log, delayMs: delay }, 'telegram send will be retried');
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private backoff(retries: number): number {
    const base = this.options.baseBackoffMs ?? 500;
    const exp = Math.min(this.options.maxBackoffMs ?? 30_000, base * 2 ** Math.max(0, retries - 1));
    return Math.round(exp * (0.75 + Math.random() * 0.5));
  }
}
