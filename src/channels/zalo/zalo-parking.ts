/**
 * Zalo's overflow lot: a signed event the inbound pipeline cannot take now (too much in
 * flight in this process, or this citizen already has its maximum in flight) is stored
 * here and answered 200, then handed to the pipeline as soon as it has room.
 *
 * Why not 503 as Telegram gets: Zalo's OA webhook is not Telegram's. Telegram keeps an
 * update and redelivers it for a day; Zalo retries a few times and may disable a webhook
 * that keeps failing (measured before this lot: 3,565 "503 busy" answers to 1,500 events
 * at 16 in flight). An event whose signature is valid is therefore never refused for lack
 * of room: it costs one insert and waits in the database, not in memory.
 *
 * What holds:
 * - handled once: the lot's `_id` is the event's redelivery key, so a redelivery while it
 *   waits is a duplicate insert; once handed on, the pipeline's duplicate record stops
 *   any later copy (and a copy handed on twice, after a crash between the pipeline's
 *   record and the lot's delete, is that same duplicate);
 * - per-citizen order: while a citizen has events waiting here, their next events wait
 *   behind them (in this process), and each citizen's events are handed on in arrival
 *   order, so the pipeline places them in that order;
 * - survives a crash: the process that stored an event keeps a copy in memory and
 *   deletes the document once the pipeline has recorded it; events of a process that
 *   died (a pid of this machine that no longer runs; elsewhere, stored more than
 *   {@link ParkingOptions.leaseMs} ago) are taken over by the next process at its start
 *   and on each sweep.
 * - bounded memory: at most {@link ParkingOptions.maxParked} events wait in one process;
 *   beyond, the webhook answers 503 (the database would be far behind by then anyway).
 * Across processes, a citizen's events waiting at one process can be overtaken by a
 * later event of that citizen arriving at another one with room: the lot is per process.
 */
import type { Connection, mongo } from 'mongoose';
import type { Logger } from '../../infra/logger';
import { silentLogger } from '../../infra/logger';
import { isDuplicateKeyError } from '../../storage/mongo/claims';
import { deadLocalProcess } from '../pipeline/durable-inbox';
import type { Admission, InboundPipeline, InboundTask } from '../pipeline/inbound-pipeline';

interface ParkedDoc {
  /** The event's redelivery key (zalo-webhook.ts dedupeKey). */
  _id: string;
  /** Zalo user id: the citizen's line. */
  user: string;
  /** Arrival order within the process that parked it. */
  seq: number;
  owner: string;
  /** Last time its holder took it (stored it, or took it over). */
  at: Date;
  /** The event as received (text: FerretDB v1 cannot store arrays of arrays). */
  json: string;
}

interface Parked {
  readonly id: string;
  readonly json: string;
  /** False until its insert is done: it holds its citizen's place, but is not handed on yet. */
  stored: boolean;
}

export interface ParkingOptions {
  readonly connection: Connection;
  readonly pipeline: Pick<InboundPipeline, 'submit'>;
  /** The pipeline task of a stored event; undefined when it needs no work. */
  readonly taskOf: (data: Record<string, unknown>) => InboundTask<unknown> | undefined;
  /** This process's id (`host:pid:random`). */
  readonly owner: string;
  /** Events of a holder on another machine are taken over after this long; default 5 minutes. */
  readonly leaseMs?: number;
  /** Between two tries while the pipeline has no room; default 25 ms. */
  readonly retryMs?: number;
  /** Events waiting in this process at most; default 20,000. */
  readonly maxParked?: number;
  /** Between two sweeps for a dead process's events; default 2 minutes. */
  readonly sweepMs?: number;
  readonly logger?: Logger;
  readonly clock?: () => number;
}

export type ParkResult = 'parked' | 'duplicate' | 'full';

const COLLECTION = 'zalo_parked';
/** Events handed on per pass: bounds one pass's burst of pipeline work. */
const PASS_LIMIT = 256;
/** Per citizen per pass: the pipeline's own cap on one requester in flight is 8. */
const PER_CITIZEN = 8;

/** True when the pipeline refused for lack of room, not for what the event is: keep it and try again. */
export function wantsRoom(admission: Admission): boolean {
  return admission.kind === 'busy' || (admission.kind === 'throttled' && admission.reason === 'in_flight');
}

export class ZaloParking {
  private readonly collection: mongo.Collection<ParkedDoc>;
  /** Per citizen, in arrival order; a citizen leaves the map when its line is empty. */
  private readonly lines = new Map<string, Parked[]>();
  private count = 0;
  private seq = 0;
  private passing?: Promise<void>;
  private retryTimer?: NodeJS.Timeout;
  private sweepTimer?: NodeJS.Timeout;
  private stopped = false;
  private readonly logger: Logger;
  private readonly clock: () => number;

  constructor(private readonly options: ParkingOptions) {
    const db = options.connection.db;
    if (!db) throw new Error('ZaloParking: the connection is not open');
    this.collection = db.collection<ParkedDoc>(COLLECTION);
    this.logger = options.logger ?? silentLogger();
    this.clock = options.clock ?? Date.now;
  }

  /** True while `user` has events waiting here: their next one must wait behind them. */
  holds(user: string): boolean {
    return this.lines.has(user);
  }

  /** Events waiting in this process. */
  get size(): number {
    return this.count;
  }

  /** Stores an event for later; 'duplicate' when it is already waiting. */
  async park(id: string, user: string, event: Record<string, unknown>): Promise<ParkResult> {
    if (this.count >= (this.options.maxParked ?? 20_000)) return 'full';
    const json = JSON.stringify(event);
    const doc: ParkedDoc = { _id: id, user, seq: this.nextSeq(), owner: this.options.owner, at: new Date(this.clock()), json };
    // The place in the citizen's line is taken now, before the insert: a later event of the
    // citizen arriving meanwhile must wait behind this one, not go straight to the pipeline.
    const parked: Parked = { id, json, stored: false };
    this.enqueue(user, parked);
    try {
      await this.collection.insertOne(doc);
    } catch (error) {
      this.drop(user, parked);
      if (isDuplicateKeyError(error)) return 'duplicate';
      throw error;
    }
    parked.stored = true;
    this.kick();
    return 'parked';
  }

  /** Takes over the events of dead processes now, then every sweep interval. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.sweep();
    this.sweepTimer ??= setInterval(() => void this.sweep(), this.options.sweepMs ?? 120_000);
    this.sweepTimer.unref();
  }

  /** Stops handing on; what waits stays stored (taken over at the next start). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweepTimer);
    clearTimeout(this.retryTimer);
    this.sweepTimer = undefined;
    this.retryTimer = undefined;
    await this.passing;
  }

  /** Takes over stored events whose holder is gone; resolves with how many. */
  async sweep(): Promise<number> {
    try {
      const now = this.clock();
      const docs = await this.collection.find({ owner: { $ne: this.options.owner } }).toArray();
      const gone = docs.filter((d) => this.holderGone(d, now)).sort((a, b) => a.at.getTime() - b.at.getTime() || a.seq - b.seq);
      for (const doc of gone) {
        // Two processes may both take one over (FerretDB's conditional updates are not
        // atomic): the pipeline's duplicate record then lets only one copy run.
        const taken = await this.collection.updateOne(
          { _id: doc._id, owner: doc.owner },
          { $set: { owner: this.options.owner, at: new Date(now) } },
        );
        if (taken.modifiedCount === 1) this.enqueue(doc.user, { id: doc._id, json: doc.json, stored: true });
      }
      if (gone.length > 0) {
        this.logger.info({ channel: 'zalo', events: gone.length }, 'zalo events stored by a stopped process taken over');
        this.kick();
      }
      return gone.length;
    } catch (error) {
      this.logger.warn({ channel: 'zalo', err: error instanceof Error ? error.name : 'unknown' }, 'zalo parking: sweep failed');
      return 0;
    }
  }

  /** Resolves once nothing waits (tests). */
  async idle(): Promise<void> {
    while (this.count > 0 || this.passing) {
      await (this.passing ?? new Promise((r) => setTimeout(r, 10)));
    }
  }

  private enqueue(user: string, parked: Parked): void {
    const line = this.lines.get(user);
    if (line) line.push(parked);
    else this.lines.set(user, [parked]);
    this.count += 1;
  }

  /** Gives up a place whose insert failed (it was never handed on: it is not stored). */
  private drop(user: string, parked: Parked): void {
    const line = this.lines.get(user);
    const at = line?.indexOf(parked) ?? -1;
    if (!line || at < 0) return;
    line.splice(at, 1);
    this.count -= 1;
    if (line.length === 0) this.lines.delete(user);
  }

  private nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  private kick(): void {
    if (this.passing || this.retryTimer || this.stopped) return;
    this.passing = this.pass()
      .catch((error: unknown) => {
        this.logger.warn({ channel: 'zalo', err: error instanceof Error ? error.name : 'unknown' }, 'zalo parking: pass failed');
      })
      .finally(() => {
        this.passing = undefined;
        if (this.count > 0 && !this.stopped) {
          this.retryTimer = setTimeout(() => {
            this.retryTimer = undefined;
            this.kick();
          }, this.options.retryMs ?? 25);
        }
      });
  }

  /**
   * Hands each citizen's first events to the pipeline, in order, in one turn of the event
   * loop (so its places in the citizens' lines are taken in that order); keeps those it
   * had no room for — they are the tail of what was handed on, since room only shrinks
   * within the turn — and deletes the others once the pipeline recorded them.
   */
  private async pass(): Promise<void> {
    const handed: { user: string; items: Parked[]; admissions: Promise<Admission | 'retry' | 'dropped'>[] }[] = [];
    let budget = PASS_LIMIT;
    for (const [user, line] of this.lines) {
      if (budget <= 0) break;
      // Up to the first event still being stored: nothing behind it may go before it.
      const unstored = line.findIndex((item) => !item.stored);
      const items = line.slice(0, Math.min(PER_CITIZEN, budget, unstored < 0 ? line.length : unstored));
      budget -= items.length;
      handed.push({ user, items, admissions: items.map((item) => this.handOn(item)) });
    }
    const done: string[] = [];
    for (const { user, items, admissions } of handed) {
      const results = await Promise.all(admissions);
      let n = 0;
      while (n < results.length && results[n] !== 'retry') n += 1;
      done.push(...items.slice(0, n).map((item) => item.id));
      const line = this.lines.get(user) ?? [];
      line.splice(0, n);
      this.count -= n;
      // Round robin: a citizen the pipeline had no room for goes to the back.
      this.lines.delete(user);
      if (line.length > 0) this.lines.set(user, line);
    }
    if (done.length > 0) await this.collection.deleteMany({ _id: { $in: done } });
  }

  /** 'dropped': a stored event no longer readable as a task (nothing to do). */
  private async handOn(item: Parked): Promise<Admission | 'retry' | 'dropped'> {
    let data: unknown;
    try {
      data = JSON.parse(item.json);
    } catch {
      return 'dropped';
    }
    const task =
      typeof data === 'object' && data !== null && !Array.isArray(data) ? this.options.taskOf(data as Record<string, unknown>) : undefined;
    if (!task) return 'dropped';
    const submission = this.options.pipeline.submit(task);
    void submission.done.catch((error: unknown) =>
      this.logger.error({ channel: 'zalo', err: error instanceof Error ? error.name : 'unknown' }, 'zalo event failed'),
    );
    try {
      const admission = await submission.recorded;
      return wantsRoom(admission) ? 'retry' : admission;
    } catch {
      // Not recorded (the database is away): kept, tried again.
      return 'retry';
    }
  }

  private holderGone(doc: ParkedDoc, now: number): boolean {
    if (doc.at.getTime() + (this.options.leaseMs ?? 5 * 60_000) < now) return true;
    return deadLocalProcess(doc.owner);
  }
}
