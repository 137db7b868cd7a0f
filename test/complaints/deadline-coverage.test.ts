/**
 * A deadline counted past the years the holiday calendar covers is still given, but
 * reported: a warning in the log (without the citizen's text), the observer told (the
 * service shows it on /readyz), and the current year checked at start.
 */
import { Writable } from 'node:stream';
import { CalendarWarnings } from '../../src/complaints/calendar-warnings';
import type { ComplaintDraft } from '../../src/complaints/complaint-service';
import type { Directory } from '../../src/complaints/directory/directory';
import type { HolidayCalendar } from '../../src/complaints/holiday-calendar';
import type { ComplaintObserver } from '../../src/complaints/use-cases/ports';
import { createLogger } from '../../src/infra/logger';
import type { Database } from '../../src/storage/mongo/database';
import { createComplaintService } from '../support/complaint-service';
import { dropTestDatabase, openTestDatabase } from '../support/database';
import { SETUP_TIMEOUT_MS, fixed, loadSampleDirectory, loadTestHolidays } from './complaint-test-kit';

let db: Database;
let directory: Directory;
let holidays: HolidayCalendar;

beforeAll(async () => {
  [db, directory, holidays] = await Promise.all([openTestDatabase('coverage'), loadSampleDirectory(), loadTestHolidays()]);
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await dropTestDatabase(db);
});

const draft = (text: string): ComplaintDraft => ({
  channel: 'telegram',
  userId: `coverage-${text.length}`,
  locale: 'vi',
  text,
  sector: 'officer_conduct',
  localityId: 'huyen-dak-ha',
  photoRefs: [],
});

function service(now: Date) {
  const lines: string[] = [];
  const years: number[][] = [];
  const observer: ComplaintObserver = {
    submitted: () => undefined,
    statusChanged: () => undefined,
    deadlineBeyondCalendar: (y) => years.push([...y]),
  };
  const logger = createLogger({
    level: 'warn',
    destination: new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }),
  });
  return {
    lines,
    years,
    complaints: createComplaintService({ db, directory: fixed(directory), holidays, clock: () => now, logger, observer }),
  };
}

describe('deadlines past the holiday calendar', () => {
  it('the test calendar covers 2025–2027 only', () => {
    expect([2025, 2026, 2027].every((y) => holidays.covers(y))).toBe(true);
    expect(holidays.uncoveredYears('2027-12-01', '2028-01-20')).toEqual([2028]);
    expect(holidays.uncoveredYears('2026-05-01', '2026-06-01')).toEqual([]);
  });

  it('are reported in the log and to the observer, and still computed', async () => {
    const lateDecember = new Date('2027-12-27T03:00:00Z'); // Monday 10:00 in Vietnam
    const s = service(lateDecember);
    const result = await s.complaints.submit(draft('Cán bộ huyện đòi tiền mới giải quyết hồ sơ cuối năm'), lateDecember);
    expect(result.dueAt.getUTCFullYear()).toBe(2028);
    expect(s.years).toEqual([[2028]]);
    const log = s.lines.join('');
    expect(log).toContain('deadline counted past the holiday calendar');
    expect(log).toContain(result.code);
    expect(log).not.toContain('đòi tiền');
  });

  it('stay silent inside the covered years', async () => {
    const midYear = new Date('2026-06-01T03:00:00Z');
    const s = service(midYear);
    await s.complaints.submit(draft('Cán bộ xã hẹn mãi không trả kết quả hồ sơ đất đai'), midYear);
    expect(s.years).toEqual([]);
    expect(s.lines.join('')).not.toContain('holiday calendar');
  });

  it('are listed for /readyz, with the current year when the calendar lacks it', () => {
    let now = new Date('2026-06-01T03:00:00Z');
    const warnings = new CalendarWarnings(holidays, () => now);
    expect(warnings.warnings()).toEqual([]);
    warnings.record([2028]);
    expect(warnings.warnings()).toEqual([expect.stringContaining('does not cover 2028')]);
    now = new Date('2029-02-01T03:00:00Z');
    expect(warnings.warnings()).toEqual([expect.stringContaining('does not cover 2028, 2029')]);
  });
});
