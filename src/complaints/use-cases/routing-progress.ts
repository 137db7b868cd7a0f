/**
 * Keeping complaints and their deliveries in step, outside any citizen's request:
 * re-planning complaints a crash left unplanned (a scheduled job), and marking a
 * complaint `forwarded` once its agency received it (called by the delivery outbox).
 */
import { decideForwarded } from '../domain/complaint-rules';
import { commitDecision, planRouting } from './commit-decision';
import type { ComplaintUseCaseDeps } from './use-case-deps';

/**
 * Finishes planning for complaints left with `deliveriesPlanned: false`. Idempotent: safe
 * from several processes at once and beside submissions in progress. Returns how many
 * complaints it planned.
 */
export async function planUnplanned(deps: ComplaintUseCaseDeps, limit = 100): Promise<number> {
  const pending = await deps.repository.listUnplanned(limit);
  for (const complaint of pending) await planRouting(deps, complaint, deps.clock());
  return pending.length;
}

/** Email and webhook may both succeed at once: versions make one of them record it. */
export async function markForwarded(deps: ComplaintUseCaseDeps, code: string, agencyId: string, now: Date): Promise<void> {
  await commitDecision(deps, code, (complaint) => {
    const change = decideForwarded(complaint, agencyId, now);
    if (!change) return { ok: false, error: 'invalid_state', message: 'nothing to mark' };
    return { ok: true, change, after: { ...complaint, status: 'forwarded' }, citizenNotices: [], agencyNotices: [], rerouted: false };
  });
}
