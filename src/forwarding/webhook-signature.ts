/**
 * Signing and verifying webhook bodies, in the scheme documented for agencies in
 * docs/agency-webhook.md:
 *
 *     X-CCHC-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + rawBody)>
 *
 * The timestamp is inside the signed text so a captured request cannot be replayed
 * later than the tolerance; the raw body (bytes as sent, not re-serialised JSON) is
 * signed so any JSON library on the receiving side can verify. Exported so agencies
 * running Node can reuse it and so our tests verify exactly what agencies verify.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-CCHC-Signature';
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Hex HMAC-SHA256 of `t.rawBody`. */
function hmacHex(secret: string, timestamp: number, rawBody: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

/** The X-CCHC-Signature header value for `rawBody` signed at `timestampSeconds` (default: now). */
export function signWebhookBody(
  rawBody: string | Buffer,
  secret: string,
  timestampSeconds: number = Math.floor(Date.now() / 1000),
): string {
  return `t=${timestampSeconds},v1=${hmacHex(secret, timestampSeconds, rawBody)}`;
}

/**
 * True if `header` is a valid signature of `rawBody` with `secret`, made no more than
 * `toleranceSeconds` away from `nowSeconds`. Several `v1=` values are accepted (any one
 * may match), so a sender can sign with old and new secret while a secret is rotated.
 * The comparison is constant-time.
 */
export function verifyWebhookSignature(
  rawBody: string | Buffer,
  header: string | undefined,
  secret: string,
  toleranceSeconds: number = DEFAULT_TOLERANCE_SECONDS,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): boolean {
  if (!header || !secret) return false;
  const parsed = parseSignatureHeader(header);
  if (!parsed || Math.abs(nowSeconds - parsed.timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(hmacHex(secret, parsed.timestamp, rawBody), 'hex');
  let match = false;
  for (const candidate of parsed.signatures) {
    const given = Buffer.from(candidate, 'hex');
    // Lengths are public (always 32 bytes when well-formed); only equal-length buffers can be compared.
    if (given.length === expected.length && timingSafeEqual(given, expected)) match = true;
  }
  return match;
}

/** Splits "t=…,v1=…,v1=…"; undefined when the timestamp or every signature is missing. */
export function parseSignatureHeader(header: string): { timestamp: number; signatures: string[] } | undefined {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) signatures.push(value.toLowerCase());
  }
  return timestamp === undefined || signatures.length === 0 ? undefined : { timestamp, signatures };
}
