/**
 * Storing a decision and what follows from it, shared by every use case that changes a
 * complaint: read → decide (pure rules) → store as the next version → plan the agency's
 * deliveries if the complaint changed hands → queue the citizen's notifications.
 *
 * Two writers racing on one complaint: exactly one stores each version; the other reads
 * again and decides again on the new state (which may refuse: "already acknowledged").
 */
import type { Complaint } from '../domain/complaint';
import { planDeliveries } from '../domain/agency-delivery-plan';
import { notificationKey, pendingAgencyNotice, type AgencyNotice, type CitizenNotice } from '../domain/complaint-events';
import type { Decision, Refusal } from '../domain/complaint-rules';
import { reportDeadlineCoverage } from './deadline-coverage';
import type { ComplaintUseCaseDeps } from './use-case-deps';

const CONFLICT_RETRIES = 4;
/** Notification keys tried past the expected one when racing writers took it. */
const KEY_PROBES = 20;

export type Committed = { readonly ok: true; readonly before: Complaint; readonly after: Complaint } | Refusal;

/**
 * Loads the complaint, decides, stores. `decide` runs again on a fresh read after a
 * conflict. `load` lets a caller read differently (the agency paths read the agency first).
 */
export async function commitDecision(
  deps: ComplaintUseCaseDeps,
  code: string,
  decide: (complaint: Complaint, now: Date) => Decision,
  load: () => Promise<Complaint | undefined | Refusal> = async () => deps.repository.findByCode(code),
): Promise<Committed> {
  for (let attempt = 0; attempt < CONFLICT_RETRIES; attempt++) {
    const loaded = attempt === 0 ? await load() : await deps.repository.findByCode(code);
    if (!loaded) return { ok: false, error: 'not_found', message: `no complaint ${code}` };
    if ('ok' in loaded) return loaded;
    const now = deps.clock();
    const decision = decide(loaded, now);
    if (!decision.ok) return decision;
    if ((await deps.repository.update(loaded, decision.change)) === 'conflict') continue;
    if (decision.after.status !== loaded.status) deps.observer?.statusChanged(loaded.status, decision.after.status);
    if (decision.after.dueAt.getTime() !== loaded.dueAt.getTime()) reportDeadlineCoverage(deps, code, now, decision.after.dueAt);
    await publishEffects(deps, decision, now);
    return { ok: true, before: loaded, after: decision.after };
  }
  return { ok: false, error: 'invalid_state', message: `complaint ${code} changed meanwhile; try again` };
}

async function publishEffects(deps: ComplaintUseCaseDeps, decision: Extract<Decision, { ok: true }>, now: Date): Promise<void> {
  if (decision.rerouted) await planRouting(deps, decision.after, now);
  for (const notice of decision.agencyNotices) await planAgencyNotice(deps, notice, now);
  for (const notice of decision.citizenNotices) await notifyCitizen(deps, notice);
}

/** Plans one agency message (one delivery per transport). Returns how many deliveries were new. */
export async function planAgencyNotice(
  deps: Pick<ComplaintUseCaseDeps, 'directory' | 'logger'> & { readonly outbox: Pick<ComplaintUseCaseDeps['outbox'], 'addDeliveries'> },
  notice: AgencyNotice,
  now: Date,
  available?: Parameters<typeof planDeliveries>[3],
): Promise<number> {
  const plan = planDeliveries(deps.directory.current(), notice, now, available);
  if (plan.redirected) {
    deps.logger.warn(
      { code: notice.complaintCode, agencyId: plan.redirected.from, coordinator: plan.redirected.to },
      'agency has no delivery configured: planning delivery to the coordinator',
    );
  }
  return deps.outbox.addDeliveries(plan.records);
}

/**
 * Plans the deliveries the complaint's last routing action calls for, then records that
 * they are planned. A crash in between leaves `deliveriesPlanned: false` and the
 * re-planning job finishes the work; planning again inserts nothing twice (unique keys).
 */
export async function planRouting(deps: ComplaintUseCaseDeps, complaint: Complaint, now: Date): Promise<void> {
  const notice = pendingAgencyNotice(complaint);
  await planAgencyNotice(deps, notice, now);
  let current: Complaint | undefined = complaint;
  for (let attempt = 0; attempt < CONFLICT_RETRIES && current; attempt++) {
    // Only if the complaint still owes this very message: a newer routing action plans its own.
    if (current.deliveriesPlanned || pendingAgencyNotice(current).messageKey !== notice.messageKey) return;
    if ((await deps.repository.update(current, { set: { deliveriesPlanned: true } })) === 'updated') return;
    current = await deps.repository.findByCode(complaint.code);
  }
}

/**
 * Queues a citizen notification under `<code>:<kind>:<n>`. The same notice retried finds
 * its key taken by itself and stops; a different notice that took the key moves this one
 * to n+1, so neither is lost.
 */
async function notifyCitizen(deps: Pick<ComplaintUseCaseDeps, 'outbox' | 'logger'>, notice: CitizenNotice): Promise<void> {
  for (let n = notice.sequence; n < notice.sequence + KEY_PROBES; n++) {
    if ((await deps.outbox.addNotification(notificationKey(notice, n), notice)) !== 'different') return;
  }
  deps.logger.error({ code: notice.complaintCode, kind: notice.kind }, 'could not find a free notification key');
}
