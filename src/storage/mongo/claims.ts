/**
 * Exactly-one-winner claims, built on a unique index.
 *
 * Measured on FerretDB v1 (SQLite): three concurrent `findOneAndUpdate` (or `updateOne`)
 * calls with the same filter ({state: 'pending'}) ALL succeed — its conditional updates
 * are not atomic. Unique indexes, however, are enforced by the storage engine. So a
 * process takes something (an outbox attempt, a lease generation, a token rotation) by
 * inserting a document whose `_id` names that thing: exactly one insert succeeds, on
 * FerretDB and on a MongoDB replica set alike.
 */
import { Schema, type Connection, type Model } from 'mongoose';

interface ClaimDoc {
  _id: string;
  owner: string;
  at: Date;
}

const claimSchema = new Schema<ClaimDoc>(
  {
    _id: { type: String, required: true },
    owner: { type: String, required: true },
    at: { type: Date, required: true, index: true },
  },
  { collection: 'claims', versionKey: false },
);

export class Claims {
  private readonly model: Model<ClaimDoc>;

  constructor(connection: Connection) {
    this.model = (connection.models.Claim as Model<ClaimDoc> | undefined) ?? connection.model<ClaimDoc>('Claim', claimSchema);
  }

  /** True if this call took `claimId`; false if anyone (this process included) took it before. */
  async tryClaim(claimId: string, owner: string): Promise<boolean> {
    try {
      await this.model.create({ _id: claimId, owner, at: new Date() });
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  }

  /**
   * Takes many claims in one round trip (an unordered insert); returns those this call
   * took. On FerretDB v1 each command costs milliseconds, so a batch of 50 claims in one
   * insert is ~50 times cheaper than 50 inserts.
   */
  async tryClaimMany(claimIds: readonly string[], owner: string): Promise<Set<string>> {
    if (claimIds.length === 0) return new Set();
    const at = new Date();
    const taken = new Set(claimIds);
    try {
      await this.model.insertMany(
        claimIds.map((id) => ({ _id: id, owner, at })),
        { ordered: false },
      );
    } catch (err) {
      const writeErrors = (err as { writeErrors?: { index: number; code?: number; err?: { code?: number } }[] }).writeErrors;
      if (!Array.isArray(writeErrors) || !writeErrors.every((e) => (e.code ?? e.err?.code) === 11000)) throw err;
      for (const e of writeErrors) taken.delete(claimIds[e.index]);
    }
    return taken;
  }

  /** Who holds `claimId`, if anyone. Read by `_id`. */
  async ownerOf(claimId: string): Promise<string | undefined> {
    const doc = await this.model.findById(claimId).lean();
    return doc?.owner;
  }

  /** When `claimId` was taken, if it was. Read by `_id`. */
  async claimedAt(claimId: string): Promise<Date | undefined> {
    const doc = await this.model.findById(claimId, { at: 1 }).lean();
    return doc?.at;
  }

  /** Deletes claims older than `before` (they only guard attempts long finished). Filter on `at` (indexed on MongoDB; a scan on FerretDB, run hourly by a job). */
  async prune(before: Date): Promise<number> {
    const result = await this.model.deleteMany({ at: { $lt: before } });
    return result.deletedCount ?? 0;
  }
}

export function isDuplicateKeyError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === 11000;
}

interface LeaseDoc {
  _id: string;
  owner?: string;
  until?: Date;
  generation: number;
}

const leaseSchema = new Schema<LeaseDoc>(
  {
    _id: { type: String, required: true },
    owner: { type: String },
    until: { type: Date },
    generation: { type: Number, required: true, default: 0 },
  },
  { collection: 'leases', versionKey: false },
);

/**
 * Named, time-limited leases (one Zalo token refresher, one deadline scanner…). Taking a
 * free or expired lease means claiming its next generation, so two processes can never
 * both believe they hold it.
 */
export class Leases {
  private readonly model: Model<LeaseDoc>;

  constructor(
    connection: Connection,
    private readonly claims: Claims,
  ) {
    this.model = (connection.models.LeaseV2 as Model<LeaseDoc> | undefined) ?? connection.model<LeaseDoc>('LeaseV2', leaseSchema);
  }

  async acquire(name: string, owner: string, ttlMs: number, now = new Date()): Promise<boolean> {
    const current = await this.model.findById(name).lean();
    if (current?.owner === owner && current.until && current.until > now) {
      await this.model.updateOne({ _id: name, owner }, { $set: { until: new Date(now.getTime() + ttlMs) } });
      return true;
    }
    if (current?.owner && current.until && current.until > now) return false;
    const generation = (current?.generation ?? 0) + 1;
    if (!(await this.claims.tryClaim(`lease:${name}#${generation}`, owner))) return false;
    await this.model.updateOne({ _id: name }, { $set: { owner, until: new Date(now.getTime() + ttlMs), generation } }, { upsert: true });
    return true;
  }

  async release(name: string, owner: string): Promise<void> {
    const current = await this.model.findById(name).lean();
    if (current?.owner === owner) await this.model.updateOne({ _id: name }, { $set: { until: new Date(0) } });
  }
}
