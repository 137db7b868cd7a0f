/**
 * Taking one attempt of one outbox item (a delivery, a notification) so that exactly one
 * process makes it, on a server whose conditional updates are not atomic (FerretDB v1).
 *
 * Attempt n of item K is taken by inserting the claim `<prefix>:<K>#<n>` (unique `_id`).
 * The winner re-reads the item (its copy may be stale), then marks it `sending` with
 * `attempts = n` and a lease. The count of attempts only grows past n after attempt n was
 * claimed, so a stale copy always leads to a claim that is already taken.
 *
 * One gap needs closing: a process that dies between inserting the claim and marking the
 * item leaves it with `attempts = n - 1` and attempt n claimed forever, so nobody could
 * ever take it again. When a claim is found taken for longer than the lease and the item
 * still has not moved, the attempt is declared abandoned — by a second claim
 * (`…#n:abandoned`), so only one process does it — and the item becomes due with
 * `attempts = n`, ready for attempt n + 1.
 */
import type { Database } from '../storage/mongo/database';

/** The fields every outbox item has. */
export interface OutboxItem {
  readonly _id: unknown;
  readonly idempotencyKey: string;
  readonly attempts: number;
  readonly state: string;
  readonly nextAttemptAt: Date;
  readonly leaseUntil?: Date | null;
}

export interface AttemptClaimDeps<T extends OutboxItem> {
  readonly db: Database;
  /** "delivery", "notification": the claim id's prefix. */
  readonly prefix: string;
  readonly owner: string;
  readonly leaseMs: number;
  reload(id: unknown): Promise<T | null>;
  /** Sets state `sending`, `attempts`, the lease owner and `leaseUntil`. */
  markSending(id: unknown, attempts: number, leaseUntil: Date): Promise<void>;
  /** Sets `attempts`, state `pending`, due `now`, a lastError saying why; clears the lease. */
  markAbandoned(id: unknown, attempts: number, now: Date): Promise<void>;
}

export type AttemptClaim<T> =
  | { readonly kind: 'claimed'; readonly item: T; readonly attempt: number }
  /** Another process has this attempt (or finished the item). */
  | { readonly kind: 'taken' }
  /** A dead process's attempt was written off; the item is due again. */
  | { readonly kind: 'abandoned' };

const FINAL_STATES = new Set(['sent', 'dead']);

/** Claims the next attempt of `candidate` (a copy read a moment ago). */
export async function claimAttempt<T extends OutboxItem>(deps: AttemptClaimDeps<T>, candidate: T, now: Date): Promise<AttemptClaim<T>> {
  const attempt = candidate.attempts + 1;
  const claimId = `${deps.prefix}:${candidate.idempotencyKey}#${attempt}`;
  if (await deps.db.claims.tryClaim(claimId, deps.owner)) {
    const fresh = await deps.reload(candidate._id);
    if (!fresh || fresh.attempts !== candidate.attempts || FINAL_STATES.has(fresh.state)) return { kind: 'taken' };
    await deps.markSending(fresh._id, attempt, new Date(now.getTime() + deps.leaseMs));
    return { kind: 'claimed', item: fresh, attempt };
  }
  return (await writeOffIfAbandoned(deps, candidate, claimId, now)) ? { kind: 'abandoned' } : { kind: 'taken' };
}

async function writeOffIfAbandoned<T extends OutboxItem>(
  deps: AttemptClaimDeps<T>,
  candidate: T,
  claimId: string,
  now: Date,
): Promise<boolean> {
  // The claim was made after the item became due; if that is recent, the claim is recent too (the common case: skip the read).
  const dueSince = candidate.state === 'sending' && candidate.leaseUntil ? candidate.leaseUntil : candidate.nextAttemptAt;
  const oldest = now.getTime() - deps.leaseMs;
  if (dueSince.getTime() > oldest) return false;
  const claim = await deps.db.connection.collection<{ _id: string; at: Date }>('claims').findOne({ _id: claimId });
  if (!claim || claim.at.getTime() > oldest) return false;
  const fresh = await deps.reload(candidate._id);
  if (!fresh || fresh.attempts !== candidate.attempts || FINAL_STATES.has(fresh.state)) return false;
  if (!(await deps.db.claims.tryClaim(`${claimId}:abandoned`, deps.owner))) return false;
  await deps.markAbandoned(fresh._id, candidate.attempts + 1, now);
  return true;
}
