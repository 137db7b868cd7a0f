/**
 * Taking one attempt of one outbox item so that exactly one process makes it, on a server
 * whose conditional updates are not atomic (FerretDB v1).
 *
 * Attempt n of item K is taken by inserting the claim `<outbox>:<K>#<n>` (unique `_id`).
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
import type { OutboxItem, OutboxStore } from './outbox-store';

export type AttemptClaim<T> =
  | { readonly kind: 'claimed'; readonly item: T; readonly attempt: number }
  /** Another process has this attempt (or finished the item). */
  | { readonly kind: 'taken' }
  /** A dead process's attempt was written off; the item is due again. */
  | { readonly kind: 'abandoned' };

const FINAL_STATES = new Set(['sent', 'dead']);

/** Claims the next attempt of `candidate` (a copy read a moment ago). */
export async function claimAttempt<T extends OutboxItem>(
  store: OutboxStore<T>,
  owner: string,
  leaseMs: number,
  candidate: T,
  now: Date,
): Promise<AttemptClaim<T>> {
  const attempt = candidate.attempts + 1;
  const claimId = `${store.name}:${candidate.id}#${attempt}`;
  if (await store.tryClaim(claimId, owner)) {
    const fresh = await store.reload(candidate.id);
    if (!fresh || fresh.attempts !== candidate.attempts || FINAL_STATES.has(fresh.state)) return { kind: 'taken' };
    await store.markSending(fresh.id, attempt, owner, new Date(now.getTime() + leaseMs));
    return { kind: 'claimed', item: fresh, attempt };
  }
  return (await writeOffIfAbandoned(store, owner, leaseMs, candidate, claimId, now)) ? { kind: 'abandoned' } : { kind: 'taken' };
}

async function writeOffIfAbandoned<T extends OutboxItem>(
  store: OutboxStore<T>,
  owner: string,
  leaseMs: number,
  candidate: T,
  claimId: string,
  now: Date,
): Promise<boolean> {
  // The claim was made after the item became due; if that is recent, the claim is recent too (the common case: skip the read).
  const dueSince = candidate.state === 'sending' && candidate.leaseUntil ? candidate.leaseUntil : candidate.nextAttemptAt;
  const oldest = now.getTime() - leaseMs;
  if (dueSince.getTime() > oldest) return false;
  const claimedAt = await store.claimedAt(claimId);
  if (!claimedAt || claimedAt.getTime() > oldest) return false;
  const fresh = await store.reload(candidate.id);
  if (!fresh || fresh.attempts !== candidate.attempts || FINAL_STATES.has(fresh.state)) return false;
  if (!(await store.tryClaim(`${claimId}:abandoned`, owner))) return false;
  await store.markAbandoned(fresh.id, candidate.attempts + 1, now);
  return true;
}
