/**
 * The complaints collection behind the {@link ComplaintRepository} port: every complaint
 * query of the service is here, and each says which key it reads by.
 *
 * FerretDB v1 (SQLite) uses its primary key only for a filter that is exactly `{_id: …}`
 * and reads and decodes the whole collection for any other filter (measured;
 * docs/architecture.md). A complaint's `_id` is its tracking code, so everything a citizen
 * or an officer does to one complaint reads and writes by `_id`. The lists (a citizen's
 * complaints, an agency's, the jobs' queries) use secondary indexes on MongoDB and scan
 * on FerretDB; none of them is on the submit path.
 *
 * Changes are versioned: applying version n+1 first claims `complaint:<code>@<n+1>` (a
 * unique insert, exactly one winner on FerretDB and MongoDB alike), then updates by
 * `_id`. A writer that loses the claim gets `conflict` and decides again on a fresh read.
 */
import type { ChannelName } from '../../core/messages';
import { OPEN_STATUSES, type Complaint, type ComplaintChange, type PhotoRef } from '../../complaints/domain/complaint';
import { FINISHED_STATUSES } from '../../complaints/domain/personal-data';
import type { AgencyComplaintQuery, ComplaintRepository, InsertOutcome, UpdateOutcome } from '../../complaints/use-cases/ports';
import { isDuplicateKeyError } from './claims';
import type { Database } from './database';

/** A claim taken but never followed by its update (the writer died) is written off after this long. */
const ABANDONED_VERSION_MS = 60_000;

export class MongoComplaintRepository implements ComplaintRepository {
  constructor(
    private readonly db: Database,
    /** This process's id in version claims. */
    private readonly owner: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private get model() {
    return this.db.models.Complaint;
  }

  async insert(complaint: Complaint): Promise<InsertOutcome> {
    try {
      // _id = code: a taken code and a repeated submission both fail on a unique index (_id, submissionKey).
      await this.model.create({ ...complaint, _id: complaint.code, photos: [...complaint.photos], history: [...complaint.history] });
      return 'inserted';
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      // Which index refused it: only here, after a duplicate, is the submission key looked up (a scan on FerretDB).
      return (await this.findBySubmissionKey(complaint.submissionKey)) ? 'duplicate_submission' : 'code_taken';
    }
  }

  async findByCode(code: string): Promise<Complaint | undefined> {
    // By _id (the code): the primary key.
    const doc = await this.model.findById(code).lean();
    return doc ? toComplaint(doc) : undefined;
  }

  async agencyOf(code: string): Promise<string | undefined> {
    // By _id, only the agency: the same small read whether the caller may see the complaint or not.
    const doc = await this.model.findById(code, { agencyId: 1 }).lean();
    return doc?.agencyId;
  }

  async findBySubmissionKey(key: string): Promise<Complaint | undefined> {
    // Unique index submissionKey on MongoDB; a scan on FerretDB (only after a duplicate insert).
    const doc = await this.model.findOne({ submissionKey: key }).lean();
    return doc ? toComplaint(doc) : undefined;
  }

  async update(current: Complaint, change: ComplaintChange): Promise<UpdateOutcome> {
    const version = current.version + 1;
    const claimId = `complaint:${current.code}@${version}`;
    if (!(await this.db.claims.tryClaim(claimId, this.owner))) {
      await this.writeOffIfAbandoned(current, claimId);
      return 'conflict';
    }
    const $set: Record<string, unknown> = { ...change.set, version };
    const update: Record<string, unknown> = { $set };
    const append = change.append ?? [];
    // One entry: $push (no modifiers: FerretDB v1). Several: the whole history, which this writer alone owns at this version.
    if (append.length === 1 && !change.set.history) update.$push = { history: append[0] };
    else if (append.length > 0) $set.history = [...(change.set.history ?? current.history), ...append];
    if (change.unset?.length) update.$unset = Object.fromEntries(change.unset.map((f) => [f, 1]));
    // By _id: the claim above makes this process the only writer of this version.
    await this.model.updateOne({ _id: current.code }, update);
    return 'updated';
  }

  /**
   * A writer that claimed a version and died before updating would block the complaint
   * forever: once the claim is old and the complaint still at the version before it, one
   * process (a second claim decides which) moves the version past it.
   */
  private async writeOffIfAbandoned(current: Complaint, claimId: string): Promise<void> {
    const claimedAt = await this.db.claims.claimedAt(claimId);
    if (!claimedAt || this.clock().getTime() - claimedAt.getTime() < ABANDONED_VERSION_MS) return;
    const stored = await this.model.findById(current.code, { version: 1 }).lean();
    if ((stored?.version ?? 0) !== current.version) return;
    if (!(await this.db.claims.tryClaim(`${claimId}:abandoned`, this.owner))) return;
    await this.model.updateOne({ _id: current.code }, { $set: { version: current.version + 1 } });
  }

  async setPhotos(code: string, photos: readonly PhotoRef[]): Promise<void> {
    // By _id.
    await this.model.updateOne({ _id: code }, { $set: { photos } });
  }

  async listForCitizen(channel: ChannelName, userId: string, limit: number): Promise<Complaint[]> {
    // Index {channel, userId, createdAt} on MongoDB; a scan on FerretDB.
    const docs = await this.model.find({ channel, userId }).sort({ createdAt: -1 }).limit(limit).lean();
    return docs.map(toComplaint);
  }

  async listByCitizen(channel: ChannelName, userId: string): Promise<Complaint[]> {
    // Index {channel, userId, createdAt} on MongoDB; a scan on FerretDB (consent withdrawals only).
    return (await this.model.find({ channel, userId }).lean()).map(toComplaint);
  }

  async listForAgency(agencyId: string | undefined, filter: AgencyComplaintQuery): Promise<Complaint[]> {
    // Index {agencyId, status} on MongoDB; a scan on FerretDB.
    const query: Record<string, unknown> = { ...(agencyId ? { agencyId } : {}), ...(filter.status ? { status: filter.status } : {}) };
    if (filter.sector) query.sector = filter.sector;
    if (filter.dueBefore) {
      // Overdue: open (the given status only if it is an open one) and past the deadline.
      query.status = filter.status ? (OPEN_STATUSES.includes(filter.status) ? filter.status : '-none-') : { $in: OPEN_STATUSES };
      query.dueAt = { $lt: filter.dueBefore };
    }
    const docs = await this.model.find(query).sort({ createdAt: -1 }).limit(filter.limit).lean();
    return docs.map(toComplaint);
  }

  async listUnplanned(limit: number): Promise<Complaint[]> {
    // Index {deliveriesPlanned, createdAt} on MongoDB; a scan on FerretDB (the re-planning job, once a minute).
    const docs = await this.model.find({ deliveriesPlanned: false }).sort({ createdAt: 1 }).limit(limit).lean();
    return docs.map(toComplaint);
  }

  async listOpenDueBetween(from: Date, to: Date): Promise<Complaint[]> {
    // Index {status, dueAt} on MongoDB; a scan on FerretDB (the deadline job).
    const docs = await this.model.find({ status: { $in: OPEN_STATUSES }, dueAt: { $gt: from, $lte: to } }).lean();
    return docs.map(toComplaint);
  }

  async listOpenOverdue(before: Date): Promise<Complaint[]> {
    // Index {status, dueAt} on MongoDB; a scan on FerretDB (the deadline job).
    const docs = await this.model.find({ status: { $in: OPEN_STATUSES }, dueAt: { $lt: before } }).lean();
    return docs.map(toComplaint);
  }

  async listFinishedUnchangedSince(before: Date, limit: number): Promise<Complaint[]> {
    // Index {status, updatedAt} on MongoDB; a scan on FerretDB (the retention job, hourly).
    const docs = await this.model
      .find({ status: { $in: FINISHED_STATUSES }, updatedAt: { $lt: before }, personalDataErasedAt: { $exists: false } })
      .sort({ updatedAt: 1 })
      .limit(limit)
      .lean();
    return docs.map(toComplaint);
  }

  async deletePhotos(code: string): Promise<void> {
    // Index complaintCode on MongoDB; a scan of complaint_photos on FerretDB (consent withdrawals only).
    await this.db.models.ComplaintPhoto.deleteMany({ complaintCode: code });
  }
}

/** A stored document as the domain's plain complaint. */
function toComplaint(doc: Record<string, unknown>): Complaint {
  const { _id, __v, ...fields } = doc;
  void __v;
  return {
    ...fields,
    code: typeof fields.code === 'string' ? fields.code : String(_id),
    version: Number(fields.version ?? 0),
  } as unknown as Complaint;
}
