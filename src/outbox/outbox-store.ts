/**
 * What the generic outbox worker needs from the place its items are kept. One
 * implementation per database (src/storage/mongo/mongo-outbox.ts), shared by every
 * outbox: agency deliveries, citizen notifications, and later news items.
 */

export type OutboxState = 'pending' | 'sending' | 'sent' | 'held' | 'dead';

/** The fields every outbox item has; each outbox adds its own payload. */
export interface OutboxItem {
  /** The idempotency key: unique in the outbox, sent to receivers, also the stored `_id`. */
  readonly id: string;
  readonly state: OutboxState;
  /** Attempts made so far (the claim of attempt n is `<outbox>:<id>#<n>`). */
  readonly attempts: number;
  /** `attempts` when an operator last re-sent the item: the retry budget counts from here. */
  readonly attemptBase: number;
  readonly nextAttemptAt: Date;
  readonly leaseUntil?: Date;
  readonly lastError?: string;
  readonly createdAt?: Date;
}

/** How an attempt ended, as stored. */
export type RecordedAttempt =
  | { readonly state: 'sent'; readonly at: Date; readonly receipt?: string }
  | { readonly state: 'pending'; readonly nextAttemptAt: Date; readonly lastError: string }
  | { readonly state: 'held'; readonly lastError: string }
  | { readonly state: 'dead'; readonly lastError: string };

export interface OutboxListFilter {
  readonly state?: OutboxState;
  /** Equality on the outbox's own fields (`{agencyId: 'so-noi-vu'}`). */
  readonly match?: Readonly<Record<string, string>>;
  readonly limit: number;
}

export type ResendOutcome = 'resent' | 'not_dead' | 'not_found';

export interface OutboxStore<T extends OutboxItem> {
  /** The outbox's name: the prefix of its claims ("delivery", "notification"). */
  readonly name: string;
  /** Items due now: pending and due, or sending under an expired lease; oldest first. */
  due(now: Date, limit: number): Promise<T[]>;
  reload(id: string): Promise<T | undefined>;
  /** True if this call took `claimId` (a unique insert: exactly one process wins). */
  tryClaim(claimId: string, owner: string): Promise<boolean>;
  /** When `claimId` was taken, if it was. */
  claimedAt(claimId: string): Promise<Date | undefined>;
  markSending(id: string, attempt: number, owner: string, leaseUntil: Date): Promise<void>;
  /** A dead process's attempt: `attempts = attempt`, due `now`, the lease cleared. */
  markAbandoned(id: string, attempt: number, now: Date): Promise<void>;
  /** Records how attempt `attempt` ended (only if the item is still at that attempt). */
  record(id: string, attempt: number, outcome: RecordedAttempt): Promise<void>;
  list(filter: OutboxListFilter): Promise<T[]>;
  /** A dead item becomes due again, with a fresh retry budget; `by` is recorded with it. */
  resend(id: string, by: string, now: Date): Promise<ResendOutcome>;
}
