/** One delivery in the agency outbox: one message, to one agency, over one transport. */
import type { AgencyTransportKind } from '../complaints/domain/agency-delivery-plan';
import type { TextRef } from '../complaints/domain/complaint-events';
import type { OutboxItem } from '../outbox/outbox-store';

export interface DeliveryItem extends OutboxItem {
  readonly complaintCode: string;
  readonly agencyId: string;
  readonly transport: AgencyTransportKind;
  readonly event: string;
  /** What a person wrote for the agency. */
  readonly note?: string;
  /** System texts for the agency, rendered at send time. */
  readonly notices: readonly TextRef[];
  /** See DeliveryRecord.submissionKey. */
  readonly submissionKey?: string;
  readonly receipt?: string;
  readonly sentAt?: Date;
}

/** What operators and agencies are shown of a delivery (CLI, agency API): its state and why, never the message's text. */
export function describeDelivery(d: DeliveryItem): Record<string, unknown> {
  return {
    key: d.id,
    complaintCode: d.complaintCode,
    agencyId: d.agencyId,
    transport: d.transport,
    event: d.event,
    state: d.state,
    attempts: d.attempts,
    ...(d.lastError ? { lastError: d.lastError } : {}),
    nextAttemptAt: d.nextAttemptAt,
    ...(d.createdAt ? { createdAt: d.createdAt } : {}),
  };
}
