/**
 * A deadline counted across a year the holiday calendar (config/holidays.yaml) does not
 * know skipped only weekends there, so it may fall on Tết or 2 September. It is still
 * given (an approximate deadline beats none), but never silently: a warning in the log
 * and on `/readyz` (through the observer) tells the operator to add the year's holidays.
 */
import { localDateKey } from '../working-days';
import type { ComplaintUseCaseDeps } from './use-case-deps';

export function reportDeadlineCoverage(
  deps: Pick<ComplaintUseCaseDeps, 'holidays' | 'logger' | 'observer'>,
  code: string,
  from: Date,
  dueAt: Date,
): void {
  const years = deps.holidays.uncoveredYears(localDateKey(from), localDateKey(dueAt));
  if (years.length === 0) return;
  deps.logger.warn(
    { code, years },
    'deadline counted past the holiday calendar (weekends only skipped in those years): add them to the holidays file',
  );
  deps.observer?.deadlineBeyondCalendar(years);
}
