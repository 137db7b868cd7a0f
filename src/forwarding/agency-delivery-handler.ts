/**
 * The agency outbox's handler for the generic {@link OutboxWorker}: builds the message a
 * delivery stands for, sends it through the delivery's transport, and — when a delivery
 * dies — tells the coordinating agency through its own transports (`delivery.dead`), but
 * never alerts about the death of such an alert.
 */
import type { AgencyTransportKind } from '../complaints/domain/agency-delivery-plan';
import type { AgencyNotice } from '../complaints/domain/complaint-events';
import { planAgencyNotice } from '../complaints/use-cases/commit-decision';
import type { ComplaintOutbox, DirectorySource } from '../complaints/use-cases/ports';
import type { Logger } from '../infra/logger';
import type { AttemptOutcome, OutboxHandler, SendResult } from '../outbox/outbox-worker';
import { errorText, safeErrorText } from '../outbox/safe-error';
import { MessageBuildError, personalStrings, type AgencyMessageBuilder } from './agency-message-builder';
import type { DeliveryItem } from './delivery-item';
import type { AgencyMessage, DeliveryResult, Transport } from './transport';

export interface AgencyDeliveryHandlerOptions {
  readonly directory: DirectorySource;
  /** The transports this process can use; a delivery over a missing one fails (retryably) until it is configured. */
  readonly transports: Partial<Record<AgencyTransportKind, Transport>>;
  readonly buildMessage: AgencyMessageBuilder;
  /** Where the coordinator's alert is planned. */
  readonly outbox: Pick<ComplaintOutbox, 'addDeliveries'>;
  readonly logger: Logger;
  readonly clock?: () => Date;
  /** The first delivery of a complaint to its agency succeeded (the complaint becomes `forwarded`). */
  readonly onForwarded?: (code: string, agencyId: string) => Promise<void>;
  /** After each finished attempt (metrics). */
  readonly onOutcome?: (outcome: AttemptOutcome, delivery: DeliveryItem) => void;
}

export function agencyDeliveryHandler(options: AgencyDeliveryHandlerOptions): OutboxHandler<DeliveryItem> {
  const clock = options.clock ?? (() => new Date());
  return {
    send: (delivery) => send(options, delivery),
    logFields: (d) => ({ code: d.complaintCode, agencyId: d.agencyId, transport: d.transport, event: d.event }),
    async beforeDead(delivery, attempts, lastError) {
      if (delivery.event === 'delivery.dead') return;
      const notice: AgencyNotice = {
        event: 'delivery.dead',
        messageKey: `${delivery.id}:dead`,
        complaintCode: delivery.complaintCode,
        agencyId: options.directory.current().coordinator.id,
        notices: [
          {
            key: 'agency.note.delivery_dead',
            params: {
              event: delivery.event,
              key: delivery.id,
              agencyId: delivery.agencyId,
              transport: delivery.transport,
              attempts: String(attempts),
              error: lastError,
            },
          },
        ],
      };
      // A failure here propagates: the delivery is not marked dead, so the alert is not lost.
      await planAgencyNotice(
        { outbox: options.outbox, directory: options.directory, logger: options.logger },
        notice,
        clock(),
        Object.keys(options.transports) as AgencyTransportKind[],
      );
    },
    async afterAttempt(outcome, delivery) {
      options.onOutcome?.(outcome, delivery);
      if (outcome === 'sent' && delivery.event === 'complaint.forwarded')
        await options.onForwarded?.(delivery.complaintCode, delivery.agencyId);
    },
  };
}

/** Delivers through the transport; never throws. Errors are stripped of the complaint's personal strings. */
async function send(options: AgencyDeliveryHandlerOptions, delivery: DeliveryItem): Promise<SendResult> {
  const agency = options.directory.current().agencyById.get(delivery.agencyId);
  if (!agency) return failure(true, `agency '${delivery.agencyId}' is not in the directory`);
  const transport = options.transports[delivery.transport];
  if (!transport) return failure(true, `no ${delivery.transport} transport is configured`);
  let message: AgencyMessage;
  try {
    message = await options.buildMessage(delivery);
  } catch (err) {
    if (err instanceof MessageBuildError && err.orphan) return { ok: false, disposition: 'drop', error: errorText(err) };
    const retryable = err instanceof MessageBuildError ? err.retryable : true;
    return failure(retryable, `building the message failed: ${errorText(err)}`);
  }
  let result: DeliveryResult;
  try {
    result = await transport.deliver(agency, message);
  } catch (err) {
    // Transports must not throw; if one does, treat it as a temporary failure.
    result = { ok: false, retryable: true, error: `transport threw: ${errorText(err)}` };
  }
  if (result.ok) return { ok: true, ...(result.receipt ? { receipt: result.receipt } : {}) };
  return {
    ok: false,
    disposition: result.retryable ? 'retry' : 'permanent',
    error: safeErrorText(result.error, personalStrings(message)),
    ...(result.retryAfterMs !== undefined ? { retryAfterMs: result.retryAfterMs } : {}),
  };
}

function failure(retryable: boolean, error: string): SendResult {
  return { ok: false, disposition: retryable ? 'retry' : 'permanent', error };
}
