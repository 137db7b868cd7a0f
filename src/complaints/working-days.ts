/**
 * Deadlines in Vietnamese working days, computed in Vietnam time (Asia/Ho_Chi_Minh,
 * UTC+7 all year: Vietnam has no daylight saving time, so a fixed offset is exact and
 * we need no time-zone database).
 *
 * The counting rule (chosen here; change it only together with the citizen-facing text):
 * 1. **Receipt day.** A complaint received on a working day before the end of working
 *    hours (17:00) is received that day. One received after 17:00, on a weekend or on a
 *    public holiday counts as received on the next working day.
 * 2. **The receipt day itself is not counted**, as for any period expressed in days
 *    under Vietnamese law (Bộ luật Dân sự 2015, Điều 147: "ngày đầu tiên của thời hạn
 *    không được tính"). Day 1 is the first working day after the receipt day.
 * 3. **Due at the end of working hours** (17:00) of the N-th working day.
 *
 * So a 5-working-day complaint received on Monday 10:00 is due the next Monday 17:00;
 * one received on Friday 18:00 is treated as received on Monday and is due the Monday after
 * next at 17:00. Weekends and the holidays of {@link HolidayCalendar} are skipped, and the
 * calendar's make-up Saturdays count as working days.
 */
import type { DateKey, HolidayCalendar } from './holiday-calendar';

export { HolidayCalendar, loadHolidays, type DateKey } from './holiday-calendar';

/** Vietnam's offset from UTC, in hours. */
export const VIETNAM_UTC_OFFSET_HOURS = 7;
/** End of the working day, local hour. Government offices close at 17:00 (some at 16:30: pass an option). */
export const DEFAULT_WORKDAY_END = { hour: 17, minute: 0 } as const;

export interface WorkingDayOptions {
  /** Local time at which the working day ends; default 17:00. */
  readonly workdayEnd?: { readonly hour: number; readonly minute: number };
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const OFFSET_MS = VIETNAM_UTC_OFFSET_HOURS * HOUR_MS;

/** The calendar date in Vietnam at this instant. */
export function localDateKey(instant: Date): DateKey {
  return new Date(instant.getTime() + OFFSET_MS).toISOString().slice(0, 10);
}

/** The date `n` calendar days after (or before) `date`. */
export function shiftDate(date: DateKey, n: number): DateKey {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** The first working day strictly after `date`. */
export function nextWorkingDay(date: DateKey, holidays: HolidayCalendar): DateKey {
  let d = shiftDate(date, 1);
  // A run of non-working days is at most a few weeks even in a malformed calendar; 400 is a safety stop.
  for (let i = 0; i < 400 && !holidays.isWorkingDay(d); i++) d = shiftDate(d, 1);
  return d;
}

/** The instant the working day `date` ends (17:00 Vietnam time by default). */
export function endOfWorkingDay(date: DateKey, options: WorkingDayOptions = {}): Date {
  const end = options.workdayEnd ?? DEFAULT_WORKDAY_END;
  return new Date(Date.parse(`${date}T00:00:00Z`) - OFFSET_MS + end.hour * HOUR_MS + end.minute * 60_000);
}

/** The day a complaint received at `receivedAt` counts as received (rule 1 above). */
export function receiptDay(receivedAt: Date, holidays: HolidayCalendar, options: WorkingDayOptions = {}): DateKey {
  const today = localDateKey(receivedAt);
  const inHours = holidays.isWorkingDay(today) && receivedAt.getTime() < endOfWorkingDay(today, options).getTime();
  return inHours ? today : nextWorkingDay(today, holidays);
}

/**
 * The deadline for a complaint received at `start` that must be answered within `days`
 * working days: 17:00 Vietnam time on the `days`-th working day after the receipt day.
 * `days = 0` gives the end of the receipt day.
 *
 * @throws RangeError if `days` is negative or not an integer (a programming error, not a user one).
 */
export function addWorkingDays(start: Date, days: number, holidays: HolidayCalendar, options: WorkingDayOptions = {}): Date {
  if (!Number.isInteger(days) || days < 0) throw new RangeError(`days must be a non-negative integer, got ${days}`);
  let day = receiptDay(start, holidays, options);
  for (let i = 0; i < days; i++) day = nextWorkingDay(day, holidays);
  return endOfWorkingDay(day, options);
}

/**
 * Working days from `from` to `to`, counted like a deadline: the working days after
 * `from`'s receipt day, up to and including the date of `to`. Negative when `to` lies
 * before that receipt day. For reminders: `workingDaysBetween(now, dueAt)` is the number
 * of working days left (0 = due at the end of the current working day); a negative
 * value is how many working days the complaint is late. Always
 * `workingDaysBetween(t, addWorkingDays(t, n)) === n`.
 */
export function workingDaysBetween(from: Date, to: Date, holidays: HolidayCalendar, options: WorkingDayOptions = {}): number {
  const start = receiptDay(from, holidays, options);
  const end = localDateKey(to);
  if (end >= start) return countWorkingDays(start, end, holidays);
  return -countWorkingDays(end, start, holidays);
}

/** Working days in the half-open date range (after, upTo]. */
function countWorkingDays(after: DateKey, upTo: DateKey, holidays: HolidayCalendar): number {
  let count = 0;
  for (let d = shiftDate(after, 1); d <= upTo; d = shiftDate(d, 1)) if (holidays.isWorkingDay(d)) count++;
  return count;
}

/** True once the deadline has passed. A separate function so every caller compares the same way. */
export function isOverdue(dueAt: Date, now: Date = new Date()): boolean {
  return now.getTime() > dueAt.getTime();
}
