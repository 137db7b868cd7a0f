/**
 * The complaint rules, as pure functions: (complaint, command, actor, time, directory) →
 * the change to store, the history entries, the messages owed to the citizen — or a
 * refusal saying why. No database, no messenger: the use cases load, call these, store.
 *
 * Who may act (checked here, so Telegram, the agency API and a web console share one rule):
 * - the system may do anything;
 * - the people of the agency the complaint is routed to *now* (officers, API keys) act on
 *   it — acknowledge, answer, transfer, resolve, close;
 * - the coordinating agency (`coordinator: true` in the directory) acts on every
 *   complaint and alone may re-assign one to another agency;
 * - a citizen never acts as an officer (rating is their own rule, below).
 */
import type { Directory } from '../directory/directory';
import type { HolidayCalendar } from '../holiday-calendar';
import { cleanComplaintText } from '../submission-key';
import { addWorkingDays } from '../working-days';
import {
  applyChange,
  CITIZEN_ACTOR,
  countActions,
  historyActor,
  type Actor,
  type Complaint,
  type ComplaintChange,
  type ComplaintStatus,
  type HistoryEntry,
} from './complaint';
import { handovers, type AgencyNotice, type CitizenNotice, type NotificationKind } from './complaint-events';
import { agencyDisplayName } from './complaint-views';

export type ActionError = 'not_found' | 'forbidden' | 'invalid_state' | 'unknown_agency' | 'invalid_input';

const MAX_NOTE_LENGTH = 4000;
const MAX_COMMENT_LENGTH = 1000;

export type OfficerCommand =
  | { readonly kind: 'acknowledge'; readonly note?: string }
  | { readonly kind: 'answer'; readonly text: string }
  | { readonly kind: 'transfer'; readonly toAgencyId: string; readonly note?: string }
  | { readonly kind: 'resolve'; readonly note?: string }
  | { readonly kind: 'close'; readonly note: string }
  | { readonly kind: 'reassign'; readonly toAgencyId: string; readonly note?: string };

export type OfficerCommandKind = OfficerCommand['kind'];

/** The statuses each officer command may start from. */
const ALLOWED_FROM: Readonly<Record<OfficerCommandKind, readonly ComplaintStatus[]>> = {
  acknowledge: ['received', 'forwarded', 'reopened'],
  answer: ['received', 'forwarded', 'acknowledged', 'answered', 'reopened'],
  transfer: ['received', 'forwarded', 'acknowledged', 'answered', 'reopened'],
  resolve: ['received', 'forwarded', 'acknowledged', 'answered', 'reopened'],
  close: ['received', 'forwarded', 'acknowledged', 'answered', 'resolved', 'reopened'],
  reassign: ['received', 'forwarded', 'acknowledged', 'answered', 'reopened'],
};

export interface RuleContext {
  readonly now: Date;
  readonly directory: Directory;
  readonly holidays: HolidayCalendar;
}

export type Refusal = { readonly ok: false; readonly error: ActionError; readonly message: string };

export type Decision =
  | {
      readonly ok: true;
      readonly change: ComplaintChange;
      /** The complaint as it will be once the change is stored. */
      readonly after: Complaint;
      readonly citizenNotices: readonly CitizenNotice[];
      /** A message for the agency that does not depend on routing (a comment added to a reopened complaint). */
      readonly agencyNotices: readonly AgencyNotice[];
      /** True when the complaint changed hands or was reopened: its agency must be sent the complaint again. */
      readonly rerouted: boolean;
    }
  | Refusal;

function refuse(error: ActionError, message: string): Refusal {
  return { ok: false, error, message };
}

/** True when `actor` speaks for the coordinating agency. */
function isCoordinator(actor: Pick<Actor, 'kind' | 'agencyId'>, directory: Directory): boolean {
  return actor.kind !== 'citizen' && actor.agencyId !== undefined && actor.agencyId === directory.coordinator.id;
}

/** Whether the agency `agencyId` (or the coordinator) may see a complaint routed to `complaintAgencyId`. */
export function mayRead(agencyId: string, complaintAgencyId: string, directory: Directory): boolean {
  return agencyId === complaintAgencyId || agencyId === directory.coordinator.id;
}

/** Whether `actor` may give `command` for a complaint routed to `complaintAgencyId`. */
export function mayAct(actor: Actor, command: OfficerCommandKind, complaintAgencyId: string, directory: Directory): boolean {
  if (actor.kind === 'system') return true;
  if (actor.kind === 'citizen' || !actor.agencyId) return false;
  if (isCoordinator(actor, directory)) return true;
  if (command === 'reassign') return false;
  return actor.agencyId === complaintAgencyId;
}

/** Checks the command's own input (before anything is read): texts, target agency. */
export function checkOfficerCommand(command: OfficerCommand, directory: Directory): Refusal | undefined {
  if (command.kind === 'answer') {
    const text = cleanComplaintText(command.text);
    if (!text || text.length > MAX_NOTE_LENGTH) return refuse('invalid_input', `an answer must have 1–${MAX_NOTE_LENGTH} characters`);
  }
  if (command.kind === 'close') {
    const note = cleanComplaintText(command.note);
    if (!note || note.length > MAX_NOTE_LENGTH) return refuse('invalid_input', `closing needs a reason of 1–${MAX_NOTE_LENGTH} characters`);
  }
  if ((command.kind === 'transfer' || command.kind === 'reassign') && !directory.agencyById.has(command.toAgencyId)) {
    return refuse('unknown_agency', `no agency ${command.toAgencyId} in the directory`);
  }
  return undefined;
}

/** What an officer (or an agency's system, or the coordinator) does to a complaint. */
export function decideOfficerCommand(complaint: Complaint, command: OfficerCommand, actor: Actor, ctx: RuleContext): Decision {
  const invalid = checkOfficerCommand(command, ctx.directory);
  if (invalid) return invalid;
  if (!mayAct(actor, command.kind, complaint.agencyId, ctx.directory)) {
    return refuse('forbidden', `complaint ${complaint.code} is not handled by this agency`);
  }
  if (!ALLOWED_FROM[command.kind].includes(complaint.status)) {
    return refuse('invalid_state', `cannot ${command.kind} a complaint that is ${complaint.status}`);
  }
  const entry = (action: string, note?: string, agencyId = complaint.agencyId): HistoryEntry => ({
    at: ctx.now,
    action,
    actor: historyActor(actor),
    agencyId,
    ...(note ? { note: cleanComplaintText(note).slice(0, MAX_NOTE_LENGTH) } : {}),
  });
  switch (command.kind) {
    case 'acknowledge':
      return decided(complaint, { set: { status: 'acknowledged' }, append: [entry('acknowledged', command.note)] }, (after) => [
        notice(after, 'acknowledged', 'acknowledged', ctx),
      ]);
    case 'answer': {
      const answer = cleanComplaintText(command.text);
      return decided(
        complaint,
        { set: { status: 'answered', ...firstResponse(complaint, ctx.now) }, append: [entry('answered', answer)] },
        (after) => [notice(after, 'answer', 'answered', ctx, { answer })],
      );
    }
    case 'resolve': {
      const note = command.note ? cleanComplaintText(command.note) : '';
      return decided(
        complaint,
        { set: { status: 'resolved', ...firstResponse(complaint, ctx.now) }, unset: ['rating'], append: [entry('resolved', note)] },
        (after) => [
          notice(after, 'resolved', 'resolved', ctx, note ? { note } : {}),
          // Numbered by resolutions: a complaint resolved again after a reopening is rated again.
          { ...notice(after, 'rating_request', 'resolved', ctx), at: new Date(ctx.now.getTime() + 1000) },
        ],
      );
    }
    case 'close': {
      const note = cleanComplaintText(command.note);
      return decided(
        complaint,
        { set: { status: 'closed', ...firstResponse(complaint, ctx.now) }, append: [entry('closed', note)] },
        (after) => [notice(after, 'closed', 'closed', ctx, { note })],
      );
    }
    case 'transfer':
    case 'reassign': {
      if (command.toAgencyId === complaint.agencyId) return refuse('invalid_input', 'the complaint is already with that agency');
      const target = ctx.directory.agencyById.get(command.toAgencyId)!;
      const action = command.kind === 'transfer' ? 'transferred' : 'reassigned';
      const change: ComplaintChange = {
        set: {
          status: 'forwarded',
          agencyId: target.id,
          dueAt: addWorkingDays(ctx.now, target.deadlineWorkingDays, ctx.holidays),
          deliveriesPlanned: false,
          routingReason: `${action} from ${complaint.agencyId}`,
        },
        unset: ['reminderSentAt', 'overdueNotifiedAt'],
        append: [entry(action, command.note, target.id)],
      };
      const fromAgencyId = complaint.agencyId;
      return decided(
        complaint,
        change,
        (after) => [
          notice(after, 'transferred', 'handover', ctx, { fromAgencyName: agencyDisplayName(ctx.directory, fromAgencyId, after.locale) }),
        ],
        true,
      );
    }
  }
}

/**
 * The citizen's rating (1–5) of a resolved complaint. 1–2 ("not satisfied") reopens it
 * with a new deadline and sends it back to its agency. A comment sent after the score is
 * kept with the rating; the agency of a reopened complaint is told.
 */
export function decideRating(complaint: Complaint, score: number, comment: string | undefined, ctx: RuleContext): Decision {
  if (!Number.isInteger(score) || score < 1 || score > 5) return refuse('invalid_input', 'score must be an integer from 1 to 5');
  const cleanComment = comment === undefined ? undefined : cleanComplaintText(comment).slice(0, MAX_COMMENT_LENGTH) || undefined;
  const entry = (action: string, note?: string): HistoryEntry => ({
    at: ctx.now,
    action,
    actor: historyActor(CITIZEN_ACTOR),
    agencyId: complaint.agencyId,
    ...(note ? { note } : {}),
  });
  if (complaint.rating?.score === score && !complaint.rating.comment && cleanComment) {
    const change: ComplaintChange = {
      set: { rating: { ...complaint.rating, comment: cleanComment } },
      append: [entry('rating_comment', cleanComment)],
    };
    const agencyNotices: AgencyNotice[] =
      complaint.status === 'reopened'
        ? [
            {
              event: 'complaint.reopened',
              messageKey: `${complaint.code}:reopened:${countActions(complaint, 'reopened')}:comment`,
              complaintCode: complaint.code,
              agencyId: complaint.agencyId,
              notices: [{ key: 'agency.note.citizen_comment', params: { comment: cleanComment } }],
            },
          ]
        : [];
    return { ...decided(complaint, change, () => []), agencyNotices } as Decision;
  }
  if (complaint.status !== 'resolved' || typeof complaint.rating?.score === 'number') {
    return refuse('invalid_state', `complaint ${complaint.code} cannot be rated now (${complaint.status})`);
  }
  const rating = { score, at: ctx.now, ...(cleanComment ? { comment: cleanComment } : {}) };
  if (score > 2) return decided(complaint, { set: { rating }, append: [entry('rated', `${score}/5`)] }, () => []);
  const agency = ctx.directory.agencyById.get(complaint.agencyId);
  const change: ComplaintChange = {
    set: {
      rating,
      status: 'reopened',
      dueAt: agency ? addWorkingDays(ctx.now, agency.deadlineWorkingDays, ctx.holidays) : complaint.dueAt,
      deliveriesPlanned: false,
    },
    unset: ['reminderSentAt', 'overdueNotifiedAt'],
    append: [entry('rated', `${score}/5`), entry('reopened', cleanComment)],
  };
  return decided(complaint, change, () => [], true);
}

/** The first delivery to the responsible agency succeeded: `received` becomes `forwarded`. Undefined: nothing to do. */
export function decideForwarded(complaint: Complaint, agencyId: string, now: Date): ComplaintChange | undefined {
  if (complaint.status !== 'received' || complaint.agencyId !== agencyId) return undefined;
  return {
    set: { status: 'forwarded' },
    append: [{ at: now, action: 'forwarded', actor: { kind: 'system', id: 'outbox' }, agencyId }],
  };
}

/** The first answer, resolution or closing is the agency's response: when, and whether by the deadline then in force. */
function firstResponse(complaint: Complaint, now: Date): Pick<Complaint, 'firstResponseAt' | 'respondedOnTime'> {
  if (complaint.firstResponseAt) return {};
  return { firstResponseAt: now, respondedOnTime: now.getTime() <= complaint.dueAt.getTime() };
}

function decided(
  complaint: Complaint,
  change: ComplaintChange,
  notices: (after: Complaint) => CitizenNotice[],
  rerouted = false,
): Decision {
  const after = applyChange(complaint, change);
  return { ok: true, change, after, citizenNotices: notices(after), agencyNotices: [], rerouted };
}

/** What every notification text may need: the code, the agency's names in both languages, the due date. */
function params(complaint: Complaint, directory: Directory): Record<string, string> {
  return {
    code: complaint.code,
    agencyId: complaint.agencyId,
    agencyName: agencyDisplayName(directory, complaint.agencyId, 'vi'),
    agencyNameEn: agencyDisplayName(directory, complaint.agencyId, 'en'),
    dueAt: complaint.dueAt.toISOString(),
  };
}

function notice(
  after: Complaint,
  kind: NotificationKind,
  action: string,
  ctx: RuleContext,
  extra: Record<string, string> = {},
): CitizenNotice {
  const count = action === 'handover' ? handovers(after) : countActions(after, action);
  return {
    kind,
    sequence: Math.max(1, count),
    complaintCode: after.code,
    channel: after.channel,
    userId: after.userId,
    params: { ...params(after, ctx.directory), ...extra },
    at: ctx.now,
  };
}
