/**
 * The one interface every way of delivering a complaint to an agency implements
 * (e-mail, signed webhook, Telegram group).
 *
 * Following FixMyStreet, a sender never throws for a delivery problem: it returns a
 * {@link DeliveryResult} saying whether it worked and, if not, whether trying again
 * later can help. The caller records the attempt (delivery state is kept apart from
 * the complaint's visible status) and retries only what failed and is retryable.
 */
import type { Agency } from '../complaints/directory/directory';
import type { AgencyEventType } from '../complaints/domain/complaint-events';

export type { Agency } from '../complaints/directory/directory';
export { AGENCY_EVENT_TYPES, type AgencyEventType } from '../complaints/domain/complaint-events';

/** One message to one agency. */
export interface AgencyMessage {
  event: AgencyEventType;
  /**
   * Same key for every retry of the same message, different for each new message
   * (e.g. "PA-7K3M9X.forwarded.1"). Receivers de-duplicate on it.
   */
  idempotencyKey: string;
  complaint: ForwardedComplaint;
  /** Free text for the agency (why a reminder, what the citizen added when reopening…). */
  note?: string;
  /** The wording people read (e-mail, Telegram card), from the locale files; machines use the fields above. */
  texts: AgencyTexts;
}

/** Labels of the facts shown to people, in display order. */
export const AGENCY_FACTS = ['code', 'agency', 'sector', 'locality', 'created', 'due', 'status', 'contact', 'track'] as const;
export type AgencyFact = (typeof AGENCY_FACTS)[number];

/** The words of one message for people, rendered from `agency.*` texts in the agencies' language. */
export interface AgencyTexts {
  /** The event's title ("Phản ánh, kiến nghị mới"). */
  readonly title: string;
  readonly labels: Readonly<Record<AgencyFact | 'note' | 'text' | 'photos', string>>;
  /** The complaint's status in words. */
  readonly status: string;
  /** Closing line naming the delivery key. */
  readonly footer: string;
}

/** What an agency learns about a complaint: only what it needs to handle it. */
export interface ForwardedComplaint {
  code: string;
  agencyId: string;
  agencyName: string;
  sector: string;
  sectorLabel: string;
  localityName?: string;
  text: string;
  contact?: { name?: string; phone?: string };
  photos: { url: string; contentType?: string }[];
  /** ISO 8601 instants. */
  createdAt: string;
  dueAt: string;
  status: string;
  /** Page where the citizen (and the agency) can follow the complaint. */
  publicUrl?: string;
}

/**
 * Outcome of one delivery attempt. `receipt` is whatever the other side gave back
 * (SMTP reply, HTTP status) for the delivery log. `retryAfterMs` is the other side's
 * explicit request to wait (HTTP Retry-After), when it made one.
 */
export type DeliveryResult = { ok: true; receipt?: string } | { ok: false; retryable: boolean; error: string; retryAfterMs?: number };

/** A way of delivering messages to agencies. Implementations must not throw for delivery failures. */
export interface Transport {
  readonly kind: 'email' | 'webhook' | 'telegram';
  deliver(agency: Agency, message: AgencyMessage): Promise<DeliveryResult>;
}

/** Shorthand for a failure result. */
export function deliveryFailure(retryable: boolean, error: string, retryAfterMs?: number): DeliveryResult {
  return retryAfterMs === undefined ? { ok: false, retryable, error } : { ok: false, retryable, error, retryAfterMs };
}
