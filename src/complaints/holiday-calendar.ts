/**
 * Vietnam's public holidays and make-up working days, read from config/holidays.yaml.
 *
 * Why a file and not a library: the days off that matter to a government office are
 * decided every year by the Prime Minister on the Ministry of Home Affairs' proposal
 * (which days of Tết, which day adjoins 2 September, which Saturday is worked in
 * exchange). No algorithm knows them in advance; an admin copies them from the notice.
 */
import { z } from 'zod';
import type { Checked, ContentError } from '../content/content-error';
import { readYamlWithSchema } from '../content/yaml-source';

/** "2026-02-17": a calendar date in Vietnam (no time, no zone). */
export type DateKey = string;

const DatedEntry = z.strictObject({
  /** The date, written YYYY-MM-DD. */
  date: z.iso.date('must be a date written YYYY-MM-DD'),
  /** What the day is, for people reading the file and for the bot's answers. */
  name: z.string().min(1),
});

export const HolidayFileSchema = z.strictObject({
  /** File format version; only 1 exists. */
  version: z.literal(1),
  /** Years the file is complete for; dates outside them are errors, and code can warn when a year is missing. */
  years: z.array(z.number().int().min(2000).max(2100)).min(1),
  /** Days government offices are closed although they fall on Monday–Friday (or are listed for information). */
  holidays: z.array(DatedEntry),
  /** Saturdays or Sundays worked in exchange for a swapped day off (ngày làm bù). */
  makeUpWorkingDays: z.array(DatedEntry).default([]),
});

export type HolidayFile = z.output<typeof HolidayFileSchema>;

/** Which dates are working days for government offices. Immutable. */
export class HolidayCalendar {
  /** No holidays at all: only weekends are skipped. For tests and as a last-resort fallback. */
  static readonly EMPTY = new HolidayCalendar([], [], []);

  private readonly holidays: ReadonlyMap<DateKey, string>;
  private readonly makeUpDays: ReadonlyMap<DateKey, string>;
  /** Years the calendar was declared complete for. */
  readonly years: ReadonlySet<number>;

  constructor(
    holidays: Iterable<{ date: DateKey; name: string }>,
    makeUpWorkingDays: Iterable<{ date: DateKey; name: string }> = [],
    years: Iterable<number> = [],
  ) {
    this.holidays = new Map([...holidays].map((h) => [h.date, h.name]));
    this.makeUpDays = new Map([...makeUpWorkingDays].map((d) => [d.date, d.name]));
    this.years = new Set(years);
  }

  /** The holiday's name if offices are closed that day for a holiday. */
  holidayName(date: DateKey): string | undefined {
    return this.holidays.get(date);
  }

  /** Monday–Friday and not a holiday, or a Saturday/Sunday listed as a make-up working day. */
  isWorkingDay(date: DateKey): boolean {
    if (this.makeUpDays.has(date)) return true;
    return !isWeekend(date) && !this.holidays.has(date);
  }

  /** False when the file says nothing about this year: deadlines then skip weekends only. */
  covers(year: number): boolean {
    return this.years.has(year);
  }

  /**
   * The years from `from` to `to` (dates, inclusive) the calendar does not cover: a
   * deadline counted across them skipped only weekends there, so it may fall on a
   * holiday — the caller reports it (log, `/readyz`) instead of keeping silent.
   */
  uncoveredYears(from: DateKey, to: DateKey): number[] {
    const missing: number[] = [];
    for (let year = Number(from.slice(0, 4)); year <= Number(to.slice(0, 4)); year++) if (!this.covers(year)) missing.push(year);
    return missing;
  }
}

/** Saturday or Sunday. */
export function isWeekend(date: DateKey): boolean {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return day === 0 || day === 6;
}

/** Reads and checks config/holidays.yaml; every problem comes with its line. */
export async function loadHolidays(path: string, displayName = path): Promise<Checked<HolidayCalendar>> {
  const parsed = await readYamlWithSchema(path, displayName, HolidayFileSchema);
  if (!parsed.ok) return parsed;
  const file = parsed.value;
  const at = (p: readonly PropertyKey[], message: string): ContentError => ({ file: displayName, line: parsed.lineOf(p), message });
  const errors = [...checkEntries(file, 'holidays', at), ...checkEntries(file, 'makeUpWorkingDays', at)];
  file.makeUpWorkingDays.forEach((d, i) => {
    if (!isWeekend(d.date))
      errors.push(
        at(['makeUpWorkingDays', i, 'date'], `${d.date} is not a Saturday or Sunday; only weekend days can be make-up working days`),
      );
    if (file.holidays.some((h) => h.date === d.date))
      errors.push(at(['makeUpWorkingDays', i, 'date'], `${d.date} is also listed as a holiday`));
  });
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: new HolidayCalendar(file.holidays, file.makeUpWorkingDays, file.years) };
}

function checkEntries(
  file: HolidayFile,
  key: 'holidays' | 'makeUpWorkingDays',
  at: (p: readonly PropertyKey[], message: string) => ContentError,
): ContentError[] {
  const seen = new Set<DateKey>();
  const errors: ContentError[] = [];
  file[key].forEach((entry, i) => {
    const year = Number(entry.date.slice(0, 4));
    if (!file.years.includes(year))
      errors.push(at([key, i, 'date'], `${entry.date} is outside the years this file declares (${file.years.join(', ')})`));
    if (seen.has(entry.date)) errors.push(at([key, i, 'date'], `${entry.date} is listed twice`));
    seen.add(entry.date);
  });
  return errors;
}
