/**
 * Report periods in Vietnamese calendar days (UTC+7, no daylight saving time): a form's
 * `from`/`to` dates (both included) or a month "2026-11", as the instants [from, to).
 */
const VIETNAM_OFFSET_MS = 7 * 3600_000;
const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH = /^(\d{4})-(\d{2})$/;
/** Longest period a report covers (a query over years would read every document). */
const MAX_DAYS = 400;

export interface Period {
  readonly from: Date;
  readonly to: Date;
  /** The dates as typed back in a form (`to` included). */
  readonly fromDate: string;
  readonly toDate: string;
}

/** The instant a Vietnamese calendar day starts. */
function dayStart(y: number, m: number, d: number): Date {
  return new Date(Date.UTC(y, m - 1, d) - VIETNAM_OFFSET_MS);
}

/** The Vietnamese calendar date of an instant, "YYYY-MM-DD". */
function vietnamDate(at: Date): string {
  return new Date(at.getTime() + VIETNAM_OFFSET_MS).toISOString().slice(0, 10);
}

function parseDate(text: string): Date | undefined {
  const m = DATE.exec(text);
  if (!m) return undefined;
  const date = dayStart(Number(m[1]), Number(m[2]), Number(m[3]));
  return vietnamDate(date) === text ? date : undefined;
}

/** The period of a form; defaults: the last 30 days up to today. Undefined when the dates are invalid. */
export function parsePeriod(from: string | undefined, to: string | undefined, now: Date): Period | undefined {
  const today = vietnamDate(now);
  const toDate = to || today;
  const end = parseDate(toDate);
  const fromDate = from || vietnamDate(new Date((end ?? now).getTime() - 29 * DAY_MS));
  const start = parseDate(fromDate);
  if (!start || !end || start > end || end.getTime() - start.getTime() > MAX_DAYS * DAY_MS) return undefined;
  return { from: start, to: new Date(end.getTime() + DAY_MS), fromDate, toDate };
}

/** A calendar month "YYYY-MM"; defaults to the month before `now`'s. */
export function parseMonth(month: string | undefined, now: Date): (Period & { month: string }) | undefined {
  let y: number;
  let m: number;
  if (month) {
    const match = MONTH.exec(month);
    if (!match) return undefined;
    [y, m] = [Number(match[1]), Number(match[2])];
    if (m < 1 || m > 12) return undefined;
  } else {
    const [ty, tm] = vietnamDate(now).split('-').map(Number);
    [y, m] = tm === 1 ? [ty - 1, 12] : [ty, tm - 1];
  }
  const from = dayStart(y, m, 1);
  const to = m === 12 ? dayStart(y + 1, 1, 1) : dayStart(y, m + 1, 1);
  return {
    from,
    to,
    fromDate: vietnamDate(from),
    toDate: vietnamDate(new Date(to.getTime() - DAY_MS)),
    month: `${y}-${String(m).padStart(2, '0')}`,
  };
}
