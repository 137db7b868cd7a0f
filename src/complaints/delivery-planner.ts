/**
 * Plans the messages that tell an agency about a complaint: one `deliveries` document per
 * transport the agency has configured (the outbox worker sends them and retries each one
 * on its own, FixMyStreet-style).
 *
 * Why planning is separate from storing the complaint: MongoDB-compatible servers here
 * have no multi-document transactions. A complaint is stored with `deliveriesPlanned:
 * false`, its deliveries are inserted under unique idempotency keys, then the flag is
 * set. A crash in between leaves the flag false, and {@link planPendingDeliveries} —
 * run by a sweeper — finishes the job; re-planning inserts nothing twice.
 */
import type { Logger } from '../infra/logger';
import { silentLogger } from '../infra/logger';
import { planAgencyDeliveries } from '../forwarding/outbox';
import type { Database } from '../storage/mongo/database';
import type { Agency, Directory } from './directory/directory';

/** Where the current directory comes from; it may be reloaded while the process runs. */
export interface DirectorySource {
  current(): Directory;
}

export type AgencyTransportKind = 'telegram' | 'email' | 'webhook';
/** Agency events the complaint service plans (the deadline scanner plans reminders itself). */
export type ComplaintDeliveryEvent = 'complaint.forwarded' | 'complaint.reopened';

/** History actions after which the agency must be told something. */
export const ROUTING_ACTIONS = ['submitted', 'transferred', 'reopened'] as const;

/** The transports the agency's directory entry configures, in a fixed order. */
export function configuredTransports(agency: Agency): AgencyTransportKind[] {
  const kinds: AgencyTransportKind[] = [];
  if (agency.delivery.telegramChatId) kinds.push('telegram');
  if (agency.delivery.email) kinds.push('email');
  if (agency.delivery.webhook) kinds.push('webhook');
  return kinds;
}

export interface DeliveryPlan {
  readonly code: string;
  /** The agency the complaint is routed to. */
  readonly agencyId: string;
  readonly event: ComplaintDeliveryEvent;
  /** Key of the message; each delivery's key is `<messageKey>:<transport>`. */
  readonly messageKey: string;
  readonly note?: string;
  readonly now: Date;
}

/**
 * Inserts one pending delivery per transport; existing keys are left alone. An agency
 * that is missing from the directory or has no transport gets its message sent to the
 * coordinator instead, with a note saying so, so the complaint is never silently stuck.
 * Returns how many deliveries were new.
 */
export async function planDeliveries(
  db: Database,
  directory: Directory,
  plan: DeliveryPlan,
  logger: Logger = silentLogger(),
): Promise<number> {
  const agency = directory.agencyById.get(plan.agencyId);
  const transports = agency ? configuredTransports(agency) : [];
  let target: Agency | undefined = agency;
  let note = plan.note;
  if (!agency || transports.length === 0) {
    target = directory.coordinator;
    const why = agency ? 'chưa cấu hình cách nhận phản ánh' : 'không có trong danh bạ';
    note = [`Cơ quan ${plan.agencyId} ${why}; phản ánh được gửi đến cơ quan điều phối để chuyển tiếp.`, plan.note]
      .filter(Boolean)
      .join('\n');
    logger.warn(
      { code: plan.code, agencyId: plan.agencyId, coordinator: target.id },
      'agency has no delivery configured: planning delivery to the coordinator',
    );
  }
  return planAgencyDeliveries(db, {
    agency: target!,
    messageKey: plan.messageKey,
    complaintCode: plan.code,
    event: plan.event,
    note,
    now: plan.now,
  });
}

interface HistoryLike {
  readonly action: string;
  readonly note?: string | null;
}

/** The message the agency is owed after the complaint's last routing action. */
export function pendingMessage(
  code: string,
  history: readonly HistoryLike[],
): { event: ComplaintDeliveryEvent; messageKey: string; note?: string } {
  const routing = history.filter((h) => (ROUTING_ACTIONS as readonly string[]).includes(h.action));
  const last = routing[routing.length - 1];
  const count = (action: string): number => history.filter((h) => h.action === action).length;
  if (last?.action === 'reopened') {
    return { event: 'complaint.reopened', messageKey: `${code}:reopened:${count('reopened')}`, note: last.note ?? undefined };
  }
  const transfers = count('transferred');
  const note = last?.action === 'transferred' ? (last.note ?? undefined) : undefined;
  return { event: 'complaint.forwarded', messageKey: `${code}:forwarded:${transfers}`, note };
}

/**
 * Finishes planning for complaints left with `deliveriesPlanned: false` (a crash between
 * storing and planning). Idempotent: safe to run from several processes at once and
 * while submissions are in progress. Returns how many complaints it marked as planned.
 */
export async function planPendingDeliveries(
  db: Database,
  directory: Directory,
  options: { now?: Date; limit?: number; logger?: Logger } = {},
): Promise<number> {
  const now = options.now ?? new Date();
  const pending = await db.models.Complaint.find({ deliveriesPlanned: false })
    .sort({ createdAt: 1 })
    .limit(options.limit ?? 100)
    .select({ code: 1, agencyId: 1, history: 1 })
    .lean<{ code: string; agencyId: string; history: HistoryLike[] }[]>();
  let done = 0;
  for (const complaint of pending) {
    const message = pendingMessage(complaint.code, complaint.history);
    await planDeliveries(db, directory, { code: complaint.code, agencyId: complaint.agencyId, now, ...message }, options.logger);
    await db.models.Complaint.updateOne({ code: complaint.code, agencyId: complaint.agencyId }, { $set: { deliveriesPlanned: true } });
    done++;
  }
  return done;
}
