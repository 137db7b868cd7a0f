/**
 * Erasing a citizen's personal data from a complaint (Decree 13/2023/NĐ-CP; from 1 January
 * 2026 the Law on Personal Data Protection, 91/2025/QH15): on the citizen's request (Zalo
 * `user_withdraw`, `npm run citizen-data -- erase`) or by the retention job some time after
 * the complaint was closed.
 *
 * What goes: the text, the contact, the photos, the citizen's own notes (a rating
 * comment), the platform id and the submission key (a hash of the text and the id). What
 * stays, for the agencies' statistics and reports: the code, channel, sector, place,
 * agency, status, dates, deadline, the actions of the history with who acted (officers,
 * never the citizen's id) and the agencies' own notes, and the rating's score.
 */
import { CITIZEN_ACTOR, historyActor, type Complaint, type ComplaintChange, type ComplaintStatus } from './complaint';
import type { Decision } from './complaint-rules';

/** Statuses after which the agency owes nothing more (a resolved complaint may still be rated, then reopened). */
export const FINISHED_STATUSES: readonly ComplaintStatus[] = ['resolved', 'closed'];

export function isFinished(status: ComplaintStatus): boolean {
  return FINISHED_STATUSES.includes(status);
}

/** The change that erases the complaint's personal data; `now` is recorded as `personalDataErasedAt`. */
export function decidePersonalDataErasure(complaint: Complaint, now: Date): Extract<Decision, { ok: true }> {
  const citizen = historyActor(CITIZEN_ACTOR).kind;
  // Citizen-written notes (comments) go; agency notes, the actions and the scores stay.
  const history = complaint.history.map((h) => (h.actor.kind === citizen && h.action !== 'rated' ? { ...h, note: undefined } : h));
  const change: ComplaintChange = {
    set: {
      text: '',
      photos: [],
      history,
      userId: erasedUserId(complaint.code),
      submissionKey: erasedUserId(complaint.code),
      personalDataErasedAt: now,
    },
    unset: ['contact', 'rating.comment'],
  };
  const rating = complaint.rating ? { ...complaint.rating, comment: undefined } : complaint.rating;
  return {
    ok: true,
    change,
    after: { ...complaint, ...change.set, contact: undefined, rating },
    citizenNotices: [],
    agencyNotices: [],
    rerouted: false,
  };
}

/** The platform id an erased complaint keeps: unique per complaint, says nothing of the citizen. */
function erasedUserId(code: string): string {
  return `forgotten:${code}`;
}
