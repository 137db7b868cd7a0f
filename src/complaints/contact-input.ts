/**
 * Reads the optional contact a citizen types ("Nguyễn Văn A 0905 123 456") into a name
 * and a Vietnamese mobile number.
 *
 * Why strict on the phone and lenient on the name: the agency calls the number, so a
 * wrong number is worse than none (we ask again); a name is free text we only tidy.
 */

/** 0 + 3/5/7/8/9 + 8 digits: the mobile numbering since the 2018 renumbering. */
const MOBILE = /^0[35789]\d{8}$/;
/** A run of digits with the separators people type inside phone numbers. */
const PHONE_CANDIDATE = /(\+?\d[\d .\-()]{6,}\d)/;
const MAX_NAME_LENGTH = 100;

/** The canonical "0xxxxxxxxx" form of a Vietnamese mobile number, or undefined. */
export function normalizeVietnamesePhone(input: string): string | undefined {
  let digits = input.replace(/[\s.\-()]/g, '');
  if (digits.startsWith('+84')) digits = `0${digits.slice(3)}`;
  else if (digits.startsWith('0084')) digits = `0${digits.slice(4)}`;
  else if (digits.startsWith('84') && digits.length === 11) digits = `0${digits.slice(2)}`;
  return MOBILE.test(digits) ? digits : undefined;
}

export type ContactInput =
  | { readonly ok: true; readonly contact: { readonly name?: string; readonly phone?: string } }
  | { readonly ok: false; readonly reason: 'invalid_phone' | 'empty' };

/**
 * Splits a typed contact into name and phone. Digits that do not form a mobile number
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

/** Removes labels and punctuation around a typed name ("tên: A, sđt" → "A"). */
function tidyName(text: string): string | undefined {
  const name = text
    .replace(
      /(?<!\p{L})(họ và tên|họ tên|ho ten|tên|ten|name|sđt|sdt|số điện thoại|so dien thoai|điện thoại|dien thoai|phone|đt|dt)(?!\p{L})\s*:?/giu,
      ' ',
    )
    .replace(/[,;:|/]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_NAME_LENGTH)
    .trim();
  return /\p{L}/u.test(name) ? name : undefined;
}
