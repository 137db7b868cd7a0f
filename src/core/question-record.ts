/**
 * The question log's record of one answered question, built here so that what leaves the
 * core is already privacy-safe: the intent answered (or `fallback`), the channel and the
 * language — no user, session or message id; and only for a fallback the question itself,
 * normalised, with every token that carries digits masked (phone, ID and tracking numbers)
 * and cut to {@link MAX_LOGGED_TEXT} characters. The content team reads these to write the
 * answers the bot is missing.
 */
import type { AbbreviationTable } from '../text/normalize';
import { normalizeText } from '../text/normalize';
import type { ChannelName, Locale } from './messages';

/** Longest fallback text kept. */
const MAX_LOGGED_TEXT = 160;

export interface QuestionRecord {
  readonly at: Date;
  /** ISO week in Vietnam time, e.g. "2026-W48". */
  readonly week: string;
  readonly channel: ChannelName;
  readonly locale: Locale;
  readonly intent: string;
  readonly fallback: boolean;
  /** Fallbacks only. */
  readonly text?: string;
  /** Fallbacks only: `text` without diacritics (the same question typed with or without marks groups together). */
  readonly textKey?: string;
}

/**
 * Where question records go (MongoDB's `question_log` in the service). `record` returns at
 * once: the log writes records in groups, off the reply's path, and logs and counts the
 * records it could not write.
 */
export interface QuestionLog {
  record(entry: QuestionRecord): void;
}

const DIGITS = /\d/;

export function questionRecord(input: {
  at: Date;
  channel: ChannelName;
  locale: Locale;
  intent: string;
  fallback: boolean;
  text: string;
  abbreviations?: AbbreviationTable;
}): QuestionRecord {
  const base = {
    at: input.at,
    week: vietnamIsoWeek(input.at),
    channel: input.channel,
    locale: input.locale,
    intent: input.intent,
    fallback: input.fallback,
  };
  if (!input.fallback) return base;
  const normalized = normalizeText(input.text, input.abbreviations);
  const masked = (tokens: readonly string[]) =>
    tokens
      .map((t) => (DIGITS.test(t) ? '#' : t))
      .join(' ')
      .slice(0, MAX_LOGGED_TEXT)
      .trim();
  const text = masked(normalized.tokens);
  return text ? { ...base, text, textKey: masked(normalized.foldedTokens) } : base;
}

/** Vietnam is UTC+7 all year (no daylight saving time). */
const VIETNAM_OFFSET_MS = 7 * 3600_000;

/** ISO-8601 week of the Vietnamese calendar day of `at`: "2026-W01" … "2026-W53". */
export function vietnamIsoWeek(at: Date): string {
  const local = new Date(at.getTime() + VIETNAM_OFFSET_MS);
  const day = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()));
  const weekday = day.getUTCDay() || 7;
  // The Thursday of this week decides the year the week belongs to.
  day.setUTCDate(day.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}
