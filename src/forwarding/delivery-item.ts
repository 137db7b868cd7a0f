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
