/**
 * A transport that delivers nothing: it records each message and reports success.
 *
 * Why it exists (as in FixMyStreet): staging and demo installations must be able to run
 * the whole complaint flow without e-mailing or calling real agencies, and that choice
 * must be explicit in the configuration rather than the accident of a missing SMTP URL.
 * It is also the test double for code that forwards complaints.
 */
import type { Agency, AgencyMessage, DeliveryResult, Transport } from './transport';

export interface RecordedDelivery {
  readonly agency: Agency;
  readonly message: AgencyMessage;
  readonly at: Date;
}

export class NoopTransport implements Transport {
  /** Every message "delivered", oldest first. */
  readonly sent: RecordedDelivery[] = [];

  /** `kind` is the channel this transport stands in for. */
  constructor(readonly kind: Transport['kind'] = 'email') {}

  async deliver(agency: Agency, message: AgencyMessage): Promise<DeliveryResult> {
    this.sent.push({ agency, message, at: new Date() });
    return { ok: true, receipt: `noop: ${this.kind} to ${agency.id} not sent (staging mode)` };
  }
}
