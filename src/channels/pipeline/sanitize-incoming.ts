/**
 * The one cleaning every inbound message gets, whatever channel it came from, before any
 * other code sees it. Why at the edge and the same for all: what a citizen sends ends up
 * in agencies' cards and e-mails, in the database and in replies; a field cleaned on one
 * channel and not on another is a hole (Zalo contact fields used to keep CR/LF, markup
 * and U+202E, which let a "phone" fake extra lines in the card an agency reads).
 *
 * - every field: NFC; bidi controls (U+202A–U+202E, U+2066–U+2069, U+200E/F, U+061C) and
 *   other control and zero-width characters removed; HTML-like tags removed;
 * - single-line fields (name, phone, captions' first line): CR/LF and tabs become one
 *   space, cut to a field-sized length; a phone keeps only what phone numbers are made of;
 * - the text keeps its line breaks (CRLF → LF, at most two blank lines in a row) and is
 *   cut to {@link MAX_INCOMING_TEXT} characters;
 * - attachments: image references cut to a URL's length, locations must be finite and on
 *   Earth, at most {@link MAX_ATTACHMENTS}.
 * Cleaning never fails: a message may become empty, which the engine answers like any.
 */
import type { Attachment, IncomingMessage } from '../../core/messages';

/** Longest message text kept (Telegram's own limit is 4,096; the web chat's 2,000). */
const MAX_INCOMING_TEXT = 4000;
const MAX_NAME_LENGTH = 100;
/** "+84 (0) 905-123-456 ext 12" fits; a 6,000-character "phone" does not survive. */
export const MAX_PHONE_LENGTH = 24;
const MAX_REF_LENGTH = 2048;
const MAX_CAPTION_LENGTH = 1024;
const MAX_ATTACHMENTS = 10;

/** Bidi embeddings/overrides/isolates and marks, zero-width characters, BOM, soft hyphen. */
const INVISIBLE = /[\u202A-\u202E\u2066-\u2069\u200B-\u200F\u061C\u2060-\u2064\uFEFF\u00AD]/g;
/** C0 and C1 controls except TAB, LF and CR (handled per field kind). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
/** Something that looks like an HTML/XML tag or comment: `<b>`, `</a>`, `<img src=x>`, `<!-- -->`. */
const TAG = /<\/?[A-Za-z!][^<>]{0,500}>/g;

/** Removes what no field may carry; keeps line breaks and tabs for the caller to decide. */
function clean(value: string): string {
  return value.normalize('NFC').replace(INVISIBLE, '').replace(CONTROLS, '').replace(TAG, '');
}

/** A single-line field: no line breaks, tabs or runs of spaces, cut to `max` characters. */
function cleanLine(value: string, max: number): string {
  return clean(value)
    .replace(/[\r\n\t\u2028\u2029]+/g, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim()
    .slice(0, max)
    .trim();
}

/** A multi-line text: CRLF → LF, no more than two blank lines in a row, cut to `max`. */
function cleanText(value: string, max = MAX_INCOMING_TEXT): string {
  return clean(value)
    .replace(/\r\n?|[\u2028\u2029]/g, '\n')
    .replace(/\t/g, ' ')
    .replace(/\n{4,}/g, '\n\n\n')
    .slice(0, max);
}

/** A phone as typed: digits and the separators people put in numbers, single line. */
function cleanPhone(value: string): string {
  return cleanLine(value.replace(/[^0-9+ .()-]/g, ''), MAX_PHONE_LENGTH);
}

function cleanAttachment(attachment: Attachment): Attachment | undefined {
  if (attachment.kind === 'location') {
    const { latitude, longitude } = attachment;
    const onEarth = Number.isFinite(latitude) && Number.isFinite(longitude) && Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180;
    return onEarth ? { kind: 'location', latitude, longitude } : undefined;
  }
  const ref = cleanLine(attachment.ref, MAX_REF_LENGTH);
  if (!ref) return undefined;
  const caption = attachment.caption === undefined ? undefined : cleanText(attachment.caption, MAX_CAPTION_LENGTH);
  return caption ? { kind: 'image', ref, caption } : { kind: 'image', ref };
}

/** The cleaned copy of a message (see the module comment for the rules). */
export function sanitizeIncoming<M extends IncomingMessage>(message: M): M {
  const attachments = (message.attachments ?? [])
    .slice(0, MAX_ATTACHMENTS)
    .map(cleanAttachment)
    .filter((a): a is Attachment => a !== undefined);
  const name = message.contact?.name === undefined ? undefined : cleanLine(message.contact.name, MAX_NAME_LENGTH);
  const phone = message.contact?.phone === undefined ? undefined : cleanPhone(message.contact.phone);
  const contact = name || phone ? { ...(name ? { name } : {}), ...(phone ? { phone } : {}) } : undefined;
  const { attachments: _attachments, contact: _contact, ...rest } = message;
  return {
    ...rest,
    text: cleanText(message.text),
    ...(attachments.length ? { attachments } : {}),
    ...(contact ? { contact } : {}),
  } as M;
}
