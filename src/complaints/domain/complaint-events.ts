/**
 * What a change to a complaint tells the world, as data: messages owed to agencies
 * (planned into the delivery outbox, one delivery per transport) and to the citizen
 * (the notification outbox). The use cases hand them to the outbox port; nothing here
 * sends anything.
 *
 * Texts are not written here: a notice names a locale key and its parameters
 * (`agency.note.*`, `complaint.notification.*`), rendered when the message is sent, so an
 * admin's wording fix reaches messages still waiting in the outbox.
 */
import type { ChannelName } from '../../core/messages';
import { countActions, type Complaint } from './complaint';

/** What happened, from the agency's point of view. Also sent as the X-CCHC-Event header. */
export type AgencyEventType = 'complaint.forwarded' | 'complaint.reopened' | 'complaint.reminder' | 'complaint.overdue' | 'delivery.dead';

export const AGENCY_EVENT_TYPES: readonly AgencyEventType[] = [
  'complaint.forwarded',
  'complaint.reopened',
  'complaint.reminder',
  'complaint.overdue',
  'delivery.dead',
];

/** A text to render at send time: a locale key (`agency.note.reminder`) and its parameters. */
export interface TextRef {
  readonly key: string;
  readonly params: Readonly<Record<string, string>>;
}

/** A message owed to an agency (before it is split into one delivery per transport). */
export interface AgencyNotice {
  readonly event: AgencyEventType;
  /** Key of the message; each delivery's key is `<messageKey>:<transport>`. */
  readonly messageKey: string;
  readonly complaintCode: string;
  /** The agency that should receive it. */
  readonly agencyId: string;
  /** What a person wrote for the agency (a transfer reason). */
  readonly note?: string;
  /** System texts for the agency, rendered at send time. */
  readonly notices?: readonly TextRef[];
}

/** Kinds of citizen notifications; each has its text `complaint.notification.<kind>`. */
export const NOTIFICATION_KINDS = ['acknowledged', 'answer', 'transferred', 'resolved', 'rating_request', 'reopened', 'closed'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export function isNotificationKind(value: string): value is NotificationKind {
  return (NOTIFICATION_KINDS as readonly string[]).includes(value);
}

/** A message owed to the citizen who filed a complaint. */
export interface CitizenNotice {
  readonly kind: NotificationKind;
  /** How many times the action it reports is in the history now: numbers the notification's key. */
  readonly sequence: number;
  readonly complaintCode: string;
  readonly channel: ChannelName;
  readonly userId: string;
  /** Data to render the text in the citizen's language at send time. */
  readonly params: Readonly<Record<string, string>>;
  /** When it becomes due (a rating request waits a second behind the resolution). */
  readonly at: Date;
}

/** The notification's key: `<code>:<kind>:<n>`, n = `notice.sequence` unless a race took it (see the use cases). */
export function notificationKey(notice: Pick<CitizenNotice, 'complaintCode' | 'kind'>, n: number): string {
  return `${notice.complaintCode}:${notice.kind}:${n}`;
}

/** History actions after which the responsible agency must be told about the complaint. */
const ROUTING_ACTIONS = ['submitted', 'transferred', 'reassigned', 'reopened'] as const;

/** How many times the complaint changed hands (transfers by agencies and re-assignments by the coordinator). */
export function handovers(complaint: Pick<Complaint, 'history'>): number {
  return countActions(complaint, 'transferred') + countActions(complaint, 'reassigned');
}

/**
 * The message the agency is owed after the complaint's last routing action: the complaint
 * itself after a submission or a hand-over (`<code>:forwarded:<hand-overs>`), or the
 * reopening after a bad rating (`<code>:reopened:<n>`).
 */
export function pendingAgencyNotice(complaint: Pick<Complaint, 'code' | 'agencyId' | 'history' | 'rating'>): AgencyNotice {
  const routing = complaint.history.filter((h) => (ROUTING_ACTIONS as readonly string[]).includes(h.action));
  const last = routing[routing.length - 1];
  const base = { complaintCode: complaint.code, agencyId: complaint.agencyId };
  if (last?.action === 'reopened') {
    const score = complaint.rating?.score;
    const params: Record<string, string> = { score: typeof score === 'number' ? String(score) : '?' };
    const comment = last.note ?? undefined;
    return {
      ...base,
      event: 'complaint.reopened',
      messageKey: `${complaint.code}:reopened:${countActions(complaint, 'reopened')}`,
      notices: [
        { key: comment ? 'agency.note.reopened_comment' : 'agency.note.reopened', params: comment ? { ...params, comment } : params },
      ],
    };
  }
  const handover = last?.action === 'transferred' || last?.action === 'reassigned';
  const note = handover ? (last.note ?? undefined) : undefined;
  return {
    ...base,
    event: 'complaint.forwarded',
    messageKey: `${complaint.code}:forwarded:${handovers(complaint)}`,
    ...(note ? { note } : {}),
  };
}
