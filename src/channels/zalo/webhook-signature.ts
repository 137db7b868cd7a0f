/**
 * Verification of the `X-ZEvent-Signature` header of Zalo OA webhooks.
 *
 * Zalo signs each event as `mac=<hex>` with `hex = sha256(app_id + rawBody + timestamp +
 * OA_SECRET_KEY)`: a plain SHA-256 of the concatenation (not an HMAC), over the body bytes
 * exactly as received, with `app_id` and `timestamp` read from that body and the OA secret
 * key of the Webhook page. Re-serialising parsed JSON changes the bytes, so callers must
 * hand us the raw body.
 *
 * {@link verifyRawZaloSignature} checks a delivery before any JSON parse: the app id is
 * ours (configured), and the signed timestamp is found in the raw bytes — a JSON key
 * `"timestamp"` cannot occur inside a string value (its quotes would be escaped), so the
 * few places it occurs are keys; each candidate (at most three) is tried. A forged 1 MB
 * body thus costs a byte search and at most three SHA-256 passes, never a parse.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Result of `verifyZaloSignature`: the parsed body on success, a reason otherwise. */
export type ZaloSignatureResult = { ok: true; event: unknown } | { ok: false; reason: string };

/** The header Zalo sends, in the lower case Node uses for `req.headers`. */
export const ZALO_SIGNATURE_HEADER = 'x-zevent-signature';

const HEX_SHA256 = /^[0-9a-f]{64}$/i;

/**
 * Computes the hex signature of a webhook body. Exported so the test fake signs events
 * exactly as Zalo does; `rawBody` bytes are hashed as given (a string as UTF-8).
 */
export function computeZaloSignature(appId: string, rawBody: Buffer | string, timestamp: string, oaSecretKey: string): string {
  return createHash('sha256').update(appId, 'utf8').update(rawBody).update(timestamp, 'utf8').update(oaSecretKey, 'utf8').digest('hex');
}

/**
 * Checks a webhook delivery and returns its parsed JSON body when the signature is right.
 * Every failure is `ok:false` with a reason fit for a log line (never the body itself).
 */
export function verifyZaloSignature(rawBody: Buffer | string, headerValue: string | undefined, oaSecretKey: string): ZaloSignatureResult {
  if (!oaSecretKey) return fail('OA secret key is not configured');
  const mac = parseHeader(headerValue);
  if (!mac.ok) return mac;
  const body = parseBody(rawBody);
  if (!body.ok) return body;
  const appId = signedField(body.value.app_id);
  if (appId === undefined) return fail('body has no usable app_id (a string is expected)');
  const timestamp = signedField(body.value.timestamp);
  if (timestamp === undefined) return fail('body has no usable timestamp (a string is expected)');
  const expected = Buffer.from(computeZaloSignature(appId, rawBody, timestamp, oaSecretKey), 'hex');
  const given = Buffer.from(mac.hex, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return fail('signature mismatch');
  }
  return { ok: true, event: body.value };
}

const TIMESTAMP_KEY = Buffer.from('"timestamp"');
const MAX_CANDIDATES = 3;

/** The signed timestamp values found in a raw body (as signed: digits only). */
function timestampCandidates(raw: Buffer): string[] {
  const found: string[] = [];
  let from = 0;
  while (found.length < MAX_CANDIDATES) {
    const at = raw.indexOf(TIMESTAMP_KEY, from);
    if (at < 0) break;
    from = at + TIMESTAMP_KEY.length;
    const match = /^\s*:\s*"?(\d{1,16})/.exec(raw.toString('latin1', from, from + 40));
    if (match) found.push(match[1]);
  }
  return found;
}

/**
 * Checks a delivery's signature on its raw bytes, without parsing them. On success the
 * signed timestamp is returned (for the freshness check); every failure has a reason fit
 * for a log line (never the body).
 */
export function verifyRawZaloSignature(
  raw: Buffer,
  headerValue: string | undefined,
  appId: string,
  oaSecretKey: string,
): { ok: true; timestamp: string } | { ok: false; reason: string } {
  if (!oaSecretKey || !appId) return fail('app id or OA secret key is not configured');
  const mac = parseHeader(headerValue);
  if (!mac.ok) return mac;
  const given = Buffer.from(mac.hex, 'hex');
  const candidates = timestampCandidates(raw);
  if (candidates.length === 0) return fail('body has no usable timestamp');
  for (const timestamp of candidates) {
    const expected = Buffer.from(computeZaloSignature(appId, raw, timestamp, oaSecretKey), 'hex');
    if (timingSafeEqual(given, expected)) return { ok: true, timestamp };
  }
  return fail('signature mismatch');
}

function fail(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}

/** Accepts `mac=<64 hex>` (the documented form) and, leniently, a bare hex digest. */
function parseHeader(headerValue: string | undefined): { ok: true; hex: string } | { ok: false; reason: string } {
  const value = headerValue?.trim();
  if (!value) return fail('missing X-ZEvent-Signature header');
  const hex = value.toLowerCase().startsWith('mac=') ? value.slice(4).trim() : value;
  if (!HEX_SHA256.test(hex)) return fail('malformed X-ZEvent-Signature header (expected mac=<64 hex digits>)');
  return { ok: true, hex };
}

function parseBody(rawBody: Buffer | string): { ok: true; value: Record<string, unknown> } | { ok: false; reason: string } {
  const text = typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail('body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('body is not a JSON object');
  }
  return { ok: true, value: value as Record<string, unknown> };
}

/**
 * The text that entered the hash for `app_id` / `timestamp`. Zalo sends strings; a number is
 * accepted only while it is a safe integer (then its decimal text is what was signed).
 */
function signedField(value: unknown): string | undefined {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}
