/**
 * How fast an outbox may send: a policy the worker asks before each send. Agency
 * deliveries and citizen notifications need none (the Telegram sender paces itself per
 * chat); an outbox of news items to thousands of subscribers will plug in per-platform
 * rate limits here instead of copying the worker.
 */

/** Without a pacer (agency deliveries, citizen notifications) the worker sends as soon as an item is claimed. */
export interface Pacer<T> {
  /** Resolves when `item` may be sent now (it may wait). */
  acquire(item: T): Promise<void>;
}
