/**
 * One citizen's messages are handled one at a time and in arrival order, even when they
 * arrive at different processes serving one database (two instances behind a load
 * balancer; a Telegram retry landing on the other one).
 *
 * How: a message takes the citizen's next ticket — the insert of
 * `seq:<citizen>:<epoch>#<n>` for the smallest free n (a unique insert, the one write
 * FerretDB makes exactly once, see slot-store.ts) — then waits until ticket n−1 is done,
 * runs, and marks ticket n done (`done: true`, an update by `_id` that only the holder
 * makes). Waiting is a promise when ticket n−1 is held by this process, else a poll of
 * that ticket by `_id` (10 ms, backing off to 50 ms). A ticket whose holder died is given
 * up after its lease (`leaseMs`), so a crash delays the citizen's next message, never
 * blocks it.
 *
 * A message with an id (a webhook update) takes its ticket in the same round trip as its
 * duplicate record (`in:<channel>:<id>`): a redelivery finds the record, lets its ticket
 * go in its turn (after the ticket before it) and does not run. Its ticket carries the update (`payload`) until the
 * turn is over — the durable inbox (durable-inbox.ts) hands tickets whose holder died
 * with their payload back to the pipeline.
 *
 * Finding "the next free n" without scanning: each process remembers the last ticket of
 * recent citizens; a process new to a citizen reads the tail document
 * `seq:<citizen>` ({epoch, last}), rewritten every 16 tickets and whenever its expiry
 * comes within half the retention, and probes upward from there. Tickets expire
 * `retentionMs` after they were taken; when a citizen's tail document has expired (idle
 * for that long, every ticket done long ago), the next message starts a new epoch, so
 * old and new tickets never mix.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../infra/logger';
import { silentLogger } from '../../infra/logger';
import type { SlotDoc, SlotStore } from './slot-store';

export interface SequencerOptions {
  readonly store: SlotStore;
  /** This process's id (logged with abandoned tickets). */
  readonly owner: string;
  /** How long a ticket may be held before others give up waiting for it; default 60 s. */
  readonly leaseMs?: number;
  /** How long tickets are kept; default 24 h. */
  readonly retentionMs?: number;
  /** How long duplicate records are kept; default 7 days (well beyond Telegram's 24 h and Zalo's hours of retries). */
  readonly dedupeRetentionMs?: number;
  readonly logger?: Logger;
  readonly clock?: () => number;
}

interface Tail {
  epoch: string;
  last: number;
  /** When the tail document expires, as far as this process knows. */
  hintExpiresAt: number;
}

const HINT_EVERY = 16;
const MAX_REMEMBERED = 20_000;
const POLL_FIRST_MS = 10;
const POLL_MAX_MS = 50;

/** A place in a citizen's line, taken when the message arrives (see {@link CitizenSequencer.reserve}). */
/** What a message with an id records with its ticket. */
export interface Durable {
  /** Its duplicate record's `_id`; a message already recorded takes no ticket and does not run. */
  readonly dedupeId?: string;
  /** Kept on the ticket until the turn is over, for a recovery after a crash. */
  readonly payload?: SlotDoc['payload'];
}

export interface Reservation {
  /**
   * Runs `task` in the citizen's turn. `ticketTaken` settles once the place is recorded in
   * the database (with `durable`'s record, in the same round trip): from then on, a message
   * arriving at any process comes after this one. It settles `false` for a duplicate,
   * whose task never runs (`done` then settles undefined).
   */
  run<T>(task: () => Promise<T>, durable?: Durable): { readonly ticketTaken: Promise<boolean>; readonly done: Promise<T | undefined> };
  /** Gives the place up (the message was refused): later messages do not wait for it. */
  cancel(): void;
}

export class CitizenSequencer {
  private readonly tails = new Map<string, Tail>();
  /** Per citizen: settles when the last reservation of this process has taken its ticket (or was cancelled). */
  private readonly lines = new Map<string, Promise<void>>();
  /** Tickets of this process not yet marked done in the database → resolved when done. */
  private readonly held = new Map<string, Promise<void>>();
  /** Tickets this process finished lately: a successor here need not ask the database. */
  private readonly finished = new Set<string>();
  private readonly leaseMs: number;
  private readonly retentionMs: number;
  private readonly dedupeRetentionMs: number;
  private readonly logger: Logger;
  private readonly clock: () => number;

  constructor(private readonly options: SequencerOptions) {
    this.leaseMs = options.leaseMs ?? 60_000;
    this.retentionMs = options.retentionMs ?? 24 * 3_600_000;
    this.dedupeRetentionMs = options.dedupeRetentionMs ?? 7 * 24 * 3_600_000;
    this.logger = options.logger ?? silentLogger();
    this.clock = options.clock ?? Date.now;
  }

  /**
   * Takes a place in `citizen`'s line now, synchronously, so that messages that arrived in
   * this process in some order take their tickets in that order, whatever their duplicate
   * checks and limits cost in between.
   */
  reserve(citizen: string): Reservation {
    const before = this.lines.get(citizen) ?? Promise.resolve();
    let mineTaken!: () => void;
    const mine = new Promise<void>((resolve) => (mineTaken = resolve));
    this.lines.set(citizen, mine);
    void mine.then(() => {
      if (this.lines.get(citizen) === mine) this.lines.delete(citizen);
    });
    let used = false;
    return {
      run: <T>(task: () => Promise<T>, durable: Durable = {}) => {
        used = true;
        let ticketTaken!: (taken: boolean) => void;
        let ticketFailed!: (error: unknown) => void;
        const recorded = new Promise<boolean>((resolve, reject) => {
          ticketTaken = resolve;
          ticketFailed = reject;
        });
        recorded.catch(() => undefined);
        const done = this.runAfter(
          citizen,
          before,
          durable,
          (taken) => {
            mineTaken();
            ticketTaken(taken);
          },
          task,
          (error) => {
            mineTaken();
            ticketFailed(error);
          },
        );
        return { ticketTaken: recorded, done };
      },
      cancel: () => {
        if (!used) void before.then(mineTaken);
        used = true;
      },
    };
  }

  /** Runs `task` in `citizen`'s turn: after every earlier message of that citizen, before every later one. */
  async run<T>(citizen: string, task: () => Promise<T>): Promise<T> {
    // Without a duplicate record the ticket is always taken, so the task always runs.
    return (await this.reserve(citizen).run(task).done) as T;
  }

  /** Marks a ticket of a dead holder done (the durable inbox handed its message on). */
  async settle(id: string): Promise<void> {
    await this.options.store.markDone(id);
  }

  private async runAfter<T>(
    citizen: string,
    before: Promise<void>,
    durable: Durable,
    taken: (taken: boolean) => void,
    task: () => Promise<T>,
    failed: (error: unknown) => void,
  ): Promise<T | undefined> {
    await before;
    let ticket: { id: string; previous?: string } | undefined;
    try {
      ticket = await this.takeTicket(citizen, durable);
    } catch (error) {
      failed(error);
      throw error;
    }
    taken(ticket !== undefined);
    if (!ticket) return undefined;
    const { id, previous } = ticket;
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    this.held.set(id, done);
    try {
      if (previous) await this.waitFor(previous);
      return await task();
    } finally {
      finish();
      // Local successors go on at once; remote ones see the mark (a failed mark only costs them the lease).
      void this.options.store
        .markDone(id)
        .catch((error: unknown) => this.logger.warn({ err: errorName(error) }, 'sequencer: done mark not written'))
        .finally(() => {
          this.held.delete(id);
          if (this.finished.size >= MAX_REMEMBERED) this.finished.clear();
          this.finished.add(id);
        });
    }
  }

  /** The citizen's next ticket, recorded with `durable`'s duplicate record; undefined for a duplicate. */
  private async takeTicket(citizen: string, durable: Durable): Promise<{ id: string; previous?: string } | undefined> {
    const tailId = `seq:${citizen}`;
    const now = this.clock();
    // A remembered tail is trusted while its document is known to live another half retention:
    // until then no other process can have started a new epoch.
    const cached = this.tails.get(citizen);
    const tail = cached && cached.hintExpiresAt - now > this.retentionMs / 2 ? cached : await this.readTail(tailId);
    const expiresAt = new Date(now + this.retentionMs);
    const ticketOf = (n: number): SlotDoc => ({
      _id: `${tailId}:${tail.epoch}#${n}`,
      expiresAt,
      owner: this.options.owner,
      at: new Date(now),
      ...(durable.payload ? { payload: durable.payload } : {}),
    });
    let n = tail.last + 1;
    let placed = false;
    if (durable.dedupeId) {
      const record = { _id: durable.dedupeId, expiresAt: new Date(now + this.dedupeRetentionMs) };
      const result = await this.options.store.insertPair(record, ticketOf(n));
      if (!result.first) {
        // A redelivery: its ticket (written in the same round trip) is let go in its turn.
        if (result.second) {
          tail.last = n;
          this.remember(citizen, tail);
          this.letGo(`${tailId}:${tail.epoch}#${n}`, n > 1 ? `${tailId}:${tail.epoch}#${n - 1}` : undefined);
        }
        return undefined;
      }
      placed = result.second;
      if (!placed) n += 1;
    }
    while (!placed && !(await this.options.store.insert(ticketOf(n)))) n += 1;
    tail.last = n;
    this.remember(citizen, tail);
    if (n % HINT_EVERY === 0 || tail.hintExpiresAt - now < this.retentionMs / 2) {
      tail.hintExpiresAt = now + this.retentionMs;
      void this.options.store.setHint(tailId, n, new Date(tail.hintExpiresAt)).catch(() => undefined);
    }
    return { id: `${tailId}:${tail.epoch}#${n}`, ...(n > 1 ? { previous: `${tailId}:${tail.epoch}#${n - 1}` } : {}) };
  }

  /**
   * Gives up a ticket a redelivery took without running. It is marked done only once the
   * ticket before it is: marked at once, it would let the next message skip a turn still
   * running (the message of ticket n−1 at another process), and answer out of order.
   */
  private letGo(id: string, previous: string | undefined): void {
    const released = previous ? this.waitFor(previous).catch(() => undefined) : Promise.resolve();
    this.held.set(id, released);
    void released
      .then(() => this.options.store.markDone(id))
      .catch((error: unknown) => this.logger.warn({ err: errorName(error) }, 'sequencer: done mark not written'))
      .finally(() => {
        this.held.delete(id);
        if (this.finished.size >= MAX_REMEMBERED) this.finished.clear();
        this.finished.add(id);
      });
  }

  /** The citizen's tail document, or a new epoch when there is none (or it expired). */
  private async readTail(tailId: string): Promise<Tail> {
    const now = this.clock();
    for (let attempt = 0; attempt < 3; attempt++) {
      const doc = await this.options.store.find(tailId);
      if (doc?.epoch && doc.expiresAt.getTime() > now)
        return { epoch: doc.epoch, last: doc.last ?? 0, hintExpiresAt: doc.expiresAt.getTime() };
      const epoch = randomBytes(4).toString('hex');
      const expiresAt = new Date(now + this.retentionMs);
      // An expired tail is replaced: the conditional delete never removes a fresh one.
      if (doc) await this.options.store.remove(tailId, doc.expiresAt);
      if (await this.options.store.insert({ _id: tailId, expiresAt, epoch, last: 0 }))
        return { epoch, last: 0, hintExpiresAt: expiresAt.getTime() };
    }
    throw new Error('sequencer: could not read or start the citizen tail');
  }

  /** Resolves when ticket `id` is done, or its holder's lease ran out. */
  private async waitFor(id: string): Promise<void> {
    const local = this.held.get(id);
    if (local) return local;
    if (this.finished.delete(id)) return;
    let pause = POLL_FIRST_MS;
    for (;;) {
      const ticket = await this.options.store.find(id);
      if (!ticket || ticket.done) return;
      if (ticket.at && ticket.at.getTime() + this.leaseMs < this.clock()) {
        this.logger.warn({ holder: ticket.owner }, 'sequencer: previous message abandoned by its process; going on');
        return;
      }
      const again = this.held.get(id);
      if (again) return again;
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(POLL_MAX_MS, pause * 2);
    }
  }

  private remember(citizen: string, tail: Tail): void {
    this.tails.delete(citizen);
    if (this.tails.size >= MAX_REMEMBERED) {
      const oldest = this.tails.keys().next();
      if (!oldest.done) this.tails.delete(oldest.value);
    }
    this.tails.set(citizen, tail);
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown';
}
