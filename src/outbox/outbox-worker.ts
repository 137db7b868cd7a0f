/**
 * The one outbox worker, configured once per outbox (agency deliveries, citizen
 * notifications): polls for due items, claims an attempt, sends it through the outbox's
 * handler, records the outcome, retries with backoff, declares items dead after their
 * retry budget. Nothing is lost (an item leaves the outbox only as `sent`, `held` or
 * `dead`) and nothing is sent twice by two live processes.
 *
 * Why claims and not `findOneAndUpdate({state: 'pending'}, {$set: {state: 'sending'}})`:
 * on FerretDB v1 that update is not atomic (three concurrent callers all "win"); see
 * attempt-claim.ts. A process that dies while sending leaves the item `sending` with a
 * lease; once the lease has expired another worker claims the next attempt and sends
 * again. That second send is the only duplicate the design allows, and it carries the same
 * idempotency key, so receivers drop it. The lease must therefore be much longer than a
 * send's timeout.
 *
 * What differs between outboxes is the handler (how to send one item, what to do before
 * one is declared dead, which items must go one after another) and the pacing policy.
 */
import type { Logger } from '../infra/logger';
import { forEachLimit, PollingLoop } from '../jobs/polling-loop';
import { claimAttempt } from './attempt-claim';
import { backoffDelay, type BackoffOptions } from './backoff';
import type { OutboxItem, OutboxStore, RecordedAttempt } from './outbox-store';
import type { Pacer } from './pacing';
import { errorText, safeErrorText } from './safe-error';

/**
 * What sending one item gave. `hold`: park it until something releases it (Zalo's 7-day
 * window). `drop`: the item should never have existed (an orphan of an unfinished
 * submission): it ends `dead` without the dead-item alert.
 */
export type SendResult =
  | { readonly ok: true; readonly receipt?: string; readonly via?: string }
  | {
      readonly ok: false;
      readonly disposition: 'retry' | 'permanent' | 'hold' | 'drop';
      readonly error: string;
      readonly retryAfterMs?: number;
    };

export type AttemptOutcome = 'sent' | 'retry' | 'held' | 'dead';

export interface OutboxHandler<T extends OutboxItem> {
  /** Sends one item; should not throw (a throw counts as a retryable failure). Errors must carry no personal data. */
  send(item: T): Promise<SendResult>;
  /** Items with the same lane are sent one after another, oldest first (a citizen's notifications). Default: no order. */
  laneOf?(item: T): string;
  /**
   * Called before an item is declared dead (alert someone). If it throws, the item is not
   * marked dead: it stays `sending` and is taken up again after the lease, so the alert
   * is not lost either.
   */
  beforeDead?(item: T, attempts: number, lastError: string): Promise<void>;
  /** Called after each recorded attempt (metrics, follow-up work); errors are logged. */
  afterAttempt?(outcome: AttemptOutcome, item: T, result: SendResult): void | Promise<void>;
  /** Fields that identify the item in logs (never personal data). */
  logFields?(item: T): Record<string, unknown>;
}

export interface OutboxWorkerOptions<T extends OutboxItem> {
  readonly store: OutboxStore<T>;
  readonly handler: OutboxHandler<T>;
  /** This process's id in claims (host + pid + random); must differ between processes. */
  readonly owner: string;
  readonly logger: Logger;
  readonly pacer?: Pacer<T>;
  /** Pause between rounds when nothing is due; default 5 s. */
  readonly pollIntervalMs?: number;
  /** Items read per round; default 50. */
  readonly batchSize?: number;
  /** Lanes served at once; default 4. */
  readonly concurrency?: number;
  /** How long an attempt is ours before another process may take over; default 5 min (≫ send timeouts). */
  readonly leaseMs?: number;
  /** Attempts before a retryable failure becomes dead; default 8. */
  readonly maxAttempts?: number;
  /** Retry delays; default 30 s doubling, capped at 1 h, jittered. */
  readonly backoff?: BackoffOptions;
  readonly clock?: () => Date;
  /** Randomness for jitter (tests make it deterministic). */
  readonly random?: () => number;
}

/** What one round did; `more` = the batch was full, so more work is probably waiting. */
export interface OutboxRunStats {
  candidates: number;
  sent: number;
  retried: number;
  held: number;
  dead: number;
  /** Candidates another process took first. */
  skipped: number;
  more: boolean;
}

const DEFAULTS = { pollIntervalMs: 5_000, batchSize: 50, concurrency: 4, leaseMs: 300_000, maxAttempts: 8 };

export class OutboxWorker<T extends OutboxItem> {
  private readonly loop: PollingLoop;
  private readonly clock: () => Date;

  constructor(private readonly options: OutboxWorkerOptions<T>) {
    this.clock = options.clock ?? (() => new Date());
    this.loop = new PollingLoop(
      `${options.store.name}-outbox`,
      async () => (await this.runOnce()).more,
      this.setting('pollIntervalMs'),
      options.logger,
    );
  }

  start(): void {
    this.loop.start();
  }

  /** Asks for a round as soon as possible (an item was just queued or released). */
  poke(): void {
    this.loop.poke();
  }

  /** Stops claiming new attempts, waits for the sends in flight to be recorded, then resolves. */
  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** One round: send what is due, each lane's items in order. */
  async runOnce(): Promise<OutboxRunStats> {
    const batchSize = this.setting('batchSize');
    const candidates = await this.options.store.due(this.clock(), batchSize);
    const stats: OutboxRunStats = { candidates: candidates.length, sent: 0, retried: 0, held: 0, dead: 0, skipped: 0, more: false };
    const lanes = new Map<string, T[]>();
    for (const item of candidates) {
      const lane = this.options.handler.laneOf?.(item) ?? item.id;
      lanes.set(lane, [...(lanes.get(lane) ?? []), item]);
    }
    await forEachLimit([...lanes.values()], this.setting('concurrency'), async (queue) => {
      for (const item of queue) await this.attemptSafely(item, stats);
    });
    stats.more = candidates.length === batchSize && !this.loop.stopping;
    return stats;
  }

  private setting<K extends keyof typeof DEFAULTS>(key: K): number {
    return this.options[key] ?? DEFAULTS[key];
  }

  /**
   * A database error mid-attempt leaves the item as it was (`sending` under our lease at
   * worst): it is taken up again when the lease expires, so nothing is lost.
   */
  private async attemptSafely(candidate: T, stats: OutboxRunStats): Promise<void> {
    try {
      await this.attempt(candidate, stats);
    } catch (err) {
      this.options.logger.error(
        { outbox: this.options.store.name, key: candidate.id, err: errorText(err) },
        'outbox attempt failed to run; it will be taken up again',
      );
    }
  }

  /** Claims, sends and records one attempt of `candidate` (a possibly stale copy). */
  private async attempt(candidate: T, stats: OutboxRunStats): Promise<void> {
    if (this.loop.stopping) return;
    const { store, owner, handler } = this.options;
    const claim = await claimAttempt(store, owner, this.setting('leaseMs'), candidate, this.clock());
    if (claim.kind !== 'claimed') {
      stats.skipped++;
      if (claim.kind === 'abandoned')
        this.options.logger.warn({ outbox: store.name, key: candidate.id }, 'wrote off an attempt abandoned by a stopped process');
      return;
    }
    const { item, attempt } = claim;
    await this.options.pacer?.acquire(item);
    const result = await this.send(item);
    const outcome = await this.record(item, attempt, result);
    stats[({ sent: 'sent', retry: 'retried', held: 'held', dead: 'dead' } as const)[outcome]]++;
    try {
      await handler.afterAttempt?.(outcome, item, result);
    } catch (err) {
      this.options.logger.error({ outbox: store.name, key: item.id, err: errorText(err) }, 'outbox follow-up failed');
    }
  }

  private async send(item: T): Promise<SendResult> {
    try {
      return await this.options.handler.send(item);
    } catch (err) {
      // Handlers must not throw; if one does, treat it as a temporary failure.
      return { ok: false, disposition: 'retry', error: `send threw: ${errorText(err)}` };
    }
  }

  private async record(item: T, attempt: number, result: SendResult): Promise<AttemptOutcome> {
    const { store, logger, handler } = this.options;
    const now = this.clock();
    const log = { outbox: store.name, key: item.id, attempt, ...handler.logFields?.(item) };
    if (result.ok) {
      await store.record(item.id, attempt, { state: 'sent', at: now, receipt: (result.receipt ?? '').slice(0, 300) });
      logger.info({ ...log, ...(result.via ? { via: result.via } : {}) }, 'outbox item sent');
      return 'sent';
    }
    const lastError = safeErrorText(result.error);
    let recorded: RecordedAttempt;
    if (result.disposition === 'hold') {
      recorded = { state: 'held', lastError };
      logger.info(log, 'outbox item held until released');
    } else if (result.disposition === 'drop') {
      recorded = { state: 'dead', lastError };
      logger.info({ ...log, error: lastError }, 'outbox item dropped');
    } else if (result.disposition === 'retry' && attempt - item.attemptBase < this.setting('maxAttempts')) {
      const delay = backoffDelay(attempt - item.attemptBase, this.options.backoff, result.retryAfterMs, this.options.random);
      recorded = { state: 'pending', nextAttemptAt: new Date(now.getTime() + delay), lastError };
      logger.warn({ ...log, error: lastError, retryInMs: delay }, 'outbox item failed, will retry');
    } else {
      // Alert first, then mark dead: a crash in between retries the item and re-plans the same (idempotent) alert.
      await handler.beforeDead?.(item, attempt, lastError);
      recorded = { state: 'dead', lastError };
      logger.error({ ...log, error: lastError }, 'outbox item is dead: it will not be retried');
    }
    await store.record(item.id, attempt, recorded);
    return recorded.state === 'pending' ? 'retry' : recorded.state;
  }
}
