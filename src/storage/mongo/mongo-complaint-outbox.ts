/**
 * The two outboxes as the complaint use cases fill them ({@link ComplaintOutbox}): agency
 * deliveries and citizen notifications, each document keyed by its idempotency key
 * (`_id`), so inserting the same message twice inserts it once.
 */
import type { ChannelName } from '../../core/messages';
import type { DeliveryRecord } from '../../complaints/domain/agency-delivery-plan';
import type { CitizenNotice } from '../../complaints/domain/complaint-events';
import type { ComplaintOutbox, NotificationOutcome } from '../../complaints/use-cases/ports';
import { isDuplicateKeyError } from './claims';
import type { Database } from './database';

/** Parameters of agency notices that carry what a citizen wrote (erased with their data). */
const PERSONAL_NOTICE_PARAMS = ['comment'];

export class MongoComplaintOutbox implements ComplaintOutbox {
  constructor(private readonly db: Database) {}

  async addDeliveries(records: readonly DeliveryRecord[]): Promise<number> {
    if (records.length === 0) return 0;
    const now = new Date();
    const docs = records.map((r) => ({
      _id: r.key,
      idempotencyKey: r.key,
      complaintCode: r.complaintCode,
      agencyId: r.agencyId,
      transport: r.transport,
      event: r.event,
      ...(r.note ? { note: r.note } : {}),
      ...(r.submissionKey ? { submissionKey: r.submissionKey } : {}),
      notices: r.notices.map((n) => ({ key: n.key, params: { ...n.params } })),
      state: 'pending',
      attempts: 0,
      attemptBase: 0,
      resends: [],
      nextAttemptAt: r.dueAt,
      createdAt: now,
      updatedAt: now,
    }));
    // One round-trip for every transport; unordered, so a key planned before (a retry) does not stop the others.
    try {
      const result = await this.db.connection.collection<{ _id: string }>('deliveries').insertMany(docs, { ordered: false });
      return result.insertedCount;
    } catch (err) {
      const inserted = insertedDespite(err);
      if (inserted === undefined) throw err;
      return inserted;
    }
  }

  async addNotification(key: string, notice: CitizenNotice): Promise<NotificationOutcome> {
    try {
      await this.db.models.Notification.create({
        _id: key,
        idempotencyKey: key,
        complaintCode: notice.complaintCode,
        channel: notice.channel,
        userId: notice.userId,
        kind: notice.kind,
        params: { ...notice.params },
        state: 'pending',
        attempts: 0,
        nextAttemptAt: notice.at,
      });
      return 'added';
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      // By _id (the key).
      const existing = await this.db.models.Notification.findById(key, { kind: 1, params: 1 }).lean<{
        kind?: string;
        params?: Record<string, unknown>;
      }>();
      return existing?.kind === notice.kind && sameParams(existing.params ?? {}, notice.params) ? 'same' : 'different';
    }
  }

  async forgetCitizen(channel: ChannelName, userId: string, codes: readonly string[]): Promise<void> {
    // Index {channel, userId, state} on MongoDB; a scan on FerretDB (consent withdrawals only).
    await this.db.models.Notification.deleteMany({ channel, userId });
    await this.forgetComplaints(codes);
  }

  async forgetComplaints(codes: readonly string[]): Promise<void> {
    if (codes.length === 0) return;
    // A scan on FerretDB (erasures and the retention job only).
    await this.db.models.Notification.deleteMany({ complaintCode: { $in: [...codes] } });
    // Index complaintCode on MongoDB; a scan on FerretDB.
    const deliveries = await this.db.models.Delivery.find({ complaintCode: { $in: [...codes] } }, { notices: 1 }).lean<
      { _id: string; notices?: { key: string; params?: Record<string, unknown> }[] }[]
    >();
    for (const delivery of deliveries) {
      const notices = (delivery.notices ?? []).map((n) => ({
        key: n.key,
        params: Object.fromEntries(Object.entries(n.params ?? {}).filter(([k]) => !PERSONAL_NOTICE_PARAMS.includes(k))),
      }));
      // By _id.
      await this.db.models.Delivery.updateOne({ _id: delivery._id }, { $set: { notices }, $unset: { note: 1 } });
    }
  }
}

/** How many documents an unordered insert stored when it failed only on duplicate keys; undefined for any other failure. */
function insertedDespite(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const writeErrors = (err as { writeErrors?: unknown }).writeErrors;
  const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
  if (list.length === 0 && !isDuplicateKeyError(err)) return undefined;
  if (
    !list.every((e: unknown) => isDuplicateKeyError(e) || (typeof e === 'object' && e !== null && 'err' in e && isDuplicateKeyError(e.err)))
  ) {
    return undefined;
  }
  const result = (err as { result?: { insertedCount?: number } }).result;
  return result?.insertedCount ?? 0;
}

function sameParams(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => String(a[k]) === String(b[k]));
}
