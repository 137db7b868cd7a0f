/**
 * Numbered slots in one MongoDB collection (`pipeline_slots`), the primitive behind the
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
 * round trip, and a lone message waits for nothing (measured: docs/measurements.md,
 * "Throughput and isolation"). Done marks stay one update each: a many-statement update
 * on this collection was seen to hang FerretDB v1 under load, and everything behind it —
 * seen again with the `_id` fix of tools/ferretdb/build.sh (one webhook bench run in five:
 * the server stopped answering for good, every thread waiting on a lock; 528 updates
 * answered 200 were left unhandled), so it is not the scans (docs/measurements.md,
 * "Telegram webhook, CPU per update").
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
  /** Inserts both in one round trip; each true if this call created it, false if it existed. */
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
  /** Resolves once the inserts waiting or on its way now are written (at once when there are none). */
  insertsSettled(): Promise<void>;
}

const SLOTS_COLLECTION = 'pipeline_slots';

export class MongoSlotStore implements SlotStore {
  private readonly collection: mongo.Collection<SlotDoc>;
  private readonly inserts: GroupCommit<SlotDoc, boolean>;

  constructor(connection: Connection) {
    const db = connection.db;
    if (!db) throw new Error('MongoSlotStore: the connection is not open');
    this.collection = db.collection<SlotDoc>(SLOTS_COLLECTION);
    this.inserts = new GroupCommit((docs) => this.insertBatch(docs));
  }

  insert(doc: SlotDoc): Promise<boolean> {
    return this.inserts.add(doc);
  }

  async insertPair(first: SlotDoc, second: SlotDoc): Promise<{ first: boolean; second: boolean }> {
    const [a, b] = await Promise.all([this.inserts.add(first), this.inserts.add(second)]);
    return { first: a, second: b };
  }

  async markDone(id: string): Promise<void> {
    // After the admissions waiting: a done mark would take the database's one writer from them.
    await this.inserts.settled();
    await this.collection.updateOne({ _id: id }, { $set: { done: true }, $unset: { payload: '' } });
  }

  async pending(before: Date, limit: number): Promise<SlotDoc[]> {
    return this.collection
      .find({ payload: { $exists: true }, at: { $lt: before } })
      .limit(limit)
      .toArray();
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

  insertsSettled(): Promise<void> {
    return this.inserts.settled();
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
  private started = 0;
  private finished = 0;
  /** Callers of {@link settled}, each with the number of flushes it waits for. */
  private readonly waiters: { until: number; resolve: () => void }[] = [];

  constructor(private readonly flush: (items: readonly T[]) => Promise<(R | Error)[]>) {}

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      // Items added in the same turn of the event loop go together even when nothing is on its way.
      if (!this.busy) setImmediate(() => this.next());
    });
  }

  /**
   * Resolves once what is queued or on its way now has been written (at once when nothing
   * is). Only what is there now: items added later do not hold it back, so a steady stream
   * of admissions cannot keep a caller waiting for ever.
   */
  settled(): Promise<void> {
    const until = this.started + Math.ceil(this.queue.length / MAX_BATCH);
    if (until <= this.finished) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ until, resolve }));
  }

  private next(): void {
    if (this.busy || this.queue.length === 0) return;
    const batch = this.queue.splice(0, MAX_BATCH);
    this.busy = true;
    this.started += 1;
    this.flush(batch.map((b) => b.item))
      .then(
        (results) => batch.forEach((b, i) => (results[i] instanceof Error ? b.reject(results[i]) : b.resolve(results[i]))),
        (error: unknown) => batch.forEach((b) => b.reject(error)),
      )
      .finally(() => {
        this.busy = false;
        this.finished += 1;
        for (let i = this.waiters.length - 1; i >= 0; i--)
          if (this.waiters[i].until <= this.finished) this.waiters.splice(i, 1)[0].resolve();
        this.next();
      });
  }
}
