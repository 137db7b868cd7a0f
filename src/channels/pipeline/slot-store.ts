/**
 * Numbered slots in one MongoDB collection (`pipeline_slots`), the primitive behind the
 * limits shared between processes and the per-citizen ordering.
 *
 * Why slots and not counters: measured on FerretDB v1, 200 concurrent
 * `{$inc: {n: 1}}` updates of one `{_id}` document (findOneAndUpdate or updateOne, two
 * connections) left n between 2 and 7 — its updates are read-modify-write without a
 * lock, so a counter would let a flood of parallel requests through. A unique `_id`
 * insert is the one write FerretDB makes exactly once, so "take the next unit of
 * `series`" is "insert `series#i` for the smallest free i": the count is exact on
 * FerretDB and on MongoDB alike. Each slot carries `expiresAt`; {@link sweep} deletes
 * expired ones (FerretDB v1 has no TTL index).
 *
 * The raw driver is used, not a mongoose model: these are the hot path's writes (one
 * or two per message) and mongoose's document layer would double their cost.
 */
import type { Connection, mongo } from 'mongoose';
import { isDuplicateKeyError } from '../../storage/mongo/claims';

export interface SlotDoc {
  _id: string;
  expiresAt: Date;
  /** Tail documents of a series: the highest slot number handed out (a hint). */
  last?: number;
  /** Who took the slot and when (sequencer tickets: a crashed holder's lease runs out). */
  owner?: string;
  at?: Date;
  /** Tail documents of the sequencer: the current epoch of the citizen's tickets. */
  epoch?: string;
}

export interface SlotStore {
  /** Inserts `id`; true if this call created it, false if it existed. */
  insert(doc: SlotDoc): Promise<boolean>;
  find(id: string): Promise<SlotDoc | undefined>;
  /** Overwrites (or creates) a hint document; last writer wins, which a hint allows. */
  setHint(id: string, last: number, expiresAt: Date): Promise<void>;
  /** Deletes `id` if it still expires at `expiresAt` (so a replacement is never deleted). */
  remove(id: string, expiresAt: Date): Promise<void>;
  /** Deletes expired slots; returns how many. */
  sweep(now: Date): Promise<number>;
}

const SLOTS_COLLECTION = 'pipeline_slots';

export class MongoSlotStore implements SlotStore {
  private readonly collection: mongo.Collection<SlotDoc>;

  constructor(connection: Connection) {
    const db = connection.db;
    if (!db) throw new Error('MongoSlotStore: the connection is not open');
    this.collection = db.collection<SlotDoc>(SLOTS_COLLECTION);
  }

  async insert(doc: SlotDoc): Promise<boolean> {
    try {
      await this.collection.insertOne(doc);
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  async find(id: string): Promise<SlotDoc | undefined> {
    return (await this.collection.findOne({ _id: id })) ?? undefined;
  }

  async setHint(id: string, last: number, expiresAt: Date): Promise<void> {
    await this.collection.updateOne({ _id: id }, { $set: { last, expiresAt } }, { upsert: true }).catch((error: unknown) => {
      // Two first writers raced on the upsert: the other one's hint is as good.
      if (!isDuplicateKeyError(error)) throw error;
    });
  }

  async remove(id: string, expiresAt: Date): Promise<void> {
    await this.collection.deleteOne({ _id: id, expiresAt });
  }

  async sweep(now: Date): Promise<number> {
    const result = await this.collection.deleteMany({ expiresAt: { $lt: now } });
    return result.deletedCount;
  }
}
