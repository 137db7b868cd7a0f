/**
 * What each reader may see of a complaint: the public (a code alone: status and dates),
 * the citizen who filed it (or anyone with its secret: the answers too), and the agency
 * responsible for it (the text and the contact the citizen chose to share).
 */
import type { Locale } from '../../core/messages';
import type { Directory } from '../directory/directory';
import type { Sector } from '../sectors';
import { isOverdue } from '../working-days';
import { OPEN_STATUSES, type Actor, type Complaint, type ComplaintStatus } from './complaint';

interface ComplaintAnswer {
  readonly at: Date;
  readonly agencyName: string;
  readonly text: string;
}

/** What a code alone shows: status and dates; never text, names, phone numbers or answers. */
export interface PublicComplaintView {
  readonly code: string;
  readonly status: ComplaintStatus;
  readonly createdAt: Date;
  readonly dueAt: Date;
  readonly overdue: boolean;
}

/** What the citizen who filed the complaint (or who gives its secret) may see. */
export interface CitizenComplaintView extends PublicComplaintView {
  readonly sector: Sector;
  readonly agencyName: string;
  readonly answers: readonly ComplaintAnswer[];
  readonly rating?: { readonly score: number; readonly comment?: string };
}

/** What the responsible agency sees (includes the text and the contact the citizen chose to share). */
export interface AgencyComplaintView extends CitizenComplaintView {
  readonly agencyId: string;
  readonly text: string;
  readonly localityId?: string;
  readonly contact?: { readonly name?: string; readonly phone?: string };
  readonly photoIds: readonly string[];
  readonly history: readonly { readonly at: Date; readonly action: string; readonly actor: Actor; readonly note?: string }[];
}

/** The agency's display name in `locale`, or its id when the directory no longer lists it. */
export function agencyDisplayName(directory: Directory, agencyId: string, locale: Locale): string {
  const agency = directory.agencyById.get(agencyId);
  return agency ? agency.name[locale] : agencyId;
}

export function toPublicView(complaint: Complaint, now: Date): PublicComplaintView {
  return {
    code: complaint.code,
    status: complaint.status,
    createdAt: complaint.createdAt,
    dueAt: complaint.dueAt,
    overdue: OPEN_STATUSES.includes(complaint.status) && isOverdue(complaint.dueAt, now),
  };
}

/** Answers are the agency's `answered` entries, plus a note given when resolving or closing. */
function answersOf(complaint: Complaint, directory: Directory, locale: Locale): ComplaintAnswer[] {
  return complaint.history
    .filter((h) => (h.action === 'answered' || h.action === 'resolved' || h.action === 'closed') && h.note)
    .map((h) => ({ at: h.at, agencyName: agencyDisplayName(directory, h.agencyId ?? complaint.agencyId, locale), text: h.note ?? '' }));
}

/** The citizen's view, with agency names in `locale` (the language the citizen reads now). */
export function toCitizenView(
  complaint: Complaint,
  directory: Directory,
  now: Date,
  locale: Locale = complaint.locale,
): CitizenComplaintView {
  const score = complaint.rating?.score;
  return {
    ...toPublicView(complaint, now),
    sector: complaint.sector,
    agencyName: agencyDisplayName(directory, complaint.agencyId, locale),
    answers: answersOf(complaint, directory, locale),
    ...(typeof score === 'number'
      ? { rating: { score, ...(complaint.rating?.comment ? { comment: complaint.rating.comment } : {}) } }
      : {}),
  };
}

export function toAgencyView(complaint: Complaint, directory: Directory, now: Date): AgencyComplaintView {
  const c = complaint.contact;
  const contact = c && (c.name || c.phone) ? { ...(c.name ? { name: c.name } : {}), ...(c.phone ? { phone: c.phone } : {}) } : undefined;
  return {
    ...toCitizenView(complaint, directory, now),
    agencyId: complaint.agencyId,
    text: complaint.text,
    ...(complaint.localityId ? { localityId: complaint.localityId } : {}),
    ...(contact ? { contact } : {}),
    photoIds: complaint.photos.flatMap((p) => (p.photoId ? [p.photoId] : [])),
    history: complaint.history.map((h) => ({
      at: h.at,
      action: h.action,
      actor: { kind: h.actor.kind, id: h.actor.id ?? '', ...(h.actor.agencyId ? { agencyId: h.actor.agencyId } : {}) },
      ...(h.note ? { note: h.note } : {}),
    })),
  };
}
