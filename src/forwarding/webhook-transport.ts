/**
 * Delivers complaints to an agency's own system as a signed JSON POST
 * (contract for agencies: docs/agency-webhook.md).
 *
 * The HMAC secret is read from the environment variable the directory names
 * (`delivery.webhook.secretEnv`), at each delivery, so a rotated secret takes effect
 * without reloading the directory and the secret never sits in a file admins share.
 *
 * Outcome classification:
 * - 2xx → ok; 409 Conflict → ok (the agency already has this idempotency key);
 * - 408, 425, 429, 5xx, network errors, timeouts → retryable, honouring Retry-After;
 * - 3xx → permanent (redirects are not followed: the signed complaint must not be
 *   re-sent to an address the directory does not name);
 * - other 4xx → permanent (the agency rejects this request; retrying will not change it);
 * - secret missing from the environment, or no webhook in the directory → permanent,
 *   with an error that says what to configure.
 */
import { deliveryFailure, type Agency, type AgencyMessage, type DeliveryResult, type Transport } from './transport';
import { SIGNATURE_HEADER, signWebhookBody } from './webhook-signature';

export interface WebhookTransportOptions {
  /** Whole-request timeout (connect, send, response); default 10 s. */
  readonly timeoutMs?: number;
  /** Where secrets are read from; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Clock, for `sentAt` and the signature timestamp. */
  readonly now?: () => Date;
  readonly userAgent?: string;
}

/** The JSON body agencies receive. */
export interface WebhookPayload {
  event: AgencyMessage['event'];
  idempotencyKey: string;
  sentAt: string;
  complaint: AgencyMessage['complaint'];
  note?: string;
}

const RETRYABLE_STATUS = new Set([408, 425, 429]);
const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

export class WebhookTransport implements Transport {
  readonly kind = 'webhook' as const;
  private readonly timeoutMs: number;
  private readonly env: Readonly<Record<string, string | undefined>>;
  private readonly now: () => Date;
  private readonly userAgent: string;

  constructor(options: WebhookTransportOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.env = options.env ?? process.env;
    this.now = options.now ?? (() => new Date());
    this.userAgent = options.userAgent ?? 'cchc-chatbot-webhook/1';
  }

  async deliver(agency: Agency, message: AgencyMessage): Promise<DeliveryResult> {
    const webhook = agency.delivery.webhook;
    if (!webhook) return deliveryFailure(false, `agency '${agency.id}' has no webhook in the directory`);
    const secret = this.env[webhook.secretEnv];
    if (!secret) {
      return deliveryFailure(
        false,
        `environment variable ${webhook.secretEnv} is not set: it must hold the webhook secret shared with '${agency.id}'`,
      );
    }
    const sentAt = this.now();
    const payload: WebhookPayload = {
      event: message.event,
      idempotencyKey: message.idempotencyKey,
      sentAt: sentAt.toISOString(),
      complaint: message.complaint,
      note: message.note,
    };
    const body = JSON.stringify(payload);
    const headers = {
      'Content-Type': 'application/json; charset=utf-8',
      'User-Agent': this.userAgent,
      'Idempotency-Key': message.idempotencyKey,
      'X-CCHC-Event': message.event,
      [SIGNATURE_HEADER]: signWebhookBody(body, secret, Math.floor(sentAt.getTime() / 1000)),
    };
    try {
      const response = await fetch(webhook.url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await response.text();
      return classifyResponse(response.status, response.headers.get('retry-after'), text, sentAt);
    } catch (err) {
      return deliveryFailure(true, describeNetworkError(err, this.timeoutMs));
    }
  }
}

/** Maps an HTTP status (and Retry-After) to a delivery result. Exported for tests and other HTTP senders. */
export function classifyResponse(status: number, retryAfter: string | null, body: string, now: Date = new Date()): DeliveryResult {
  if (status >= 200 && status < 300) return { ok: true, receipt: `HTTP ${status}` };
  if (status === 409) return { ok: true, receipt: 'HTTP 409 (already received)' };
  const what = `HTTP ${status}${body ? `: ${body.slice(0, 200)}` : ''}`;
  if (RETRYABLE_STATUS.has(status) || status >= 500) return deliveryFailure(true, what, parseRetryAfter(retryAfter, now));
  if (status >= 300 && status < 400)
    return deliveryFailure(false, `${what} (redirects are not followed; put the final URL in the directory)`);
  return deliveryFailure(false, what);
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; capped at one day; undefined if absent or unreadable. */
export function parseRetryAfter(value: string | null, now: Date = new Date()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - now.getTime();
  if (Number.isNaN(ms)) return undefined;
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  cause?: unknown;
}

/** Structural, not `instanceof`: errors from fetch may come from another realm (undici, test VMs). */
function asErrorLike(value: unknown): ErrorLike | undefined {
  return typeof value === 'object' && value !== null ? value : undefined;
}

function describeNetworkError(err: unknown, timeoutMs: number): string {
  const e = asErrorLike(err);
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `timed out after ${timeoutMs} ms`;
  const cause = asErrorLike(e?.cause);
  const code = typeof cause?.code === 'string' ? `${cause.code} ` : '';
  const message = typeof cause?.message === 'string' ? cause.message : typeof e?.message === 'string' ? e.message : String(err);
  return `network error: ${code}${message}`;
}
