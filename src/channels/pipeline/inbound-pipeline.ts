/**
 * The one chain every incoming message goes through, whatever channel it came from (in
 * the spirit of grammY's middleware and Rasa's input channels):
 *
 *   clean (sanitizeIncoming) → limits held in memory → duplicate record + the citizen's
 *   ticket (ordered across processes), beside the shared per-minute window → held
 *   notifications released → engine → the channel's reply.
 *
 * A channel builds an {@link InboundTask} and calls {@link InboundPipeline.submit}; it gets
 * `admitted` — settled once the message is recorded, past the limits and placed in the
 * citizen's line (so anything answered after it, at any process, comes after it), which is
 * when a webhook may answer 200 — and `done`, settled when the turn is over (the web chat
 * returns the reply then).
 *
 * Why this order (measured with `npm run bench -- webhook`, docs/measurements.md): every
 * refusal that needs no database comes first (capacity, in flight, burst buckets, a window
 * this process knows is full), so a flood costs memory look-ups, not round trips. An
 * admitted message then costs one ordered insert — its duplicate record and its ticket,
 * which carries the update itself until the turn is over, so an update answered 200
 * survives a crash (durable-inbox.ts) — and, at the same time, the shared window's insert:
 * the 200 waits for one round trip, not three in a row. Turns run at most `maxTurns` at
 * once, served round robin by requester (one address's burst does not queue ahead of
 * everyone else), and while the backlog is under half the capacity each starts only once the
 * admission writes waiting at that moment are written (`admissionsSettled`), so conversation
 * work cannot take every database round trip from the admissions (or from another citizen's
 * web chat).
 *
 * Limits are keyed on what a client cannot choose: the citizen (platform user id; web
 * session) and the requester (`requesterKey`: the platform user id, or for the web the
 * keyed hash of the real client address). Each has a burst bucket in this process (no
 * I/O) and a per-minute window shared by every process; a requester also has a cap on
 * messages in flight in this process.
 */
import type { ChannelName, IncomingMessage, Reply } from '../../core/messages';
import { conversationKey } from '../../core/messages';
import type { Logger } from '../../infra/logger';
import { silentLogger } from '../../infra/logger';
import type { UserRateLimiter } from '../rate-limiter';
import type { CitizenSequencer, Durable, Reservation } from './citizen-sequencer';
import { sanitizeIncoming } from './sanitize-incoming';
import type { SharedWindowLimits, WindowRule } from './shared-limits';

/** A message as a channel hands it over: who may be limited is part of it. */
export interface InboundMessage extends IncomingMessage {
  /** What limits and the daily complaint cap key on; never something the client picks freely. */
  readonly requesterKey: string;
}

/** What the core does with a message (ConversationEngine satisfies it). */
export interface MessageHandler {
  handle(message: IncomingMessage): Promise<Reply>;
}

/** Runs the engine on a message in the citizen's turn. */
export type Converse = (message: IncomingMessage) => Promise<Reply>;

export interface InboundTask<R> {
  readonly message: InboundMessage;
  /** False for events no limit may drop (consent withdrawal, unfollow). Default true. */
  readonly limited?: boolean;
  /** The work in the citizen's turn: usually `converse(message)` and sending the reply. */
  readonly run: (message: InboundMessage, converse: Converse) => Promise<R>;
  /** Said once per window to a citizen over the limit. */
  readonly slowDown?: () => Promise<void>;
  /**
   * A channel's own check, after the limits held in memory and before anything is recorded
   * (the web's daily cap per address and its challenge): false refuses the message
   * (`gated`). After the limits, so that a flood the buckets refuse never reaches it.
   */
  readonly gate?: () => Promise<boolean>;
  /**
   * What the channel needs to build this task again (JSON: the update as received). Kept
   * with the message's ticket until its turn is over, so that an update already answered
   * 200 is handled after a crash (durable-inbox.ts). Only for messages with an id.
   */
  readonly durable?: unknown;
}

/** Builds a channel's task again from what {@link InboundTask.durable} stored; undefined if it no longer can. */
export type Recover = (data: unknown) => InboundTask<unknown> | undefined;

export type Admission =
  | { readonly kind: 'accepted' }
  | { readonly kind: 'duplicate' }
  /** Too much in flight in this process: refused before anything was recorded, so a redelivery will be handled. */
  | { readonly kind: 'busy' }
  /** `reason`: the limit that refused ('in_flight': this requester's maximum in flight, a matter of room, not of rate). */
  | { readonly kind: 'throttled'; readonly notified: boolean; readonly reason?: string }
  /** Refused by the task's own `gate`. */
  | { readonly kind: 'gated' };

export interface Submission<R> {
  /**
   * Settles once the message is recorded and placed in the citizen's line (so anything
   * answered after it, at any process, comes after it), or refused without being recorded:
   * what a webhook's answer needs. `accepted` here may still be refused by the shared
   * window (see `admitted`): a webhook answers 200 either way. Rejects when it could not be recorded.
   */
  readonly recorded: Promise<Admission>;
  /** Settles when the message is recorded, past every limit (the shared window included) and placed. */
  readonly admitted: Promise<Admission>;
  /** Settles with `run`'s result when the turn is over; undefined when the message was not admitted. */
  readonly done: Promise<R | undefined>;
}

/** Makes the citizen's held notifications due again (they wrote: their messaging window is open). */
type ReleaseHeld = (channel: ChannelName, userId: string) => Promise<unknown>;

export interface PipelineLimits {
  /** Burst bucket per citizen (channel and user id or web session), in this process. */
  readonly citizenBurst: Pick<UserRateLimiter, 'take'>;
  /** Burst bucket per client address (when the requester is an address, not the citizen), in this process. */
  readonly addressBurst: Pick<UserRateLimiter, 'take' | 'isEmpty'>;
  /** Messages per citizen per minute (requester = platform user id), shared by every process. */
  readonly perMinute: WindowRule;
  /** Messages per client address per minute (the web: many citizens may share one), shared. */
  readonly perAddressMinute: WindowRule;
  /** Messages of one requester in flight in this process at once. */
  readonly maxInFlight: number;
  /** Messages in flight in this process in all; beyond, `busy` (webhooks answer 503 and are redelivered). */
  readonly capacity: number;
  /** Turns (engine runs) at once in this process; the others wait their turn after admission. Default 2. */
  readonly maxTurns?: number;
}

export interface InboundPipelineDeps {
  readonly engine: MessageHandler;
  readonly shared: Pick<SharedWindowLimits, 'take' | 'knownFull'>;
  readonly sequencer: Pick<CitizenSequencer, 'reserve'>;
  readonly limits: PipelineLimits;
  /** Channels whose notifications wait for the citizen's next message (Zalo's 7-day window). */
  readonly releaseHeld?: Partial<Record<ChannelName, ReleaseHeld>>;
  /**
   * Resolves once the admission writes (duplicate records, tickets, window slots) waiting or
   * on their way at the call are written: a turn starts only then, so a webhook's 200 does not
   * wait behind conversation writes.
   */
  readonly admissionsSettled?: () => Promise<void>;
  /** Counts refusals (metrics): reason is 'duplicate' or the limit that refused. */
  readonly onRefused?: (channel: ChannelName, reason: string) => void;
  readonly logger?: Logger;
}

export class InboundPipeline {
  private readonly inFlight = new Map<string, number>();
  private total = 0;
  private readonly running = new Set<Promise<unknown>>();
  private readonly logger: Logger;
  private readonly turns: FairTurns;
  private readonly recoverers = new Map<string, Recover>();

  constructor(private readonly deps: InboundPipelineDeps) {
    this.logger = deps.logger ?? silentLogger();
    this.turns = new FairTurns(deps.limits.maxTurns ?? 2);
  }

  /** How `channel` builds its tasks again from stored updates (durable-inbox.ts). */
  onRecover(channel: ChannelName, recover: Recover): void {
    this.recoverers.set(channel, recover);
  }

  /** The task of a stored update, or undefined when no channel can build it. */
  recoverTask(payload: { readonly channel: string; readonly json: string }): InboundTask<unknown> | undefined {
    let data: unknown;
    try {
      data = JSON.parse(payload.json);
    } catch {
      return undefined;
    }
    return this.recoverers.get(payload.channel)?.(data);
  }

  /**
   * `recovered`: the task of an update already recorded (handed back by the durable inbox
   * after a crash): no duplicate record, no limit — it was admitted once.
   */
  submit<R>(task: InboundTask<R>, options: { recovered?: boolean } = {}): Submission<R> {
    const message = sanitizeIncoming(task.message);
    // The place in the citizen's line is taken now, in arrival order, before anything is awaited.
    const place = this.deps.sequencer.reserve(conversationKey(message.channel, message.userId));
    let turn: Promise<R | undefined> | undefined;
    let recorded!: (admission: Promise<Admission>) => void;
    const recordedP = new Promise<Admission>((resolve) => (recorded = resolve));
    const admitted = this.admit(message, task, place, options.recovered === true, {
      started: (done) => {
        turn = done;
      },
      recorded: (admission) => recorded(admission),
    });
    // Refusals before any record settle both at once.
    recorded(admitted);
    const done = admitted.then(
      () => turn,
      () => undefined,
    );
    this.running.add(done);
    void done.catch(() => undefined).finally(() => this.running.delete(done));
    return { recorded: recordedP, admitted, done };
  }

  /**
   * True when a message of this requester (an address) would be refused by the limits held
   * in memory whatever it says: the web chat asks before reading the request's body.
   * Counted like the pipeline's own refusals.
   */
  refusesRequester(channel: ChannelName, requesterKey: string): boolean {
    const reason =
      (this.inFlight.get(requesterKey) ?? 0) >= this.deps.limits.maxInFlight
        ? 'in_flight'
        : this.deps.limits.addressBurst.isEmpty(channel, requesterKey)
          ? 'address_burst'
          : undefined;
    if (reason) this.deps.onRefused?.(channel, reason);
    return reason !== undefined;
  }

  /** Resolves once every message submitted so far has been handled (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /**
   * The refusals that cost no I/O, then the ticket (with the duplicate record) and the shared
   * window in parallel; the in-flight count is taken here and returned when the turn ends.
   */
  private async admit<R>(
    message: InboundMessage,
    task: InboundTask<R>,
    place: Reservation,
    recovered: boolean,
    report: { started: (done: Promise<R | undefined>) => void; recorded: (admission: Promise<Admission>) => void },
  ): Promise<Admission> {
    const limited = task.limited !== false && !recovered;
    const local =
      this.total >= this.deps.limits.capacity ? { reason: 'busy', notify: false } : limited ? this.localLimit(message) : undefined;
    const rule = this.ruleOf(message);
    const windowKey = `${message.channel}:${message.requesterKey}`;
    if (!local && limited && this.deps.shared.knownFull(rule, windowKey)) {
      // Refused from memory; `take` only asks the database once per window whether to say "slow down".
      const window = await this.deps.shared.take(rule, windowKey);
      return this.refuse(message, task, place, { reason: 'per_minute', notify: window.firstRefusal });
    }
    if (local) return this.refuse(message, task, place, local);
    if (task.gate && !(await task.gate())) {
      place.cancel();
      return { kind: 'gated' };
    }
    this.inFlight.set(message.requesterKey, (this.inFlight.get(message.requesterKey) ?? 0) + 1);
    this.total += 1;
    const window = limited
      ? this.deps.shared.take(rule, windowKey).catch((error: unknown) => {
          // A limit that cannot be read must not lose a message already recorded: let it through.
          this.logger.warn({ channel: message.channel, err: error instanceof Error ? error.name : 'unknown' }, 'shared limit not checked');
          return undefined;
        })
      : Promise.resolve(undefined);
    const durable: Durable = {
      ...(message.messageId !== undefined && !recovered ? { dedupeId: `in:${message.channel}:${message.messageId}` } : {}),
      ...(task.durable !== undefined && message.messageId !== undefined
        ? { payload: { channel: message.channel, json: JSON.stringify(task.durable) } }
        : {}),
    };
    const { ticketTaken, done } = place.run(async (turn) => {
      // The shared window decides in the turn, so a webhook's 200 does not wait for it.
      const decision = await window;
      if (decision && !decision.allowed) return undefined;
      await this.turns.acquire(message.requesterKey);
      // Admissions first while the backlog is short; a long one is worked off at full speed,
      // else it reaches the capacity and every webhook gets 503 until turns catch up.
      if (this.total < this.deps.limits.capacity / 2) await this.deps.admissionsSettled?.();
      try {
        await this.releaseHeld(message);
        return await task.run(message, (m) => this.deps.engine.handle({ ...m, turn }));
      } finally {
        this.turns.release();
      }
    }, durable);
    const finished = done.finally(() => this.leave(message));
    // The caller may never ask for `done` (a ticket that could not be taken rejected `admitted` first).
    finished.catch(() => undefined);
    report.started(finished);
    const recorded = ticketTaken.then((taken): Admission => {
      if (taken) return { kind: 'accepted' };
      this.deps.onRefused?.(message.channel, 'duplicate');
      return { kind: 'duplicate' };
    });
    report.recorded(recorded);
    const [admission, decision] = await Promise.all([recorded, window]);
    if (admission.kind === 'accepted' && decision && !decision.allowed)
      return this.refused(message, task, { reason: 'per_minute', notify: decision.firstRefusal });
    return admission;
  }

  private refuse<R>(
    message: InboundMessage,
    task: InboundTask<R>,
    place: Reservation,
    refusal: { reason: string; notify: boolean },
  ): Admission {
    place.cancel();
    if (refusal.reason === 'busy') {
      this.deps.onRefused?.(message.channel, 'busy');
      return { kind: 'busy' };
    }
    return this.refused(message, task, refusal);
  }

  private refused<R>(message: InboundMessage, task: InboundTask<R>, refusal: { reason: string; notify: boolean }): Admission {
    this.deps.onRefused?.(message.channel, refusal.reason);
    this.logger.info({ channel: message.channel, limit: refusal.reason, notice: refusal.notify }, 'message refused by a limit');
    if (refusal.notify && task.slowDown) void task.slowDown().catch(() => undefined);
    return { kind: 'throttled', notified: refusal.notify && task.slowDown !== undefined, reason: refusal.reason };
  }

  private ruleOf(message: InboundMessage): WindowRule {
    return message.requesterKey !== message.userId ? this.deps.limits.perAddressMinute : this.deps.limits.perMinute;
  }

  /** The limits held in this process: no I/O, so a flood is refused for the price of a map look-up. */
  private localLimit(message: InboundMessage): { reason: string; notify: boolean } | undefined {
    const { limits } = this.deps;
    if ((this.inFlight.get(message.requesterKey) ?? 0) >= limits.maxInFlight) return { reason: 'in_flight', notify: false };
    if (message.requesterKey !== message.userId) {
      const address = limits.addressBurst.take(message.channel, message.requesterKey);
      if (!address.allowed) return { reason: 'address_burst', notify: address.notify };
    }
    const citizen = limits.citizenBurst.take(message.channel, message.userId);
    return citizen.allowed ? undefined : { reason: 'citizen_burst', notify: citizen.notify };
  }

  private leave(message: InboundMessage): void {
    this.total -= 1;
    const left = (this.inFlight.get(message.requesterKey) ?? 1) - 1;
    if (left > 0) this.inFlight.set(message.requesterKey, left);
    else this.inFlight.delete(message.requesterKey);
  }

  private async releaseHeld(message: InboundMessage): Promise<void> {
    const release = this.deps.releaseHeld?.[message.channel];
    if (!release) return;
    try {
      await release(message.channel, message.userId);
    } catch (error) {
      this.logger.warn(
        { channel: message.channel, err: error instanceof Error ? error.name : 'unknown' },
        'held notifications not released',
      );
    }
  }
}

/**
 * At most `size` holders at once; the others wait, served round robin by requester (each
 * requester's own in arrival order). Measured (docs/measurements.md, "Isolation, third
 * round"): in arrival order, the 30 messages a flooding address may send at once queued
 * ahead of every other citizen's turn, and a second citizen waited for all of them.
 */
class FairTurns {
  private used = 0;
  /** Waiting holders by requester; a requester leaves the map when it has none (Map order: the round). */
  private readonly waiting = new Map<string, (() => void)[]>();

  constructor(private readonly size: number) {}

  async acquire(requester: string): Promise<void> {
    if (this.used < this.size) {
      this.used += 1;
      return;
    }
    await new Promise<void>((resolve) => {
      const line = this.waiting.get(requester);
      if (line) line.push(resolve);
      else this.waiting.set(requester, [resolve]);
    });
  }

  release(): void {
    const next = this.waiting.entries().next();
    if (next.done) {
      this.used -= 1;
      return;
    }
    const [requester, line] = next.value;
    const resolve = line.shift()!;
    // The requester served goes to the back of the round.
    this.waiting.delete(requester);
    if (line.length > 0) this.waiting.set(requester, line);
    resolve();
  }
}
