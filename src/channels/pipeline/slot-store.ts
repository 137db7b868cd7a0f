/**
 * Numbered slots in MongoDB (`pipeline_slots`; the sequencer's tickets in `pipeline_tickets`), the primitive behind the
 * limits shared between processes, the per-citizen ordering and the durable inbox.
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
 * The raw driver is used, not a mongoose model: these are the hot path's writes and
 * mongoose's document layer would double their cost.
 *
 * Group commit: inserts asked for while an earlier batch is on its way go together in the
 * next one — one `insert` command (unordered) whose write errors say which documents
 * existed. FerretDB writes a batch in one SQLite transaction, so under load the
 * admissions of many messages (their duplicate records, tickets and window slots) cost one
 * round trip per collection, and a lone message waits for nothing (measured: docs/measurements.md,
 * "Throughput and isolation"). Done marks stay one update each: a many-statement update
 * on this collection was seen to hang FerretDB v1 under load, and everything behind it.
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
  /** Sequencer tickets: the turn is over (set once, by the holder or by a recovery). */
  done?: boolean;
  /**
   * Sequencer tickets of a durable message: what its channel needs to handle it again
   * (the inbox, see durable-inbox.ts), as JSON text — an update may hold arrays of arrays
   * (inline keyboards), which FerretDB v1 cannot store; removed when the turn is over.
   */
  payload?: { readonly channel: string; readonly json: string };
}

export interface SlotStore {
  /** Inserts `id`; true if this call created it, false if it existed. */
  insert(doc: SlotDoc): Promise<boolean>;
  /** Inserts both at once (one insert command per collection, in parallel); each true if this call created it, false if it existed. */
  insertPair(first: SlotDoc, second: SlotDoc): Promise<{ first: boolean; second: boolean }>;
  /** Marks a ticket done and drops its payload (one update by `_id`; only its holder or a recovery writes it). */
  markDone(id: string): Promise<void>;
  /** Tickets that still carry a payload and were taken before `before` (a scan: recovery only). */
  pending(before: Date, limit: number): Promise<SlotDoc[]>;
  find(id: string): Promise<SlotDoc | undefined>;
  /** Overwrites (or creates) a hint document; last writer wins, which a hint allows. */
  setHint(id: string, last: number, expiresAt: Date): Promise<void>;
  /** Deletes `id` if it still expires at `expiresAt` (so a replacement is never deleted). */
  remove(id: string, expiresAt: Date): Promise<void>;
  /** Deletes expired slots; returns how many. */
  sweep(now: Date): Promise<number>;
  /** Resolves once no insert is waiting or on its way (at once when none is). */
  insertsSettled(): Promise<void>;
}

const SLOTS_COLLECTION = 'pipeline_slots';
/** The sequencer's tickets and tail documents (ids `seq:…`), apart from the rest: see {@link MongoSlotStore}. */
export const TICKETS_COLLECTION = 'pipeline_tickets';
const TICKET_PREFIX = 'seq:';

/**
 * Two collections, one per way of use. FerretDB v1 over SQLite does not use its `_id` index
 * for a find or an update (its query's expression differs from the index's, measured:
 * docs/measurements.md), so each costs a scan of its collection, while an insert's unique
 * check does use the index. Duplicate records (kept 7 days) and window slots are only
 * inserted; tickets are also read and marked done, once per message. Kept apart, a done
 * mark scans only the tickets of the last day, not a week of duplicate records.
 */
export class MongoSlotStore implements SlotStore {
  private readonly slots: Part;
  private readonly tickets: Part;

  constructor(connection: Connection) {
    const db = connection.db;
    if (!db) throw new Error('MongoSlotStore: the connection is not open');
    this.slots = new Part(db.collection<SlotDoc>(SLOTS_COLLECTION));
    this.tickets = new Part(db.collection<SlotDoc>(TICKETS_COLLECTION));
  }

  insert(doc: SlotDoc): Promise<boolean> {
    return this.partOf(doc._id).inserts.add(doc);
  }

  async insertPair(first: SlotDoc, second: SlotDoc): Promise<{ first: boolean; second: boolean }> {
    const [a, b] = await Promise.all([this.insert(first), this.insert(second)]);
    return { first: a, second: b };
  }

  async markDone(id: string): Promise<void> {
    // After the admissions waiting: a done mark is an update (a scan on FerretDB) that would hold their write.
    await this.insertsSettled();
    await this.partOf(id).collection.updateOne({ _id: id }, { $set: { done: true }, $unset: { payload: '' } });
  }

  async pending(before: Date, limit: number): Promise<SlotDoc[]> {
    return this.tickets.collection
      .find({ payload: { $exists: true }, at: { $lt: before } })
      .limit(limit)
      .toArray();
  }

  async find(id: string): Promise<SlotDoc | undefined> {
    return (await this.partOf(id).collection.findOne({ _id: id })) ?? undefined;
  }

  async setHint(id: string, last: number, expiresAt: Date): Promise<void> {
    await this.partOf(id)
      .collection.updateOne({ _id: id }, { $set: { last, expiresAt } }, { upsert: true })
      .catch((error: unknown) => {
        // Two first writers raced on the upsert: the other one's hint is as good.
        if (!isDuplicateKeyError(error)) throw error;
      });
  }

  async remove(id: string, expiresAt: Date): Promise<void> {
    await this.partOf(id).collection.deleteOne({ _id: id, expiresAt });
  }

  async sweep(now: Date): Promise<number> {
    const counts = await Promise.all(
      [this.slots, this.tickets].map(async (part) => (await part.collection.deleteMany({ expiresAt: { $lt: now } })).deletedCount),
    );
    return counts[0] + counts[1];
  }

  async insertsSettled(): Promise<void> {
    await Promise.all([this.slots.inserts.settled(), this.tickets.inserts.settled()]);
  }

  private partOf(id: string): Part {
    return id.startsWith(TICKET_PREFIX) ? this.tickets : this.slots;
  }
}

/** One collection and the group commit of its inserts. */
class Part {
  readonly inserts: GroupCommit<SlotDoc, boolean>;

  constructor(readonly collection: mongo.Collection<SlotDoc>) {
    this.inserts = new GroupCommit((docs) => this.insertBatch(docs));
  }

  /** One unordered insert: true for each document created, false for each that existed. */
  private async insertBatch(docs: readonly SlotDoc[]): Promise<(boolean | Error)[]> {
    try {
      await this.collection.insertMany([...docs], { ordered: false });
      return docs.map(() => true);
    } catch (error) {
      const writeErrors = (error as { writeErrors?: WriteErrorLike | WriteErrorLike[] }).writeErrors;
      if (writeErrors === undefined) throw error;
      const out: (boolean | Error)[] = docs.map(() => true);
      for (const e of Array.isArray(writeErrors) ? writeErrors : [writeErrors])
        out[e.index] = e.code === 11000 ? false : new Error(`slot insert failed (code ${String(e.code)})`);
      return out;
    }
  }
}

interface WriteErrorLike {
  readonly index: number;
  readonly code?: number;
}

/** Largest batch: a bound on one command's size, far above what one process admits at once. */
const MAX_BATCH = 500;

/**
 * Runs `flush` on everything added while the previous flush was on its way (one flush at a
 * time); each `add` settles with its own item's result (an Error result rejects that item only).
 */
class GroupCommit<T, R> {
  private readonly queue: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  private busy = false;
  private readonly waiters: (() => void)[] = [];

  constructor(private readonly flush: (items: readonly T[]) => Promise<(R | Error)[]>) {}

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      // Items added in the same turn of the event loop go together even when nothing is on its way.
      if (!this.busy) setImmediate(() => this.next());
    });
  }

  /** Resolves once nothing is queued or on its way. */
  settled(): Promise<void> {
    if (!this.busy && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private next(): void {
    if (this.busy) return;
    if (this.queue.length === 0) {
      for (const resolve of this.waiters.splice(0)) resolve();
      return;
    }
    const batch = this.queue.splice(0, MAX_BATCH);
    this.busy = true;
    this.flush(batch.map((b) => b.item))
      .then(
        (results) => batch.forEach((b, i) => (results[i] instanceof Error ? b.reject(results[i]) : b.resolve(results[i]))),
        (error: unknown) => batch.forEach((b) => b.reject(error)),
      )
      .finally(() => {
        this.busy = false;
        this.next();
      });
  }
}
