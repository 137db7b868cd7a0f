/**
 * Reads the optional contact a citizen types ("Nguyễn Văn A 0905 123 456", "sđt
 * +84 260 3862 345", "tên tôi là Lan") into a name and a Vietnamese phone number.
 *
 * Phone numbers are checked with libphonenumber-js and Google's metadata ("max" set:
 * it knows which number ranges are mobile and which are landlines, 157 KB) rather than
 * a hand-written pattern: Vietnamese numbering changed in 2018 (11-digit mobiles) and
 * 2017 (landline area codes), and the library tracks such changes. Accepted: +84 / 84 /
 * 0084 / 0 prefixes, mobile and landline numbers.
 *
 * Why strict on the phone and lenient on the name: the agency calls the number, so a
 * wrong number is worse than none (we ask again); a name is free text we only tidy.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** A run of digits with the separators people type inside phone numbers. */
const PHONE_CANDIDATE = /(\+?\d[\d .\-()]{6,}\d)/;
const MAX_NAME_LENGTH = 100;
const CALLABLE_TYPES = new Set(['MOBILE', 'FIXED_LINE', 'FIXED_LINE_OR_MOBILE']);

/** The national digits ("0905123456", "02603862345") of a valid Vietnamese mobile or landline number, or undefined. */
export function normalizeVietnamesePhone(input: string): string | undefined {
  const compact = input.replace(/[\s.\-()]/g, '').replace(/^0084/, '+84');
  const parsed = parsePhoneNumberFromString(compact, 'VN');
  if (!parsed || parsed.country !== 'VN' || !parsed.isValid()) return undefined;
  const type = parsed.getType();
  if (type && !CALLABLE_TYPES.has(type)) return undefined;
  return parsed.formatNational().replace(/\D/g, '');
}

export type ContactInput =
  | { readonly ok: true; readonly contact: { readonly name?: string; readonly phone?: string } }
  | { readonly ok: false; readonly reason: 'invalid_phone' | 'empty' };

/**
 * Splits a typed contact into name and phone. Digits that do not form a valid number
 * are an error (the citizen meant a phone and mistyped it); text without digits is a name.
 */
export function parseContactInput(text: string): ContactInput {
  const trimmed = text.normalize('NFC').trim();
  const candidate = PHONE_CANDIDATE.exec(trimmed);
  let phone: string | undefined;
  let rest = trimmed;
  if (candidate) {
    phone = normalizeVietnamesePhone(candidate[1]);
    if (!phone) return { ok: false, reason: 'invalid_phone' };
    rest = trimmed.replace(candidate[1], ' ');
  } else if (/\d{3,}/.test(trimmed)) {
    return { ok: false, reason: 'invalid_phone' };
  }
  const name = tidyName(rest);
  if (!name && !phone) return { ok: false, reason: 'empty' };
  return { ok: true, contact: { ...(name ? { name } : {}), ...(phone ? { phone } : {}) } };
}

/** Removes labels and punctuation around a typed name ("tên: A, sđt" → "A", "tên tôi là Lan" → "Lan"). */
function tidyName(text: string): string | undefined {
  const name = text
    .replace(
      /(?<!\p{L})(họ và tên|họ tên|ho ten|tên tôi là|ten toi la|tôi tên là|toi ten la|tôi là|toi la|mình là|minh la|tên|ten|my name is|name|i am|i'm|số điện thoại|so dien thoai|điện thoại|dien thoai|sđt|sdt|số|so|phone number|phone|mobile|tel|đt|dt)(?!\p{L})\s*:?/giu,
      ' ',
    )
    .replace(/[,;:|/+]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_NAME_LENGTH)
    .trim();
  return /\p{L}/u.test(name) ? name : undefined;
}
