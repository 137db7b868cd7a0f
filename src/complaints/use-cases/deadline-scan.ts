/**
 * Watching complaint deadlines: remind the responsible agency shortly before a complaint
 * is due, and tell the coordinator when one is overdue. Each message goes through the
 * delivery outbox, so it is retried like any other and never lost.
 *
 * Nothing breaks if two processes scan at once (the job runs under a lease anyway): every
 * message's key names the complaint and the deadline (`<code>:reminder:<dueAt ISO>`,
 * `<code>:overdue:<dueAt ISO>`), so planning it twice inserts it once, and a new deadline
 * (transfer, reopening) earns a new reminder.
 */
import type { Complaint } from '../domain/complaint';
import type { AgencyTransportKind } from '../domain/agency-delivery-plan';
import type { AgencyNotice } from '../domain/complaint-events';
import type { HolidayCalendar } from '../holiday-calendar';
import { workingDaysBetween } from '../working-days';
import { planAgencyNotice } from './commit-decision';
import type { ComplaintUseCaseDeps } from './use-case-deps';

export interface DeadlineScanOptions {
  /** Remind when at most this many working days are left (0 = on the due day); default 1. */
  readonly reminderWorkingDays?: number;
  /** Transports the delivery outbox can use; see planDeliveries. Default: all the agency lists. */
  readonly transports?: readonly AgencyTransportKind[];
}

export interface DeadlineScanResult {
  readonly reminded: number;
  readonly overdue: number;
}

/** History actions that set a new deadline. */
const DEADLINE_ACTIONS = new Set(['submitted', 'transferred', 'reassigned', 'reopened']);
const DAY_MS = 86_400_000;

/** When the current deadline was set: the last submission, hand-over or reopening. */
function deadlineSetAt(complaint: Pick<Complaint, 'createdAt' | 'history'>): Date {
  let at = complaint.createdAt;
  for (const entry of complaint.history) if (DEADLINE_ACTIONS.has(entry.action) && entry.at.getTime() > at.getTime()) at = entry.at;
  return at;
}

/** True when the complaint is within the reminder window and was not reminded for its current deadline. */
function reminderDue(complaint: Complaint, now: Date, window: number, holidays: HolidayCalendar): boolean {
  const setAt = deadlineSetAt(complaint);
  if (complaint.reminderSentAt && complaint.reminderSentAt.getTime() >= setAt.getTime()) return false;
  // A deadline no longer than the window itself (a 1-day deadline) gets no reminder: the forwarded message just said it.
  if (workingDaysBetween(setAt, complaint.dueAt, holidays) <= window) return false;
  return workingDaysBetween(now, complaint.dueAt, holidays) <= window;
}

export async function scanDeadlines(deps: ComplaintUseCaseDeps, now: Date, options: DeadlineScanOptions = {}): Promise<DeadlineScanResult> {
  const window = options.reminderWorkingDays ?? 1;
  // A calendar bound wide enough for the longest holiday run (Tết); the exact test is in working days.
  const horizon = new Date(now.getTime() + (window * 3 + 14) * DAY_MS);
  let reminded = 0;
  for (const complaint of await deps.repository.listOpenDueBetween(now, horizon)) {
    if (!reminderDue(complaint, now, window, deps.holidays)) continue;
    if (!deps.directory.current().agencyById.has(complaint.agencyId)) {
      deps.logger.warn({ code: complaint.code, agencyId: complaint.agencyId }, 'reminder skipped: agency not in the directory');
      continue;
    }
    const left = workingDaysBetween(now, complaint.dueAt, deps.holidays);
    const notice: AgencyNotice = {
      event: 'complaint.reminder',
      messageKey: `${complaint.code}:reminder:${complaint.dueAt.toISOString()}`,
      complaintCode: complaint.code,
      agencyId: complaint.agencyId,
      notices: [
        { key: 'agency.note.reminder', params: { code: complaint.code, dueAt: complaint.dueAt.toISOString(), left: String(left) } },
      ],
    };
    await planAgencyNotice(deps, notice, now, options.transports);
    // A conflict means someone changed the complaint meanwhile: the next scan looks again (the key dedupes the message).
    await deps.repository.update(complaint, { set: { reminderSentAt: now } });
    reminded++;
  }
  let overdue = 0;
  for (const complaint of await deps.repository.listOpenOverdue(now)) {
    // Alerted after this deadline passed = alerted for this deadline; an older alert was for an earlier one.
    if (complaint.overdueNotifiedAt && complaint.overdueNotifiedAt.getTime() >= complaint.dueAt.getTime()) continue;
    const notice: AgencyNotice = {
      event: 'complaint.overdue',
      messageKey: `${complaint.code}:overdue:${complaint.dueAt.toISOString()}`,
      complaintCode: complaint.code,
      agencyId: deps.directory.current().coordinator.id,
      notices: [
        {
          key: 'agency.note.overdue',
          params: { code: complaint.code, agencyId: complaint.agencyId, dueAt: complaint.dueAt.toISOString() },
        },
      ],
    };
    await planAgencyNotice(deps, notice, now, options.transports);
    await deps.repository.update(complaint, { set: { overdueNotifiedAt: now } });
    overdue++;
  }
  if (reminded + overdue > 0) deps.logger.info({ reminded, overdue }, 'deadline messages planned');
  return { reminded, overdue };
}
