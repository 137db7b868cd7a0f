/**
 * The cleaned form of a complaint's text and the key that makes a submission idempotent.
 *
 * Why a key and not "the same text twice": citizens press "confirm" twice, channels
 * redeliver, a flaky network makes the citizen retype the same complaint. The key is a
 * hash of everything that makes two drafts the same complaint, so a unique index on it
 * turns the second submission into "here is the code you already have".
 */
import { createHash } from 'node:crypto';
import type { ChannelName } from '../core/messages';
import type { Sector } from './sectors';

/** A complaint shorter than this says nothing an agency can act on. */
export const MIN_COMPLAINT_TEXT_LENGTH = 10;
/** Longer texts are refused (the schema allows 5,000; 4,000 leaves room for cleaning differences). */
export const MAX_COMPLAINT_TEXT_LENGTH = 4000;

// Zero-width characters, BOM, soft hyphen, and control characters except line feeds.
const INVISIBLE = /[\u200B-\u200F\u2060-\u2064\uFEFF\u00AD]/gu;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_EXCEPT_NEWLINE = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/gu;

/**
 * NFC, invisible and control characters removed, spaces collapsed, at most one blank
 * line in a row, trimmed. Line breaks are kept: agencies read the text as written.
 */
export function cleanComplaintText(raw: string): string {
  return raw
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(INVISIBLE, '')
    .replace(CONTROL_EXCEPT_NEWLINE, ' ')
    .split('\n')
    .map((line) => line.replace(/[ \t\u00A0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export type TextCheck = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly reason: 'too_short' | 'too_long' };

/** Cleans and checks the length rule (10–4,000 characters after cleaning). */
export function checkComplaintText(raw: string): TextCheck {
  const text = cleanComplaintText(raw);
  if (text.length < MIN_COMPLAINT_TEXT_LENGTH) return { ok: false, reason: 'too_short' };
  if (text.length > MAX_COMPLAINT_TEXT_LENGTH) return { ok: false, reason: 'too_long' };
  return { ok: true, text };
}

export interface SubmissionKeyInput {
  readonly channel: ChannelName;
  readonly userId: string;
  readonly text: string;
  readonly sector: Sector;
  readonly localityId?: string;
}

/** sha256 (hex) of channel|userId|cleaned text|sector|locality. */
export function submissionKey(input: SubmissionKeyInput): string {
  const parts = [input.channel, input.userId, cleanComplaintText(input.text), input.sector, input.localityId ?? ''];
  return createHash('sha256').update(parts.join('|')).digest('hex');
}
