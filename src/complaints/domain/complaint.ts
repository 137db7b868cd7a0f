/**
 * A complaint as the rules see it: plain data, no database and no messenger. The
 * repository (src/storage) reads and writes exactly this shape; the use cases decide
 * with it; the views derive what each reader may see from it.
 */
import type { ChannelName, Locale } from '../../core/messages';
import type { Sector } from '../sectors';

export type ComplaintStatus = 'received' | 'forwarded' | 'acknowledged' | 'answered' | 'resolved' | 'reopened' | 'closed';

/** Statuses in which the agency still owes an answer (the deadline runs). */
export const OPEN_STATUSES: readonly ComplaintStatus[] = ['received', 'forwarded', 'acknowledged', 'reopened'];

export interface Actor {
  readonly kind: 'citizen' | 'officer' | 'agency_api' | 'system';
  /** Officer's Telegram user id, the API key's label, "deadline-scanner"… */
  readonly id: string;
  /** The agency the actor acts for (officers and API keys). */
  readonly agencyId?: string;
}

export interface HistoryEntry {
  readonly at: Date;
  readonly action: string;
  readonly actor: { readonly kind: Actor['kind']; readonly id?: string | null; readonly agencyId?: string | null };
  /** The agency responsible after the action. */
  readonly agencyId?: string | null;
  /** Free text of the action (an answer, a transfer reason). */
  readonly note?: string | null;
}

interface Contact {
  readonly name?: string | null;
  readonly phone?: string | null;
}

export interface PhotoRef {
  readonly sourceRef: string;
  readonly photoId?: string | null;
  readonly contentType?: string | null;
  readonly size?: number | null;
}

interface Rating {
  readonly score?: number | null;
  readonly comment?: string | null;
  readonly at?: Date | null;
}

export interface Complaint {
  /** The tracking code; also the document's `_id`. */
  readonly code: string;
  readonly submissionKey: string;
  readonly channel: ChannelName;
  readonly userId: string;
  readonly locale: Locale;
  readonly text: string;
  readonly sector: Sector;
  readonly localityId?: string | null;
  readonly agencyId: string;
  readonly routingReason?: string | null;
  readonly contact?: Contact | null;
  readonly photos: readonly PhotoRef[];
  readonly status: ComplaintStatus;
  readonly history: readonly HistoryEntry[];
  /** True once the deliveries the last routing action calls for are in the outbox. */
  readonly deliveriesPlanned: boolean;
  readonly dueAt: Date;
  readonly reminderSentAt?: Date | null;
  readonly overdueNotifiedAt?: Date | null;
  readonly rating?: Rating | null;
  /**
   * When the agency first answered, resolved or closed the complaint, and whether that was
   * by the working-day deadline then in force: the reports' on-time rate groups by this
   * stored flag (FerretDB's aggregation cannot compare two fields).
   */
  readonly firstResponseAt?: Date | null;
  readonly respondedOnTime?: boolean | null;
  /** Hash of the PIN given with the code (status-secret.ts); absent on complaints filed before PINs. */
  readonly pinHash?: string | null;
  /**
   * Number of changes applied since the insert (0 = as inserted). Every change claims the
   * next number first, so exactly one writer applies each change (optimistic concurrency
   * that holds on FerretDB, whose conditional updates are not atomic).
   */
  readonly version: number;
  readonly createdAt: Date;
  /** When the complaint last changed (storage's timestamp; absent on a complaint not yet stored). */
  readonly updatedAt?: Date;
  /**
   * When the citizen's personal data (text, contact, photos, comments, platform id) was
   * erased — on their request or by the retention job after closure. The record stays,
   * without them, for the agencies' statistics.
   */
  readonly personalDataErasedAt?: Date | null;
}

/** Fields a change may set. */
type ComplaintFields = Pick<
  Complaint,
  | 'status'
  | 'agencyId'
  | 'routingReason'
  | 'dueAt'
  | 'deliveriesPlanned'
  | 'reminderSentAt'
  | 'overdueNotifiedAt'
  | 'rating'
  | 'photos'
  | 'text'
  | 'contact'
  | 'userId'
  | 'submissionKey'
  | 'history'
  | 'personalDataErasedAt'
  | 'firstResponseAt'
  | 'respondedOnTime'
>;

/** What one decision changes in a complaint; applied as a whole or not at all. */
export interface ComplaintChange {
  readonly set: Partial<ComplaintFields>;
  /** Fields removed ('rating.comment' removes only the comment). */
  readonly unset?: readonly ('rating' | 'rating.comment' | 'contact' | 'reminderSentAt' | 'overdueNotifiedAt')[];
  /** History entries appended, in order. */
  readonly append?: readonly HistoryEntry[];
}

/** The complaint after `change` (pure: what the repository will store). */
export function applyChange(complaint: Complaint, change: ComplaintChange): Complaint {
  const next: Record<string, unknown> = { ...complaint, ...change.set, version: complaint.version + 1 };
  for (const field of change.unset ?? []) {
    if (field === 'rating.comment') {
      if (complaint.rating) next.rating = { ...complaint.rating, comment: undefined };
    } else delete next[field];
  }
  if (change.append?.length) next.history = [...((next.history as HistoryEntry[] | undefined) ?? []), ...change.append];
  return next as unknown as Complaint;
}

/** How many times `action` is in the history. */
export function countActions(complaint: Pick<Complaint, 'history'>, action: string): number {
  return complaint.history.filter((h) => h.action === action).length;
}

/** A history entry's actor, without empty fields. */
export function historyActor(actor: Actor): HistoryEntry['actor'] {
  return { kind: actor.kind, id: actor.id, ...(actor.agencyId ? { agencyId: actor.agencyId } : {}) };
}

/** The one citizen actor recorded in histories (never their platform id). */
export const CITIZEN_ACTOR: Actor = { kind: 'citizen', id: 'citizen' };
