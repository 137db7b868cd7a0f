/**
 * Per-citizen flood control for the chat channels (Zalo webhook, web chat).
 *
 * Why: one citizen (or a script posing as one) sending hundreds of messages must not
 * starve the others, nor run the matcher and the database hundreds of times. A token
 * bucket per (channel, user) lets normal typing through (a burst, then one message per
 * second) and drops the excess; the citizen gets at most one polite "please slow down"
 * per minute, so the bot does not flood them back. Buckets live in memory (a restart
 * forgives everyone, which is fine) and idle ones are evicted, so memory stays bounded
 * however many distinct users write.
 */
import type { BotContent } from '../core/bot-content';
import type { Locale } from '../core/messages';

export interface RateLimiterOptions {
  /** Messages a citizen may send at once; default 10. */
  readonly burst?: number;
  /** Tokens added per second; default 1. */
  readonly refillPerSecond?: number;
  /** Minimum time between two "slow down" notices to the same citizen; default 60 s. */
  readonly noticeIntervalMs?: number;
  /** Most buckets kept; the least recently used is evicted beyond it; default 10,000. */
  readonly maxBuckets?: number;
  /** Milliseconds since the epoch; injectable for tests. */
  readonly clock?: () => number;
}

/** `allowed: false` drops the message; `notify` says whether to send the one notice now. */
export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly notify: boolean };

interface Bucket {
  tokens: number;
  updatedAt: number;
  lastNoticeAt: number;
}

/** Token buckets keyed by channel and user id, least recently used first. */
export class UserRateLimiter {
  private readonly burst: number;
  private readonly refillPerMs: number;
  private readonly noticeIntervalMs: number;
  private readonly maxBuckets: number;
  private readonly clock: () => number;
  /** Map iteration order is insertion order: re-inserting on use keeps it LRU. */
  private readonly buckets = new Map<string, Bucket>();

  constructor(options: RateLimiterOptions = {}) {
    this.burst = options.burst ?? 10;
    this.refillPerMs = (options.refillPerSecond ?? 1) / 1000;
    this.noticeIntervalMs = options.noticeIntervalMs ?? 60_000;
    this.maxBuckets = options.maxBuckets ?? 10_000;
    this.clock = options.clock ?? Date.now;
    if (this.burst < 1 || this.refillPerMs <= 0 || this.maxBuckets < 1) {
      throw new RangeError('UserRateLimiter: burst, refillPerSecond and maxBuckets must be positive');
    }
  }

  /** Takes one token for this citizen's message. */
  take(channel: string, userId: string): RateDecision {
    const now = this.clock();
    const key = `${channel}:${userId}`;
    const bucket = this.refilled(key, now);
    this.buckets.delete(key);
    this.evict(now);
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    const notify = now - bucket.lastNoticeAt >= this.noticeIntervalMs;
    if (notify) bucket.lastNoticeAt = now;
    return { allowed: false, notify };
  }

  /** True when `take` would refuse now (no token is taken): a flood is turned away before its body is read. */
  isEmpty(channel: string, userId: string): boolean {
    const bucket = this.buckets.get(`${channel}:${userId}`);
    return bucket !== undefined && this.refilled(`${channel}:${userId}`, this.clock()).tokens < 1;
  }

  /** Forgets a citizen (consent withdrawn). */
  forget(channel: string, userId: string): void {
    this.buckets.delete(`${channel}:${userId}`);
  }

  /** Number of buckets held (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  private refilled(key: string, now: number): Bucket {
    const bucket = this.buckets.get(key);
    if (!bucket) return { tokens: this.burst, updatedAt: now, lastNoticeAt: -Infinity };
    const tokens = Math.min(this.burst, bucket.tokens + (now - bucket.updatedAt) * this.refillPerMs);
    return { tokens, updatedAt: now, lastNoticeAt: bucket.lastNoticeAt };
  }

  /**
   * Drops buckets that carry no information any more (full again and past the notice
   * interval: forgetting them changes nothing), oldest first, and the oldest ones beyond
   * `maxBuckets` (leaving room for the bucket about to be inserted).
   */
  private evict(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (!this.isIdle(bucket, now) && this.buckets.size < this.maxBuckets) return;
      this.buckets.delete(key);
    }
  }

  private isIdle(bucket: Bucket, now: number): boolean {
    const full = bucket.tokens + (now - bucket.updatedAt) * this.refillPerMs >= this.burst;
    return full && now - bucket.lastNoticeAt >= this.noticeIntervalMs;
  }
}

/** Locale key an admin may define to reword the notice; the built-in text is used otherwise. */
export const SLOW_DOWN_TEXT_KEY = 'channel.slow_down';

const SLOW_DOWN_TEXT: Readonly<Record<Locale, string>> = {
  vi: 'Anh/Chị gửi tin nhắn hơi nhanh, tôi chưa kịp xử lý hết. Anh/Chị vui lòng chờ một chút rồi gửi lại nhé.',
  en: 'You are sending messages a bit fast and I could not process them all. Please wait a moment and send again.',
};

/** The "please slow down" text in the citizen's language. */
export function slowDownText(content: BotContent, locale: Locale): string {
  return localText(content, locale, SLOW_DOWN_TEXT_KEY, SLOW_DOWN_TEXT);
}

/**
 * A channel text: from the locale files when an admin declared `key` there, else the
 * built-in wording. Why: the channel adapters must work with the locale files as they
 * are, while leaving admins the option to reword them.
 */
export function localText(content: BotContent, locale: Locale, key: string, builtIn: Readonly<Record<Locale, string>>): string {
  return content.translator.has(key) ? content.translator.t(locale, key) : builtIn[locale];
}
