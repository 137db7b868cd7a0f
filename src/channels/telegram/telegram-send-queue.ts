/**
 * Every message the bot sends to Telegram goes through this queue, so that Telegram's flood
 * limits (about 1 message/s per private chat, 20/min per group, 30/s per bot) are kept
 * *before* Telegram has to say 429, and so that a 429, a 5xx or a network failure delays a
 * message instead of losing it.
 *
 * The scheduling: one lane per chat — a chat's messages go one at a time, in order; a
 * private chat's lane is held until `privateSpacingMs` has passed since its message
 * started, a group's lets at most `groupPerMinute` start in any sliding minute — and
 * every message then takes its place in one bot-wide window of at most `globalPerSecond`
 * starts in any sliding second, in the order asked. A message retries inside its lane
 * (waiting `retry_after` on a 429, backing off on a 5xx or a network error), so a retried
 * first message can never be overtaken by the second; a slow chat does not hold up the
 * others.
 *
 * Hand-written, not bottleneck any more (which this queue was built on, as grammY's
 * throttler is): a CPU profile of the webhook bench showed bottleneck at 5–7 % of the
 * service's process for ~150 messages/s — every job goes through several async-generator
 * locks and events in the chat's limiter and again in the chained bot-wide one — while
 * this lane costs a few promises and the spacing's one timer (docs/measurements.md,
 * "Telegram webhook, CPU per update"). Its windows slide, where bottleneck's reservoirs
 * refilled per fixed second or minute (two budgets could meet in one sliding second), as
 * the campaign's pacer does (campaign/channel-pacer.ts).
 *
 * The queue never throws for a send problem: `enqueue` resolves with a {@link SendOutcome}.
 * Retries are bounded; a message that still fails is reported as `retry` (the outbox keeps
 * it and tries later) and logged with a hashed chat id only, never the text.
 */
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
  /** Per chat: the end of its last message's turn (and spacing); removed when the chat has nothing queued. */
  private readonly lanes = new Map<string, { tail: Promise<void> }>();
  /** Per group: when its last messages started (its sliding minute). */
  private readonly groupStarts = new Map<string, SlidingWindow>();
  private readonly global: SlidingWindow;
  /** The bot-wide window serves messages in the order they reached it. */
  private globalLine: Promise<void> = Promise.resolve();
  /** Timers of messages waiting (a window, a spacing, a retry): woken at once by `stop`. */
  private readonly sleepers = new Set<() => void>();
  private readonly logger: Logger;
  private readonly chatLabel: (chatId: string) => string;
  private pending = 0;
  private stopped = false;
  private readonly idleWaiters = new Set<() => void>();

  constructor(private readonly options: SendQueueOptions) {
    this.logger = options.logger ?? silentLogger();
    this.chatLabel = options.chatLabel ?? (() => 'chat');
    this.global = new SlidingWindow(options.globalPerSecond ?? 30, 1000);
  }

  /**
   * Queues `call` (one Bot API send to `chatId`) behind the chat's earlier messages and
   * resolves when it was sent, or finally failed. Never rejects.
   */
  async enqueue<T>(chatId: string | number, call: () => Promise<T>): Promise<SendOutcome<T>> {
    if (this.stopped) return STOPPED;
    const chat = String(chatId);
    const isPrivate = isPrivateChatId(chat);
    const spacingMs = isPrivate ? (this.options.privateSpacingMs ?? 1000) : 0;
    this.pending += 1;
    const lane = this.lanes.get(chat) ?? { tail: Promise.resolve() };
    this.lanes.set(chat, lane);
    let settle!: (outcome: SendOutcome<T>) => void;
    const outcome = new Promise<SendOutcome<T>>((resolve) => (settle = resolve));
    const turn = lane.tail.then(async () => {
      try {
        if (!isPrivate) await this.waitFor(this.groupWindow(chat));
        await this.takeGlobal();
        if (this.stopped) return settle(STOPPED);
        const started = Date.now();
        settle(await this.attempt(chat, call));
        // The lane is held until the spacing has passed since the message started (measured
        // where the call ran, so a busy event loop cannot shrink it).
        await this.sleepUntil(started + spacingMs);
      } catch {
        settle(STOPPED);
      }
    });
    lane.tail = turn;
    void turn.then(() => {
      if (this.lanes.get(chat)?.tail === turn) this.lanes.delete(chat);
    });
    try {
      return await outcome;
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
    if (this.pending > 0) this.logger.error({ unsent: this.pending }, 'telegram send queue stopped with messages unsent');
    // Messages waiting for a window, a spacing or a retry go on at once, and find the queue stopped.
    for (const wake of [...this.sleepers]) wake();
  }

  /** A start in the bot-wide window, after the messages that asked before. */
  private takeGlobal(): Promise<void> {
    const turn = this.globalLine.then(() => this.waitFor(this.global));
    this.globalLine = turn.catch(() => undefined);
    return turn;
  }

  /** Waits until `window` allows a start and records it; after `stop`, at once. */
  private async waitFor(window: SlidingWindow): Promise<void> {
    for (let now = Date.now(), at = window.freeAt(now); at > now && !this.stopped; now = Date.now(), at = window.freeAt(now))
      await this.sleepUntil(at);
    window.record(Date.now());
  }

  private groupWindow(chat: string): SlidingWindow {
    let window = this.groupStarts.get(chat);
    if (!window) {
      // Forget groups idle for a minute (their window is empty) before adding one.
      const now = Date.now();
      for (const [id, w] of this.groupStarts) if (w.idleSince(now)) this.groupStarts.delete(id);
      window = new SlidingWindow(this.options.groupPerMinute ?? 20, 60_000);
      this.groupStarts.set(chat, window);
    }
    return window;
  }

  /** Sleeps until `at` (a timer may fire early: checked again); woken at once by `stop`. */
  private async sleepUntil(at: number): Promise<void> {
    while (!this.stopped && at > Date.now()) {
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.sleepers.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, at - Date.now());
        this.sleepers.add(wake);
      });
    }
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
        await this.sleepUntil(Date.now() + delay);
        if (this.stopped) return { ok: false, kind: 'retry', error: decision.error, code: decision.code, retryAfterMs: delay };
      }
    }
  }

  private backoff(retries: number): number {
    const base = this.options.baseBackoffMs ?? 500;
    const exp = Math.min(this.options.maxBackoffMs ?? 30_000, base * 2 ** Math.max(0, retries - 1));
    return Math.round(exp * (0.75 + Math.random() * 0.5));
  }
}

/** At most `limit` starts in any sliding `spanMs`, counted on the starts as they happened. */
class SlidingWindow {
  /** The last starts (at most `limit`), oldest first. */
  private readonly starts: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly spanMs: number,
  ) {}

  /** When the next start may happen (`now` when it may at once). */
  freeAt(now: number): number {
    return this.starts.length < this.limit ? now : Math.max(now, this.starts[0] + this.spanMs);
  }

  record(at: number): void {
    this.starts.push(at);
    if (this.starts.length > this.limit) this.starts.shift();
  }

  /** True when nothing started in the last span. */
  idleSince(now: number): boolean {
    return this.starts.length === 0 || this.starts[this.starts.length - 1] + this.spanMs <= now;
  }
}
