/**
 * Putting messages for agencies into the delivery outbox (`deliveries`), shared by the
 * dead-delivery alert and the deadline scanner.
 *
 * One outbox document per (message, transport): an agency reached by e-mail AND Telegram
 * gets two deliveries that succeed, fail and retry independently (FixMyStreet keeps the
 * same split). The unique index on `idempotencyKey` makes planning idempotent: planning
 * the same message again — after a crash between "planned" and "marked as planned" —
 * inserts nothing new.
 */
import { configuredTransports } from '../complaints/delivery-planner';
import { isDuplicateKeyError } from '../storage/mongo/claims';
import type { Database } from '../storage/mongo/database';
import type { Agency, AgencyEventType, Transport } from './transport';

/** Where the current directory is read from (the directory may be reloaded while the process runs). */
export type { DirectorySource } from '../complaints/delivery-planner';

export type TransportKind = Transport['kind'];

/**
 * Idempotency key of one delivery: the message's key plus the transport
 * ("PA-7K3M9X:reminder:2025-03-12T10:00:00.000Z:email"). Per transport because the
 * outbox's unique index is on the key alone; receivers see the full key.
 */
export function deliveryKey(messageKey: string, transport: TransportKind): string {
  return `${messageKey}:${transport}`;
}

export interface PlanRequest {
  readonly agency: Agency;
  /** The message's key; each delivery's key is {@link deliveryKey}(messageKey, transport). */
  readonly messageKey: string;
  readonly complaintCode: string;
  readonly event: AgencyEventType;
  readonly note?: string;
  readonly now: Date;
  /**
   * Transports this process can use. The agency's transports are filtered by it, unless
   * none would remain: then all of them are planned, so the deliveries exist, fail
   * visibly and end `dead` instead of the message silently not existing.
   */
  readonly available?: readonly TransportKind[];
}

/** Inserts the message's deliveries (pending, due now). Returns how many were new; existing keys are left alone. */
export async function planAgencyDeliveries(db: Database, request: PlanRequest): Promise<number> {
  const listed = configuredTransports(request.agency);
  const usable = request.available ? listed.filter((k) => request.available?.includes(k)) : listed;
  let inserted = 0;
  for (const transport of usable.length > 0 ? usable : listed) {
    try {
      await db.models.Delivery.create({
        idempotencyKey: deliveryKey(request.messageKey, transport),
        complaintCode: request.complaintCode,
        agencyId: request.agency.id,
        transport,
        event: request.event,
        note: request.note,
        state: 'pending',
        attempts: 0,
        nextAttemptAt: request.now,
      });
      inserted++;
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
  }
  return inserted;
}
