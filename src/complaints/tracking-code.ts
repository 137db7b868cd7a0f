/**
 * Tracking codes citizens use to follow a complaint: "PA-7K3M9X".
 *
 * "PA" = phản ánh. Six characters from a 31-letter alphabet without the look-alikes
 * 0/O, 1/I/L, so a code read aloud over the phone or copied from a blurry screenshot
 * has one spelling. Drawn with `crypto.randomInt` (a CSPRNG): the code alone lets a
 * citizen see the complaint's status, so it must not be guessable from other codes.
 *
 * 31^6 ≈ 887 million codes: collisions are rare but not impossible (about 5% chance of
 * one among the first 10 000 codes), so storage must keep a unique index on the code
 * and draw again on a duplicate.
 */
import { randomInt } from 'node:crypto';

/** The characters of a code, in this order. No 0, 1, I, L, O. */
export const TRACKING_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const TRACKING_CODE_PREFIX = 'PA-';
export const TRACKING_CODE_LENGTH = 6;

const CODE_PATTERN = new RegExp(`^PA-[${TRACKING_CODE_ALPHABET}]{${TRACKING_CODE_LENGTH}}$`);

/** A new random code, e.g. "PA-7K3M9X". */
export function newTrackingCode(): string {
  let body = '';
  for (let i = 0; i < TRACKING_CODE_LENGTH; i++) body += TRACKING_CODE_ALPHABET[randomInt(TRACKING_CODE_ALPHABET.length)];
  return TRACKING_CODE_PREFIX + body;
}

/** True only for a code in canonical form ("PA-" + 6 alphabet characters, upper case). */
export function isTrackingCode(s: string): boolean {
  return CODE_PATTERN.test(s);
}

/**
 * Turns what a citizen typed into the canonical code, or undefined if it cannot be one.
 *
 * Accepted: any case, spaces, a missing or different separator ("pa 7k3m9x", "PA7K3M9X",
 * "pa_7k3-m9x"). The "PA" prefix is required, so a random six-letter word is never taken
 * for a code.
 *
 * Not corrected: the look-alike characters 0, O, 1, I, L. None of them is in the
 * alphabet, and each could stand for more than one character that is (O for 0? there is
 * no 0), so guessing would send the citizen to someone else's complaint. We reject, and
 * the conversation asks the citizen to check the code.
 */
export function normalizeTrackingCode(input: string): string | undefined {
  const compact = input
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\s\-_.]+/g, '');
  if (!compact.startsWith('PA')) return undefined;
  const candidate = TRACKING_CODE_PREFIX + compact.slice(2);
  return isTrackingCode(candidate) ? candidate : undefined;
}
