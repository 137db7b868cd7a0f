/**
 * The stored shape of a complaint (as read with `lean()`) and what each reader may see
 * of it: the citizen who filed it, or the agency responsible for it.
 */
import type { ChannelName, Locale } from '../core/messages';
import type { Actor, AgencyComplaintView, CitizenComplaintView, ComplaintAnswer, ComplaintStatus } from './complaint-service';
import type { Directory } from './directory/directory';
import type { Sector } from './sectors';
import { isOverdue } from './working-days';

export interface StoredHistoryEntry {
  readonly at: Date;
  readonly action: string;
  readonly actor: { readonly kind: Actor['kind']; readonly id?: string | null; readonly agencyId?: string | null };
  readonly agencyId?: string | null;
  readonly note?: string | null;
}

export interface StoredComplaint {
  readonly code: string;
  readonly submissionKey: string;
  readonly channel: ChannelName;
  readonly userId: string;
  readonly locale: Locale;
  readonly text: string;
  readonly sector: Sector;
  readonly localityId?: string | null;
  readonly agencyId: string;
  readonly contact?: { readonly name?: string | null; readonly phone?: string | null } | null;
  readonly photos: readonly { readonly sourceRef: string; readonly photoId?: string | null }[];
  readonly status: ComplaintStatus;
  readonly history: readonly StoredHistoryEntry[];
  readonly deliveriesPlanned: boolean;
  readonly dueAt: Date;
  readonly rating?: { readonly score?: number | null; readonly comment?: string | null; readonly at?: Date | null } | null;
  readonly createdAt: Date;
}

/** Statuses in which the agency still owes an answer (the deadline runs). */
export const OPEN_STATUSES: readonly ComplaintStatus[] = ['received', 'forwarded', 'acknowledged', 'reopened'];

/** The agency's display name in `locale`, or its id when the directory no longer lists it. */
export function agencyDisplayName(directory: Directory, agencyId: string, locale: Locale): string {
  const agency = directory.agencyById.get(agencyId);
  return agency ? agency.name[locale] : agencyId;
}

/** Answers are the agency's `answered` entries, plus a note given when resolving. */
function answersOf(doc: StoredComplaint, directory: Directory, locale: Locale): ComplaintAnswer[] {
  return doc.history
    .filter((h) => (h.action === 'answered' || h.action === 'resolved') && h.note)
    .map((h) => ({ at: h.at, agencyName: agencyDisplayName(directory, h.agencyId ?? doc.agencyId, locale), text: h.note ?? '' }));
}

/** The citizen's view, with agency names in `locale` (the language the citizen reads now). */
export function toCitizenView(doc: StoredComplaint, directory: Directory, now: Date, locale: Locale = doc.locale): CitizenComplaintView {
  const score = doc.rating?.score;
  return {
    code: doc.code,
    status: doc.status,
    sector: doc.sector,
    agencyName: agencyDisplayName(directory, doc.agencyId, locale),
    createdAt: doc.createdAt,
    dueAt: doc.dueAt,
    overdue: OPEN_STATUSES.includes(doc.status) && isOverdue(doc.dueAt, now),
    answers: answersOf(doc, directory, locale),
    ...(typeof score === 'number' ? { rating: { score, ...(doc.rating?.comment ? { comment: doc.rating.comment } : {}) } } : {}),
  };
}

export function toAgencyView(doc: StoredComplaint, directory: Directory, now: Date): AgencyComplaintView {
  const contact =
    doc.contact && (doc.contact.name || doc.contact.phone)
      ? { ...(doc.contact.name ? { name: doc.contact.name } : {}), ...(doc.contact.phone ? { phone: doc.contact.phone } : {}) }
      : undefined;
  return {
    ...toCitizenView(doc, directory, now),
    agencyId: doc.agencyId,
    text: doc.text,
    ...(doc.localityId ? { localityId: doc.localityId } : {}),
    ...(contact ? { contact } : {}),
    photoIds: doc.photos.flatMap((p) => (p.photoId ? [p.photoId] : [])),
    history: doc.history.map((h) => ({
      at: h.at,
      action: h.action,
      actor: { kind: h.actor.kind, id: h.actor.id ?? '', ...(h.actor.agencyId ? { agencyId: h.actor.agencyId } : {}) },
      ...(h.note ? { note: h.note } : {}),
    })),
  };
}
