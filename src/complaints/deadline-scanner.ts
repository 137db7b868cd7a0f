/**
 * Watches complaint deadlines: reminds the responsible agency shortly before a complaint
 * is due, and tells the coordinator agency (Sở Nội vụ in the sample directory) when one
 * is overdue. Each message goes through the delivery outbox, so it is retried like any
 * other and never lost.
 *
 * One process scans at a time (lease `deadline-scanner`), but nothing breaks if two do:
 * every message's idempotency key names the complaint and the deadline
 * (`<code>:reminder:<dueAt ISO>`, `<code>:overdue:<dueAt ISO>`), so planning it twice
 * inserts it once, and a new deadline (transfer, reopening) earns a new reminder.
 *
 * "Open" is the complaint service's definition ({@link OPEN_STATUSES}): the agency still
 * owes an answer. Deadlines count in working days (working-days.ts), so a reminder
 * "one working day before" skips weekends and holidays.
 */
import { formatVietnamTime } from '../forwarding/agency-message-format';
import { planAgencyDeliveries, type TransportKind } from '../forwarding/outbox';
import { PollingLoop } from '../forwarding/polling-loop';
import type { Logger } from '../infra/logger';
import type { Database } from '../storage/mongo/database';
import { OPEN_STATUSES } from './complaint-views';
import type { DirectorySource } from './delivery-planner';
import type { HolidayCalendar } from './holiday-calendar';
import { workingDaysBetween } from './working-days';

export const DEADLINE_SCANNER_LEASE = 'deadline-scanner';

export interface DeadlineScannerOptions {
  readonly db: Database;
  readonly directory: DirectorySource;
  readonly holidays: HolidayCalendar;
  /** This process's id in the lease. */
  readonly owner: string;
  readonly logger: Logger;
  /** Time between scans; default 10 min. */
  readonly intervalMs?: number;
  /** Lease length, renewed at each scan; default 3 × interval. */
  readonly leaseMs?: number;
  /** Remind when at most this many working days are left (0 = on the due day); default 1. */
  readonly reminderWorkingDays?: number;
  /** Transports the delivery worker has; see planAgencyDeliveries. Default: all the agency lists. */
  readonly transports?: readonly TransportKind[];
  readonly clock?: () => Date;
  /** Called when messages were planned (e.g. to poke the delivery worker). */
  readonly onPlanned?: (count: number) => void;
}

export interface DeadlineScanResult {
  /** False when another process holds the lease: nothing was scanned. */
  readonly leased: boolean;
  readonly reminded: number;
  readonly overdue: number;
}

interface DeadlineFields {
  readonly code: string;
  readonly agencyId: string;
  readonly dueAt: Date;
  readonly createdAt: Date;
  readonly reminderSentAt?: Date | null;
  readonly overdueNotifiedAt?: Date | null;
  readonly history?: readonly { readonly action: string; readonly at: Date }[];
}

/** History actions that set a new deadline. */
const DEADLINE_ACTIONS = new Set(['submitted', 'transferred', 'reopened']);
const DAY_MS = 86_400_000;

export class DeadlineScanner {
  private readonly loop: PollingLoop;
  private readonly clock: () => Date;
  private readonly intervalMs: number;

  constructor(private readonly options: DeadlineScannerOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.intervalMs = options.intervalMs ?? 600_000;
    const tick = async (): Promise<boolean> => {
      await this.runOnce();
      return false;
    };
    this.loop = new PollingLoop('deadline-scanner', tick, this.intervalMs, options.logger);
  }

  start(): void {
    this.loop.start();
  }

  /** Waits for a scan in progress, then gives the lease up so another process can take over at once. */
  async stop(): Promise<void> {
    await this.loop.stop();
    await this.options.db.leases.release(DEADLINE_SCANNER_LEASE, this.options.owner).catch(() => undefined);
  }

  /** One scan, if this process holds (or can take) the lease. */
  async runOnce(): Promise<DeadlineScanResult> {
    const now = this.clock();
    const leaseMs = this.options.leaseMs ?? this.intervalMs * 3;
    if (!(await this.options.db.leases.acquire(DEADLINE_SCANNER_LEASE, this.options.owner, leaseMs, now))) {
      return { leased: false, reminded: 0, overdue: 0 };
    }
    const reminded = await this.sendReminders(now);
    const overdue = await this.sendOverdueAlerts(now);
    if (reminded + overdue > 0) {
      this.options.logger.info({ reminded, overdue }, 'deadline messages planned');
      this.options.onPlanned?.(reminded + overdue);
    }
    return { leased: true, reminded, overdue };
  }

  /** Reminders for complaints due within the window and not yet reminded for their current deadline. */
  private async sendReminders(now: Date): Promise<number> {
    const window = this.options.reminderWorkingDays ?? 1;
    // A calendar bound wide enough for the longest holiday run (Tết); the exact test is in working days.
    const horizon = new Date(now.getTime() + (window * 3 + 14) * DAY_MS);
    const candidates = await this.options.db.models.Complaint.find({ status: { $in: OPEN_STATUSES }, dueAt: { $gt: now, $lte: horizon } })
      .select({ code: 1, agencyId: 1, dueAt: 1, createdAt: 1, reminderSentAt: 1, history: 1 })
      .lean<DeadlineFields[]>();
    let count = 0;
    for (const complaint of candidates) {
      if (!this.reminderDue(complaint, now, window)) continue;
      const directory = this.options.directory.current();
      const agency = directory.agencyById.get(complaint.agencyId);
      if (!agency) {
        this.options.logger.warn({ code: complaint.code, agencyId: complaint.agencyId }, 'reminder skipped: agency not in the directory');
        continue;
      }
      const left = workingDaysBetween(now, complaint.dueAt, this.options.holidays);
      await planAgencyDeliveries(this.options.db, {
        agency,
        messageKey: `${complaint.code}:reminder:${complaint.dueAt.toISOString()}`,
        complaintCode: complaint.code,
        event: 'complaint.reminder',
        note: `Phản ánh ${complaint.code} đến hạn xử lý lúc ${formatVietnamTime(complaint.dueAt.toISOString())} (còn ${left} ngày làm việc). Đề nghị cơ quan trả lời người dân trước thời hạn.`,
        now,
        available: this.options.transports,
      });
      await this.options.db.models.Complaint.updateOne({ code: complaint.code, dueAt: complaint.dueAt }, { $set: { reminderSentAt: now } });
      count++;
    }
    return count;
  }

  private reminderDue(complaint: DeadlineFields, now: Date, window: number): boolean {
    const setAt = deadlineSetAt(complaint);
    if (complaint.reminderSentAt && complaint.reminderSentAt.getTime() >= setAt.getTime()) return false;
    // A deadline no longer than the window itself (a 1-day deadline) gets no reminder: the forwarded message just said it.
    if (workingDaysBetween(setAt, complaint.dueAt, this.options.holidays) <= window) return false;
    return workingDaysBetween(now, complaint.dueAt, this.options.holidays) <= window;
  }

  /** Overdue alerts to the coordinator, once per deadline. */
  private async sendOverdueAlerts(now: Date): Promise<number> {
    const candidates = await this.options.db.models.Complaint.find({ status: { $in: OPEN_STATUSES }, dueAt: { $lt: now } })
      .select({ code: 1, agencyId: 1, dueAt: 1, createdAt: 1, overdueNotifiedAt: 1 })
      .lean<DeadlineFields[]>();
    let count = 0;
    for (const complaint of candidates) {
      // Alerted after this deadline passed = alerted for this deadline; an older alert was for an earlier one.
      if (complaint.overdueNotifiedAt && complaint.overdueNotifiedAt.getTime() >= complaint.dueAt.getTime()) continue;
      const directory = this.options.directory.current();
      const agencyName = directory.agencyById.get(complaint.agencyId)?.name.vi ?? complaint.agencyId;
      await planAgencyDeliveries(this.options.db, {
        agency: directory.coordinator,
        messageKey: `${complaint.code}:overdue:${complaint.dueAt.toISOString()}`,
        complaintCode: complaint.code,
        event: 'complaint.overdue',
        note: `Phản ánh ${complaint.code} do ${agencyName} xử lý đã quá hạn (hạn ${formatVietnamTime(complaint.dueAt.toISOString())}) mà chưa có trả lời.`,
        now,
        available: this.options.transports,
      });
      await this.options.db.models.Complaint.updateOne(
        { code: complaint.code, dueAt: complaint.dueAt },
        { $set: { overdueNotifiedAt: now } },
      );
      count++;
    }
    return count;
  }
}

/** When the current deadline was set: the last submission, transfer or reopening. */
export function deadlineSetAt(complaint: Pick<DeadlineFields, 'createdAt' | 'history'>): Date {
  let at = complaint.createdAt;
  for (const entry of complaint.history ?? []) if (DEADLINE_ACTIONS.has(entry.action) && entry.at.getTime() > at.getTime()) at = entry.at;
  return at;
}
