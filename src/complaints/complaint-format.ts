/**
 * Small formatting helpers shared by the complaint conversations and the notification
 * texts: dates as Vietnamese readers write them, in Vietnam time, and the localised
 * labels of sectors and statuses.
 */
import type { Locale } from '../core/messages';
import { localDateKey } from './working-days';

/** Anything that can look up a localised text (the Translator, or a turn's `t`). */
export interface TextLookup {
  t(locale: Locale, key: string, vars?: Readonly<Record<string, string | number>>): string;
}

/** "12/03/2025": the date in Vietnam (UTC+7), day first. Invalid input gives "". */
export function formatDate(value: Date | string): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) return '';
  const [year, month, day] = localDateKey(date).split('-');
  return `${day}/${month}/${year}`;
}

export function sectorLabelKey(sector: string): string {
  return `complaint.sector.${sector}`;
}

export function statusLabelKey(status: string): string {
  return `complaint.status_label.${status}`;
}

const VIETNAM_OFFSET_MS = 7 * 3_600_000;

/** "17/02/2026 17:00" in Vietnam time; the input unchanged if it is not a date. */
export function formatVietnamTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const d = new Date(ms + VIETNAM_OFFSET_MS);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}
