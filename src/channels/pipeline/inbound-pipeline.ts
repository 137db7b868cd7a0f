/**
 * The one chain every incoming message goes through, whatever channel it came from (in
 * the spirit of grammY's middleware and Rasa's input channels):
 *
 *   clean (sanitizeIncoming) → duplicate check → rate limits → the citizen's turn
 *   (ordered across processes) → held notifications released → engine → the channel's reply.
 *
 * A channel builds an {@link InboundTask} and calls {@link InboundPipeline.submit}; it gets
 * `admitted` — settled once the message is recorded, past the limits and placed in the
 * citizen's line (so anything answered after it, at any process, comes after it), which is
 * when a webhook may answer 200 — and `done`, settled when the turn is over (the web chat
 * returns the reply then). Admission costs at most four `_id` inserts and refuses a
 * flood without touching the database (see shared-limits.ts); everything slow happens
 * in the citizen's turn, after the webhook has answered.
 *
 * Limits are keyed on what a client cannot choose: the citizen (platform user id; web
 * session) and the requester (`requesterKey`: the platform user id, or for the web the
 * keyed hash of the real client address). Each has a burst bucket in this process (no
 * I/O) and a per-minute window shared by every process; a requester also has a cap on
 * messages in flight in this process, so one client's flood cannot take every database
 * round trip from the other citizens.
 */
import type { ChannelName, IncomingMessage, Reply } from '../../core/messages';
import { conversationKey } from '../../core/messages';
import type { Logger } from '../../infra/logger';
import { silentLogger } from '../../infra/logger';
import type { UserRateLimiter } from '../rate-limiter';
import type { CitizenSequencer, Reservation } from './citizen-sequencer';
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
}

export type Admission =
  | { readonly kind: 'accepted' }
  | { readonly kind: 'duplicate' }
  /** Too much in flight in this process: refused before anything was recorded, so a redelivery will be handled. */
  | { readonly kind: 'busy' }
  | { readonly kind: 'throttled'; readonly notified: boolean };

export interface Submission<R> {
  /** Settles when the message is recorded, past the limits and placed in the citizen's line; rejects when it could not be recorded. */
  readonly admitted: Promise<Admission>;
  /** Settles with `run`'s result when the turn is over; undefined when the message was not admitted. */
  readonly done: Promise<R | undefined>;
}

/** Records a message id; true the first time (any process), false for a redelivery. */
export type FirstSeen = (id: string) => Promise<boolean>;
/** Makes the citizen's held notifications due again (they wrote: their messaging window is open). */
type ReleaseHeld = (channel: ChannelName, userId: string) => Promise<unknown>;

export interface PipelineLimits {
  /** Burst bucket per citizen (channel and user id or web session), in this process. */
  readonly citizenBurst: Pick<UserRateLimiter, 'take'>;
  /** Burst bucket per client address (when the requester is an address, not the citizen), in this process. */
  readonly addressBurst: Pick<UserRateLimiter, 'take'>;
  /** Messages per citizen per minute (requester = platform user id), shared by every process. */
  readonly perMinute: WindowRule;
  /** Messages per client address per minute (the web: many citizens may share one), shared. */
  readonly perAddressMinute: WindowRule;
  /** Messages of one requester in flight in this process at once. */
  readonly maxInFlight: number;
  /** Messages in flight in this process in all; beyond, `busy` (webhooks answer 503 and are redelivered). */
  readonly capacity: number;
}

export interface InboundPipelineDeps {
  readonly engine: MessageHandler;
  readonly firstSeen: FirstSeen;
  readonly shared: Pick<SharedWindowLimits, 'take'>;
  readonly sequencer: Pick<CitizenSequencer, 'reserve'>;
  readonly limits: PipelineLimits;
  /** Channels whose notifications wait for the citizen's next message (Zalo's 7-day window). */
  readonly releaseHeld?: Partial<Record<ChannelName, ReleaseHeld>>;
  /** Counts refusals (metrics): reason is 'duplicate' or the limit that refused. */
  readonly onRefused?: (channel: ChannelName, reason: string) => void;
  readonly logger?: Logger;
}

export class InboundPipeline {
  private readonly inFlight = new Map<string, number>();
  private total = 0;
  private readonly running = new Set<Promise<unknown>>();
  private readonly logger: Logger;

  constructor(private readonly deps: InboundPipelineDeps) {
    this.logger = deps.logger ?? silentLogger();
  }

  submit<R>(task: InboundTask<R>): Submission<R> {
    const message = sanitizeIncoming(task.message);
    // The place in the citizen's line is taken now, in arrival order, before anything is awaited.
    const place = this.deps.sequencer.reserve(conversationKey(message.channel, message.userId));
    let turn: Promise<R> | undefined;
    const admitted = this.admit(message, task).then(
      async (admission) => {
        if (admission.kind !== 'accepted') {
          place.cancel();
          return admission;
        }
        const started = this.turn(message, task, place);
        turn = started.done;
        // Admitted means placed: a message answered after this one, at any process, comes after it.
        await started.ticketTaken;
        return admission;
      },
      (error: unknown) => {
        place.cancel();
        throw error;
      },
    );
    const done = admitted.then(
      () => turn,
      () => undefined,
    );
    this.running.add(done);
    void done.catch(() => undefined).finally(() => this.running.delete(done));
    return { admitted, done };
  }

  /** Resolves once every message submitted so far has been handled (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Duplicate check, then the limits; the in-flight count is taken here and returned by {@link turn}. */
  private async admit<R>(message: InboundMessage, task: InboundTask<R>): Promise<Admission> {
    if (this.total >= this.deps.limits.capacity) {
      this.deps.onRefused?.(message.channel, 'busy');
      return { kind: 'busy' };
    }
    if (message.messageId !== undefined && !(await this.deps.firstSeen(`${message.channel}:${message.messageId}`))) {
      this.deps.onRefused?.(message.channel, 'duplicate');
      return { kind: 'duplicate' };
    }
    if (task.limited !== false) {
      const refusal = await this.limit(message);
      if (refusal) {
        this.deps.onRefused?.(message.channel, refusal.reason);
        this.logger.info({ channel: message.channel, limit: refusal.reason, notice: refusal.notify }, 'message refused by a limit');
        if (refusal.notify && task.slowDown) void task.slowDown().catch(() => undefined);
        return { kind: 'throttled', notified: refusal.notify && task.slowDown !== undefined };
      }
    }
    this.inFlight.set(message.requesterKey, (this.inFlight.get(message.requesterKey) ?? 0) + 1);
    this.total += 1;
    return { kind: 'accepted' };
  }

  private async limit(message: InboundMessage): Promise<{ reason: string; notify: boolean } | undefined> {
    const { limits } = this.deps;
    if ((this.inFlight.get(message.requesterKey) ?? 0) >= limits.maxInFlight) return { reason: 'in_flight', notify: false };
    const byAddress = message.requesterKey !== message.userId;
    if (byAddress) {
      const address = limits.addressBurst.take(message.channel, message.requesterKey);
      if (!address.allowed) return { reason: 'address_burst', notify: address.notify };
    }
    const citizen = limits.citizenBurst.take(message.channel, message.userId);
    if (!citizen.allowed) return { reason: 'citizen_burst', notify: citizen.notify };
    const rule = byAddress ? limits.perAddressMinute : limits.perMinute;
    const window = await this.deps.shared.take(rule, `${message.channel}:${message.requesterKey}`);
    return window.allowed ? undefined : { reason: 'per_minute', notify: window.firstRefusal };
  }

  private turn<R>(message: InboundMessage, task: InboundTask<R>, place: Reservation): { ticketTaken: Promise<void>; done: Promise<R> } {
    const started = place.run(async () => {
      await this.releaseHeld(message);
      return task.run(message, (m) => this.deps.engine.handle(m));
    });
    const done = started.done.finally(() => {
      this.total -= 1;
      const left = (this.inFlight.get(message.requesterKey) ?? 1) - 1;
      if (left > 0) this.inFlight.set(message.requesterKey, left);
      else this.inFlight.delete(message.requesterKey);
    });
    // The caller may never ask for `done` (a ticket that could not be taken rejected `admitted` first).
    done.catch(() => undefined);
    return { ticketTaken: started.ticketTaken, done };
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
