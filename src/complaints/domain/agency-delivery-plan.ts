/**
 * Splits a message owed to an agency into deliveries: one per transport the agency's
 * directory entry configures (FixMyStreet keeps the same split: an agency reached by
 * e-mail and Telegram gets two deliveries that succeed, fail and retry independently).
 *
 * An agency missing from the directory, or with no transport, gets nothing silently
 * stuck: its message goes to the coordinator, with a notice saying why.
 */
import type { Agency, Directory } from '../directory/directory';
import type { AgencyEventType, AgencyNotice, TextRef } from './complaint-events';

export type AgencyTransportKind = 'telegram' | 'email' | 'webhook';

/** One delivery to insert into the outbox (pending, due at `dueAt`). */
export interface DeliveryRecord {
  /** `<messageKey>:<transport>`: the outbox's unique key and the receivers' idempotency key. */
  readonly key: string;
  readonly complaintCode: string;
  readonly agencyId: string;
  readonly transport: AgencyTransportKind;
  readonly event: AgencyEventType;
  readonly note?: string;
  readonly notices: readonly TextRef[];
  readonly dueAt: Date;
  /**
   * Set on the deliveries of a new complaint, which are stored before the complaint itself:
   * the complaint under this code must have this submission key, else the delivery is an
   * orphan of a submission that never completed and is dropped.
   */
  readonly submissionKey?: string;
}

/** The idempotency key of one delivery ("PA-7K3M9X:reminder:2025-03-12T10:00:00.000Z:email"). */
function deliveryKey(messageKey: string, transport: AgencyTransportKind): string {
  return `${messageKey}:${transport}`;
}

/** The transports the agency's directory entry configures, in a fixed order. */
function configuredTransports(agency: Agency): AgencyTransportKind[] {
  const kinds: AgencyTransportKind[] = [];
  if (agency.delivery.telegramChatId) kinds.push('telegram');
  if (agency.delivery.email) kinds.push('email');
  if (agency.delivery.webhook) kinds.push('webhook');
  return kinds;
}

export interface DeliveryPlan {
  readonly records: readonly DeliveryRecord[];
  /** Set when the message went to the coordinator instead of the agency it was meant for. */
  readonly redirected?: { readonly from: string; readonly to: string };
}

/**
 * The deliveries of `notice`. `available` (the transports this process can use) filters
 * the agency's transports, unless none would remain: then all are planned, so the
 * deliveries exist, fail visibly and end `dead` instead of silently not existing.
 */
export function planDeliveries(
  directory: Directory,
  notice: AgencyNotice,
  dueAt: Date,
  available?: readonly AgencyTransportKind[],
): DeliveryPlan {
  const agency = directory.agencyById.get(notice.agencyId);
  const listed = agency ? configuredTransports(agency) : [];
  let target: Agency = agency ?? directory.coordinator;
  let notices = notice.notices ?? [];
  let transports = listed;
  let redirected: DeliveryPlan['redirected'];
  if (!agency || listed.length === 0) {
    target = directory.coordinator;
    transports = configuredTransports(target);
    const why = agency ? 'agency.note.no_transport' : 'agency.note.not_in_directory';
    notices = [{ key: why, params: { agencyId: notice.agencyId } }, ...notices];
    redirected = { from: notice.agencyId, to: target.id };
  }
  const usable = available ? transports.filter((k) => available.includes(k)) : transports;
  const records = (usable.length > 0 ? usable : transports).map((transport): DeliveryRecord => ({
    key: deliveryKey(notice.messageKey, transport),
    complaintCode: notice.complaintCode,
    agencyId: target.id,
    transport,
    event: notice.event,
    ...(notice.note ? { note: notice.note } : {}),
    notices,
    dueAt,
  }));
  return redirected ? { records, redirected } : { records };
}
