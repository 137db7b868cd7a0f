/**
 * Years the holiday calendar does not cover, as the operator must hear of them: the
 * current year (every new deadline is affected) and every year a deadline was counted
 * across (reported by the use cases as it happens). Shown by `/readyz` as a warning —
 * the service still serves, with deadlines that skip only weekends in those years.
 */
import type { HolidayCalendar } from './holiday-calendar';
import { localDateKey } from './working-days';

export class CalendarWarnings {
  private readonly seen = new Set<number>();

  constructor(
    private readonly calendar: HolidayCalendar,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** A deadline was counted across these years. */
  record(years: readonly number[]): void {
    for (const year of years) this.seen.add(year);
  }

  /** One line for `/readyz`, or none. */
  warnings(): string[] {
    const years = new Set(this.seen);
    const thisYear = Number(localDateKey(this.clock()).slice(0, 4));
    if (!this.calendar.covers(thisYear)) years.add(thisYear);
    if (years.size === 0) return [];
    const list = [...years].sort((a, b) => a - b).join(', ');
    return [
      `the holiday calendar does not cover ${list}: deadlines in those years skip weekends only (add the years to the holidays file)`,
    ];
  }
}
