/**
 * The secret that lets a citizen follow a complaint from another device or channel: a
 * 6-digit PIN given with the tracking code at submission, or the last 4 digits of the
 * phone number they left. With the code alone, only status and dates are shown.
 *
 * The PIN is stored as a SHA-256 hash salted with the code, so it is not readable at a
 * glance in the database; it is not a defence against someone who can read the database
 * (they can read the complaint itself). Guessing is limited by counting failures per code
 * and per requester (see the look-up use case), not by a slow hash.
 */
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import type { Complaint } from './complaint';

const PIN_LENGTH = 6;
const PHONE_SUFFIX_LENGTH = 4;

/** A new PIN: 6 decimal digits from a CSPRNG ("048213"). */
export function newPin(random: (max: number) => number = randomInt): string {
  return String(random(10 ** PIN_LENGTH)).padStart(PIN_LENGTH, '0');
}

export function pinHash(code: string, pin: string): string {
  return createHash('sha256').update(`${code}:${pin}`).digest('hex');
}

/**
 * The secret typed right after the code: 6 digits (a PIN) or 4 (a phone's end), spaces
 * inside ignored, optionally introduced by "PIN" or "mã PIN". Only right after the code,
 * so a date or a number elsewhere in a sentence is never taken for a wrong secret.
 */
export function findSecret(textAfterCode: string): string | undefined {
  const compact = textAfterCode.replace(/(\d)[\s.-](?=\d)/g, '$1');
  return /^[\s:,.-]*(?:(?:mã|ma)\s*)?(?:pin)?[\s:,.-]*(\d{6}|\d{4})(?!\d)/iu.exec(compact)?.[1];
}

/** True when `secret` is the complaint's PIN or the last 4 digits of the phone it carries. Constant time per comparison. */
export function secretMatches(complaint: Pick<Complaint, 'code' | 'pinHash' | 'contact'>, secret: string): boolean {
  if (secret.length === PIN_LENGTH && complaint.pinHash) return sameText(pinHash(complaint.code, secret), complaint.pinHash);
  if (secret.length === PHONE_SUFFIX_LENGTH) {
    const digits = (complaint.contact?.phone ?? '').replace(/\D/g, '');
    return digits.length >= 8 && sameText(digits.slice(-PHONE_SUFFIX_LENGTH), secret);
  }
  return false;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
