/**
 * CSV for spreadsheets (RFC 4180, CRLF, UTF-8 with a BOM so Excel reads Vietnamese). A
 * cell that starts with = + - @ (or a tab/CR) is prefixed with ' so a spreadsheet never
 * runs it as a formula: fallback questions are citizens' words.
 */
import type { ReportResult } from './report-sections';

const FORMULA_START = /^[=+\-@\t\r]/;

function cell(value: string | number): string {
  if (typeof value === 'number') return String(value);
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function reportCsv(result: ReportResult): string {
  const lines: string[] = [];
  for (const table of result.tables) {
    if (lines.length > 0) lines.push('');
    if (table.title) lines.push(cell(table.title));
    lines.push(table.columns.map(cell).join(','));
    for (const row of table.rows) lines.push(row.map(cell).join(','));
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
