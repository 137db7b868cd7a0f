/**
 * The outboxes' collections behind the generic worker's {@link OutboxStore}: one class
 * for `deliveries` (to agencies) and `notifications` (to citizens), which share their
 * state fields. An item's `_id` is its idempotency key; every read and write of one item
 * is by `_id`. The poll for due items uses the index {state, nextAttemptAt} on MongoDB and
 * scans on FerretDB (fine for a pilot; see docs/architecture.md).
 */
import type { mongo } from 'mongoose';
import type { DeliveryItem } from '../../forwarding/delivery-item';
import type { NotificationItem } from '../../notifications/notification-item';
import type { OutboxItem, OutboxListFilter, OutboxState, OutboxStore, RecordedAttempt, ResendOutcome } from '../../outbox/outbox-store';
import type { Database } from './database';

/** The fields both outboxes share; each adds its payload. Read through the driver's collection (the schemas differ only in payload). */
interface Doc {
  _id: string;
  resends?: { at: Date; by: string }[];
  [field: string]: unknown;
}

export class MongoOutbox<T extends OutboxItem> implements OutboxStore<T> {
  private readonly collection: mongo.Collection<Doc>;

  constructor(
    readonly name: string,
    private readonly db: Database,
    collectionName: string,
    private readonly toItem: (doc: Doc) => T,
  ) {
    this.collection = db.connection.collection<Doc>(collectionName);
  }

  private byId(id: string): mongo.Filter<Doc> {
    return { _id: id };
  }

  private async updateById(id: string, update: mongo.UpdateFilter<Doc>): Promise<void> {
    await this.collection.updateOne(this.byId(id), update);
  }

  async due(now: Date, limit: number): Promise<T[]> {
    const docs = await this.collection
      .find({
        $or: [
          { state: 'pending', nextAttemptAt: { $lte: now } },
          { state: 'sending', leaseUntil: { $lt: now } },
        ],
      })
      .sort({ nextAttemptAt: 1, createdAt: 1 })
      .limit(limit)
      .toArray();
    return docs.map(this.toItem);
  }

  async reload(id: string): Promise<T | undefined> {
    const doc = await this.collection.findOne(this.byId(id));
    return doc ? this.toItem(doc) : undefined;
  }

  tryClaim(claimId: string, owner: string): Promise<boolean> {
    return this.db.claims.tryClaim(claimId, owner);
  }

  claimedAt(claimId: string): Promise<Date | undefined> {
    return this.db.claims.claimedAt(claimId);
  }

  async markSending(id: string, attempt: number, owner: string, leaseUntil: Date): Promise<void> {
    await this.updateById(id, { $set: { state: 'sending', attempts: attempt, leaseOwner: owner, leaseUntil, updatedAt: new Date() } });
  }

  async markAbandoned(id: string, attempt: number, now: Date): Promise<void> {
    await this.updateById(id, {
      $set: { state: 'pending', attempts: attempt, nextAttemptAt: now, lastError: `attempt ${attempt} abandoned by a stopped process` },
      $unset: { leaseOwner: 1, leaseUntil: 1 },
    });
  }

  async record(id: string, attempt: number, outcome: RecordedAttempt): Promise<void> {
    // A filter {_id, attempts} would scan on FerretDB: read by _id, then write by _id. The lease
    // (≫ a send's timeout) keeps another attempt from starting while this one is in flight.
    const current = await this.collection.findOne(this.byId(id), { projection: { attempts: 1 } });
    if (current?.attempts !== attempt) return;
    const clearLease = { leaseOwner: 1, leaseUntil: 1 } as const;
    const updatedAt = new Date();
    const update: mongo.UpdateFilter<Doc> =
      outcome.state === 'sent'
        ? {
            $set: { state: 'sent', sentAt: outcome.at, updatedAt, ...(outcome.receipt ? { receipt: outcome.receipt } : {}) },
            $unset: { ...clearLease, lastError: 1 },
          }
        : outcome.state === 'pending'
          ? {
              $set: { state: 'pending', nextAttemptAt: outcome.nextAttemptAt, lastError: outcome.lastError, updatedAt },
              $unset: clearLease,
            }
          : { $set: { state: outcome.state, lastError: outcome.lastError, updatedAt }, $unset: clearLease };
    await this.updateById(id, update);
  }

  async list(filter: OutboxListFilter): Promise<T[]> {
    // Index {agencyId, state} (deliveries) or {state, nextAttemptAt} on MongoDB; a scan on FerretDB (operators' tools).
    const query = { ...(filter.state ? { state: filter.state } : {}), ...filter.match };
    const docs = await this.collection.find(query).sort({ createdAt: -1 }).limit(filter.limit).toArray();
    return docs.map(this.toItem);
  }

  async resend(id: string, by: string, now: Date): Promise<ResendOutcome> {
    const doc = await this.collection.findOne(this.byId(id), { projection: { state: 1, attempts: 1, resends: 1 } });
    if (!doc) return 'not_found';
    if (doc.state !== 'dead') return 'not_dead';
    const resends = [...(doc.resends ?? []), { at: now, by }];
    await this.updateById(id, {
      $set: { state: 'pending', nextAttemptAt: now, attemptBase: Number(doc.attempts ?? 0), resends, updatedAt: now },
    });
    return 'resent';
  }
}

/** Notifications only: the citizen wrote again, so their held notifications become due now. */
export class MongoNotificationOutbox extends MongoOutbox<NotificationItem> {
  constructor(private readonly database: Database) {
    super('notification', database, 'notifications', toNotificationItem);
  }

  /** Returns how many were released. Index {channel, userId, state} on MongoDB; a scan on FerretDB (on each message of a citizen). */
  async releaseHeld(channel: string, userId: string, now: Date): Promise<number> {
    const result = await this.database.models.Notification.updateMany(
      { channel, userId, state: 'held' },
      { $set: { state: 'pending', nextAttemptAt: now }, $unset: { leaseOwner: 1, leaseUntil: 1 } },
    );
    return result.modifiedCount ?? 0;
  }
}

export function deliveryOutbox(db: Database): MongoOutbox<DeliveryItem> {
  return new MongoOutbox('delivery', db, 'deliveries', toDeliveryItem);
}

function baseItem(doc: Doc): OutboxItem {
  return {
    id: String(doc._id),
    state: doc.state as OutboxState,
    attempts: Number(doc.attempts ?? 0),
    attemptBase: Number(doc.attemptBase ?? 0),
    nextAttemptAt: doc.nextAttemptAt as Date,
    ...(doc.leaseUntil ? { leaseUntil: doc.leaseUntil as Date } : {}),
    ...(typeof doc.lastError === 'string' ? { lastError: doc.lastError } : {}),
    ...(doc.createdAt ? { createdAt: doc.createdAt as Date } : {}),
  };
}

function toDeliveryItem(doc: Doc): DeliveryItem {
  const notices = Array.isArray(doc.notices) ? (doc.notices as { key: string; params?: Record<string, string> }[]) : [];
  return {
    ...baseItem(doc),
    complaintCode: String(doc.complaintCode),
    agencyId: String(doc.agencyId),
    transport: doc.transport as DeliveryItem['transport'],
    event: String(doc.event),
    ...(typeof doc.note === 'string' ? { note: doc.note } : {}),
    ...(typeof doc.submissionKey === 'string' ? { submissionKey: doc.submissionKey } : {}),
    notices: notices.map((n) => ({ key: n.key, params: n.params ?? {} })),
    ...(typeof doc.receipt === 'string' ? { receipt: doc.receipt } : {}),
    ...(doc.sentAt ? { sentAt: doc.sentAt as Date } : {}),
  };
}

function toNotificationItem(doc: Doc): NotificationItem {
  return {
    ...baseItem(doc),
    ...(typeof doc.complaintCode === 'string' ? { complaintCode: doc.complaintCode } : {}),
    channel: String(doc.channel),
    userId: String(doc.userId),
    kind: String(doc.kind),
    params: typeof doc.params === 'object' && doc.params !== null ? (doc.params as Record<string, unknown>) : {},
  };
}
