/**
 * Every message the bot sends to Telegram goes through this queue, so that Telegram's flood
 * limits (design notes §4: about 1 message/s per private chat, 20/min per group, 30/s per
 * bot) are kept *before* Telegram has to say 429, and so that a 429, a 5xx or a network
 * failure delays a message instead of losing it.
 *
 * Why one queue for conversation replies, notifications and agency cards: the limits are
 * per bot, whoever sends. Why per-chat lanes: messages to one chat must arrive in order
 * (a retried first message must not overtake the second), while a slow chat must not hold
 * up the others.
 *
 * The queue never throws for a send problem: `enqueue` resolves with a {@link SendOutcome}.
 * Retries are bounded; a message that still fails is reported as `retry` (the notification
 * outbox keeps it and tries later) and logged with the chat id only, never the text.
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
  readonly logger?: Logger;
  readonly clock?: () => number;
}

interface Job {
  readonly call: () => Promise<unknown>;
  readonly resolve: (outcome: SendOutcome<unknown>) => void;
  retries: number;
  rateLimitRetries: number;
}

/** One chat's FIFO of messages and its sending history. */
interface Lane {
  readonly chatId: string;
  readonly isPrivate: boolean;
  readonly jobs: Job[];
  busy: boolean;
  /** Set by a 429 or a backoff: nothing is sent to this chat before. */
  notBefore: number;
  /** Completion times of recent sends (private: the last one; groups: the last minute's). */
  readonly sentAt: number[];
}

const GROUP_WINDOW_MS = 60_000;
const GLOBAL_WINDOW_MS = 1_000;
/** An idle lane is forgotten once its history no longer limits anything. */
const LANE_IDLE_MS = GROUP_WINDOW_MS;

/**
 * Telegram chat ids of private chats are the (positive) user ids; groups, supergroups and
 * channels have negative ids. That is all the queue needs to pick the limit.
 */
export function isPrivateChatId(chatId: string | number): boolean {
  return !String(chatId).trim().startsWith('-');
}

export class TelegramSendQueue {
  private readonly lanes = new Map<string, Lane>();
  /** Start times of recent sends over all chats. */
  private readonly globalStarts: number[] = [];
  private readonly logger: Logger;
  private readonly clock: () => number;
  private readonly privateSpacingMs: number;
  private readonly groupPerMinute: number;
  private readonly globalPerSecond: number;
  private readonly maxRetries: number;
  private readonly maxRateLimitRetries: number;
  private readonly baseBackoffMs: number;
  private readonly maxBackoffMs: number;
  private timer?: NodeJS.Timeout;
  private timerAt = Infinity;
  private stopped = false;
  private readonly idleWaiters = new Set<() => void>();

  constructor(private readonly options: SendQueueOptions) {
    this.logger = options.logger ?? silentLogger();
    this.clock = options.clock ?? Date.now;
    this.privateSpacingMs = options.privateSpacingMs ?? 1000;
    this.groupPerMinute = options.groupPerMinute ?? 20;
    this.globalPerSecond = options.globalPerSecond ?? 30;
    this.maxRetries = options.maxRetries ?? 5;
    this.maxRateLimitRetries = options.maxRateLimitRetries ?? 20;
    this.baseBackoffMs = options.baseBackoffMs ?? 500;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
  }

  /**
   * Queues `call` (one Bot API send to `chatId`) behind the chat's earlier messages and
   * resolves when it was sent, or finally failed. Never rejects.
   */
  enqueue<T>(chatId: string | number, call: () => Promise<T>): Promise<SendOutcome<T>> {
    if (this.stopped) return Promise.resolve({ ok: false, kind: 'retry', error: 'send queue stopped' });
    return new Promise<SendOutcome<T>>((resolve) => {
      const lane = this.lane(String(chatId));
      lane.jobs.push({ call, resolve: resolve as (outcome: SendOutcome<unknown>) => void, retries: 0, rateLimitRetries: 0 });
      this.pump();
    });
  }

  /** Messages waiting or being sent. */
  get size(): number {
    let n = 0;
    for (const lane of this.lanes.values()) n += lane.jobs.length;
    return n;
  }

  /** Resolves once nothing is queued (or after `timeoutMs`, whichever comes first). */
  async drain(timeoutMs: number): Promise<boolean> {
    if (this.size === 0) return true;
    return new Promise<boolean>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.idleWaiters.delete(done);
        resolve(this.size === 0);
      };
      const timer = setTimeout(done, timeoutMs);
      this.idleWaiters.add(done);
    });
  }

  /**
   * Stops the queue: waits up to `drainTimeoutMs` for queued messages, then reports those
   * still waiting as `retry` failures (logged with their chat id) and clears its timer.
   */
  async stop(drainTimeoutMs = 5000): Promise<void> {
    await this.drain(drainTimeoutMs);
    this.stopped = true;
    this.clearTimer();
    for (const lane of this.lanes.values()) {
      const waiting = lane.busy ? lane.jobs.slice(1) : lane.jobs.splice(0);
      if (lane.busy) lane.jobs.splice(1);
      for (const job of waiting) {
        this.logger.error({ chatId: lane.chatId }, 'telegram send queue stopped with a message unsent');
        job.resolve({ ok: false, kind: 'retry', error: 'send queue stopped' });
      }
    }
  }

  private lane(chatId: string): Lane {
    let lane = this.lanes.get(chatId);
    if (!lane) {
      lane = { chatId, isPrivate: isPrivateChatId(chatId), jobs: [], busy: false, notBefore: 0, sentAt: [] };
      this.lanes.set(chatId, lane);
    }
    return lane;
  }

  /** Starts every message that may go now, and sets a timer for the earliest one that may not. */
  private pump(): void {
    if (this.stopped) return;
    const now = this.clock();
    let wakeAt = Infinity;
    for (const lane of [...this.lanes.values()]) {
      if (lane.busy) continue;
      if (lane.jobs.length === 0) {
        this.forgetIfIdle(lane, now);
        continue;
      }
      const laneReady = this.laneReadyAt(lane, now);
      if (laneReady > now) {
        wakeAt = Math.min(wakeAt, laneReady);
        continue;
      }
      const globalReady = this.globalReadyAt(now);
      if (globalReady > now) {
        wakeAt = Math.min(wakeAt, globalReady);
        break;
      }
      this.globalStarts.push(now);
      void this.run(lane);
    }
    this.schedule(wakeAt);
    if (this.size === 0) for (const waiter of [...this.idleWaiters]) waiter();
  }

  private laneReadyAt(lane: Lane, now: number): number {
    let ready = lane.notBefore;
    if (lane.isPrivate) {
      const last = lane.sentAt[lane.sentAt.length - 1];
      if (last !== undefined) ready = Math.max(ready, last + this.privateSpacingMs);
    } else {
      prune(lane.sentAt, now - GROUP_WINDOW_MS);
      if (lane.sentAt.length >= this.groupPerMinute) {
        ready = Math.max(ready, lane.sentAt[lane.sentAt.length - this.groupPerMinute] + GROUP_WINDOW_MS);
      }
    }
    return ready;
  }

  private globalReadyAt(now: number): number {
    prune(this.globalStarts, now - GLOBAL_WINDOW_MS);
    if (this.globalStarts.length < this.globalPerSecond) return now;
    return this.globalStarts[this.globalStarts.length - this.globalPerSecond] + GLOBAL_WINDOW_MS;
  }

  private forgetIfIdle(lane: Lane, now: number): void {
    const last = lane.sentAt[lane.sentAt.length - 1] ?? 0;
    if (now - last > LANE_IDLE_MS && lane.notBefore <= now) this.lanes.delete(lane.chatId);
  }

  private async run(lane: Lane): Promise<void> {
    const job = lane.jobs[0];
    lane.busy = true;
    try {
      const value = await job.call();
      lane.sentAt.push(this.clock());
      if (lane.isPrivate) lane.sentAt.splice(0, lane.sentAt.length - 1);
      this.finish(lane, { ok: true, value });
    } catch (error) {
      this.handleFailure(lane, job, this.options.classify(error));
    } finally {
      lane.busy = false;
      this.pump();
    }
  }

  private handleFailure(lane: Lane, job: Job, decision: ErrorDecision): void {
    if (decision.action === 'fail') {
      this.finish(lane, { ok: false, kind: decision.kind, error: decision.error, code: decision.code });
      return;
    }
    const rateLimited = decision.action === 'rate_limited';
    if (rateLimited) job.rateLimitRetries++;
    else job.retries++;
    const exhausted = rateLimited ? job.rateLimitRetries > this.maxRateLimitRetries : job.retries > this.maxRetries;
    const delay = rateLimited ? decision.retryAfterMs : this.backoff(job.retries);
    if (exhausted) {
      this.logger.error(
        { chatId: lane.chatId, code: decision.code, retries: job.retries, rateLimitRetries: job.rateLimitRetries },
        'telegram send failed after retries',
      );
      this.finish(lane, { ok: false, kind: 'retry', error: decision.error, code: decision.code, retryAfterMs: delay });
      return;
    }
    this.logger.warn({ chatId: lane.chatId, code: decision.code, delayMs: delay }, 'telegram send will be retried');
    lane.notBefore = this.clock() + delay;
  }

  private finish(lane: Lane, outcome: SendOutcome<unknown>): void {
    const job = lane.jobs.shift();
    job?.resolve(outcome);
  }

  private backoff(retries: number): number {
    const exp = Math.min(this.maxBackoffMs, this.baseBackoffMs * 2 ** Math.max(0, retries - 1));
    return Math.round(exp * (0.75 + Math.random() * 0.5));
  }

  private schedule(at: number): void {
    if (at === Infinity) return;
    if (this.timer && this.timerAt <= at) return;
    this.clearTimer();
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Infinity;
        this.pump();
      },
      Math.max(0, at - this.clock()),
    );
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }
}

/** Drops the leading entries older than `before` (the arrays are in time order). */
function prune(stamps: number[], before: number): void {
  let n = 0;
  while (n < stamps.length && stamps[n] <= before) n++;
  if (n > 0) stamps.splice(0, n);
}
