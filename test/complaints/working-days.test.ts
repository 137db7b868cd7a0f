import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  HolidayCalendar,
  addWorkingDays,
  isOverdue,
  loadHolidays,
  localDateKey,
  receiptDay,
  workingDaysBetween,
} from '../../src/complaints/working-days';

const HOLIDAYS_PATH = join(__dirname, '..', '..', 'config', 'holidays.yaml');
let calendar: HolidayCalendar;

beforeAll(async () => {
  const result = await loadHolidays(HOLIDAYS_PATH, 'config/holidays.yaml');
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  calendar = result.value;
});

/** A Vietnam wall-clock time as an instant: vn('2025-03-03 10:00'). */
const vn = (local: string): Date => new Date(`${local.replace(' ', 'T')}:00+07:00`);

describe('config/holidays.yaml', () => {
  it('covers 2025–2027 with the lunar holidays on the right dates', () => {
    for (const y of [2025, 2026, 2027]) expect(calendar.covers(y)).toBe(true);
    expect(calendar.covers(2028)).toBe(false);
    // mùng 1 Tết: 29/1/2025, 17/2/2026, (6/2/2027 is a Saturday, compensated)
    expect(calendar.holidayName('2025-01-29')).toMatch(/mùng 1/);
    expect(calendar.holidayName('2026-02-17')).toMatch(/mùng 1/);
    expect(calendar.isWorkingDay('2027-02-10')).toBe(false);
    // Giỗ Tổ Hùng Vương 10/3 âm lịch
    expect(calendar.holidayName('2025-04-07')).toMatch(/Giỗ Tổ/);
    expect(calendar.holidayName('2026-04-26')).toMatch(/Giỗ Tổ/);
    expect(calendar.holidayName('2027-04-16')).toMatch(/Giỗ Tổ/);
    expect(calendar.isWorkingDay('2026-04-27')).toBe(false); // nghỉ bù: Giỗ Tổ 2026 is a Sunday
    for (const d of ['2025-01-01', '2025-04-30', '2025-05-01', '2025-09-02', '2026-09-02', '2027-09-02']) {
      expect(calendar.isWorkingDay(d)).toBe(false);
    }
    expect(calendar.isWorkingDay('2025-04-26')).toBe(true); // make-up Saturday
    expect(calendar.isWorkingDay('2025-03-03')).toBe(true); // ordinary Monday
    expect(calendar.isWorkingDay('2025-03-08')).toBe(false); // ordinary Saturday
  });
});

describe('loadHolidays reports mistakes with their line', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'holidays-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function load(text: string) {
    const path = join(dir, 'h.yaml');
    await writeFile(path, text);
    return loadHolidays(path, 'h.yaml');
  }

  it('bad YAML syntax has a line too', async () => {
    const result = await load('version: 1\nyears: [2025]\nholidays:\n  - { date: 2025-01-01, name: a\n');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors[0].message).toMatch(/^YAML syntax/);
      expect(result.errors[0].line).toBeGreaterThanOrEqual(4);
    }
  });

  it('invalid date, duplicate, outside the declared years, make-up day on a weekday', async () => {
    const text = [
      'version: 1', // 1
      'years: [2025]', // 2
      'holidays:', // 3
      '  - { date: 2025-02-30, name: nope }', // 4
      '  - { date: 2025-01-01, name: a }', // 5
      '  - { date: 2025-01-01, name: b }', // 6
      '  - { date: 2026-01-01, name: c }', // 7
      'makeUpWorkingDays:', // 8
      '  - { date: 2025-03-05, name: wednesday }', // 9
    ].join('\n');
    const first = await load(text);
    expect(first.ok).toBe(false);
    if (!first.ok) expect(first.errors).toEqual([expect.objectContaining({ file: 'h.yaml', line: 4 })]);
    const second = await load(text.replace('2025-02-30', '2025-02-03'));
    expect(second.ok).toBe(false);
    if (!second.ok) {
      const byLine = second.errors.map((e) => [e.line, e.message]);
      expect(byLine).toEqual([
        [6, '2025-01-01 is listed twice'],
        [7, '2026-01-01 is outside the years this file declares (2025)'],
        [9, '2025-03-05 is not a Saturday or Sunday; only weekend days can be make-up working days'],
      ]);
    }
  });
});

describe('addWorkingDays (Vietnam time, UTC+7)', () => {
  it('counts from the day after a receipt during working hours, due at 17:00', () => {
    // Monday 3 March 2025, 10:00 → 5 working days → Monday 10 March, 17:00
    expect(addWorkingDays(vn('2025-03-03 10:00'), 5, calendar).toISOString()).toBe(vn('2025-03-10 17:00').toISOString());
    expect(addWorkingDays(vn('2025-03-03 10:00'), 0, calendar)).toEqual(vn('2025-03-03 17:00'));
  });

  it('skips a weekend', () => {
    expect(addWorkingDays(vn('2025-03-07 10:00'), 1, calendar)).toEqual(vn('2025-03-10 17:00')); // Fri → Mon
    expect(addWorkingDays(vn('2025-03-06 09:00'), 3, calendar)).toEqual(vn('2025-03-11 17:00')); // Thu → Tue
  });

  it('starts after-hours and weekend complaints on the next working day', () => {
    expect(addWorkingDays(vn('2025-03-07 16:59'), 1, calendar)).toEqual(vn('2025-03-10 17:00'));
    expect(addWorkingDays(vn('2025-03-07 17:00'), 1, calendar)).toEqual(vn('2025-03-11 17:00')); // received Monday
    expect(addWorkingDays(vn('2025-03-08 11:00'), 1, calendar)).toEqual(vn('2025-03-11 17:00')); // Saturday
    expect(receiptDay(vn('2025-03-09 23:00'), calendar)).toBe('2025-03-10');
  });

  it('uses the Vietnam date, not the UTC date', () => {
    // Monday 01:00 in Vietnam is still Sunday in UTC
    const mondayEarly = new Date('2025-03-02T18:00:00Z');
    expect(localDateKey(mondayEarly)).toBe('2025-03-03');
    expect(addWorkingDays(mondayEarly, 1, calendar)).toEqual(vn('2025-03-04 17:00'));
    expect(vn('2025-03-04 17:00').toISOString()).toBe('2025-03-04T10:00:00.000Z');
  });

  it('skips Tết', () => {
    // Friday 24 Jan 2025; 27–31 Jan are Tết Ất Tỵ, then a weekend: day 1 is Monday 3 Feb
    expect(addWorkingDays(vn('2025-01-24 10:00'), 1, calendar)).toEqual(vn('2025-02-03 17:00'));
    expect(addWorkingDays(vn('2025-01-24 10:00'), 5, calendar)).toEqual(vn('2025-02-07 17:00'));
    // received during Tết Bính Ngọ 2026 → counts from Monday 23 Feb
    expect(receiptDay(vn('2026-02-17 09:00'), calendar)).toBe('2026-02-23');
    expect(addWorkingDays(vn('2026-02-13 10:00'), 1, calendar)).toEqual(vn('2026-02-23 17:00'));
    // without the calendar only the weekend would be skipped
    expect(addWorkingDays(vn('2026-02-13 10:00'), 1, HolidayCalendar.EMPTY)).toEqual(vn('2026-02-16 17:00'));
  });

  it('counts a make-up Saturday and skips the swapped 30/4–2/5 days', () => {
    expect(addWorkingDays(vn('2025-04-25 10:00'), 1, calendar)).toEqual(vn('2025-04-26 17:00'));
    expect(addWorkingDays(vn('2025-04-29 10:00'), 1, calendar)).toEqual(vn('2025-05-05 17:00'));
  });

  it('rejects a negative or fractional number of days', () => {
    expect(() => addWorkingDays(vn('2025-03-03 10:00'), -1, calendar)).toThrow(RangeError);
    expect(() => addWorkingDays(vn('2025-03-03 10:00'), 1.5, calendar)).toThrow(RangeError);
  });
});

describe('workingDaysBetween and isOverdue', () => {
  it('is the inverse of addWorkingDays for any start time', () => {
    let seed = 12345;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const from = Date.parse('2025-01-01T00:00:00+07:00');
    const to = Date.parse('2027-11-30T00:00:00+07:00');
    for (let i = 0; i < 500; i++) {
      const start = new Date(from + Math.floor(random() * (to - from)));
      const n = Math.floor(random() * 15);
      expect(workingDaysBetween(start, addWorkingDays(start, n, calendar), calendar)).toBe(n);
    }
  });

  it('is negative once the due date is behind', () => {
    const due = vn('2025-03-05 17:00'); // Wednesday
    expect(workingDaysBetween(vn('2025-03-03 10:00'), due, calendar)).toBe(2);
    expect(workingDaysBetween(vn('2025-03-06 10:00'), due, calendar)).toBe(-1);
    expect(workingDaysBetween(vn('2025-03-10 10:00'), due, calendar)).toBe(-3); // Thu, Fri, Mon
  });

  it('isOverdue compares instants', () => {
    const due = vn('2025-03-05 17:00');
    expect(isOverdue(due, vn('2025-03-05 16:59'))).toBe(false);
    expect(isOverdue(due, due)).toBe(false);
    expect(isOverdue(due, vn('2025-03-05 17:01'))).toBe(true);
  });
});
