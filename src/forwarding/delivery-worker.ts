/**
 * The delivery outbox worker: sends every planned delivery (`deliveries` collection) to
 * its agency through its transport, retrying until it is sent or declared dead. Nothing
 * is lost (a delivery leaves the outbox only as `sent` or `dead`) and nothing is sent
 * twice by two live processes.
 *
 * Why claims and not `findOneAndUpdate({state: 'pending'}, {$set: {state: 'sending'}})`:
 * on FerretDB v1 that update is not atomic (three concurrent callers all "win"). Each
 * attempt is therefore taken by inserting the claim `delivery:<idempotencyKey>#<n>`
 * (unique `_id`: exactly one process wins attempt n). The number of attempts only grows
 * after attempt n was claimed, so a worker reading a stale copy of a delivery tries to
 * claim an attempt that is already taken and backs off.
 *
 * A process that dies while sending leaves the delivery `sending` with a lease; once the
 * lease has expired another worker claims the next attempt and sends again. That second
 * send is the only duplicate the design allows, and it carries the same idempotency key
 * (Idempotency-Key header, Message-ID), so receivers drop it. The lease must therefore be
 * much longer than a transport's timeout.
 *
 * A delivery that fails for good (non-retryable, or `maxAttempts` used up) becomes `dead`
 * and the coordinator agency is told through its own transports (`delivery.dead`) — but
 * the death of such an alert is only logged, never alerted about again.
 */
import type { Logger } from '../infra/logger';
import type { Database } from '../storage/mongo/database';
import type { DeliveryDoc } from '../storage/mongo/models';
import { MessageBuildError, personalStrings } from './agency-message-builder';
import { claimAttempt, type AttemptClaimDeps } from './attempt-claim';
import { backoffDelay, type BackoffOptions } from './backoff';
import { planAgencyDeliveries, type DirectorySource, type TransportKind } from './outbox';
import { forEachLimit, PollingLoop } from './polling-loop';
import { errorText, safeErrorText } from './safe-error';
import { deliveryFailure, type AgencyMessage, type DeliveryResult, type Transport } from './transport';

export type { DeliveryDoc } from '../storage/mongo/models';

export interface DeliveryWorkerOptions {
  readonly db: Database;
  readonly directory: DirectorySource;
  /** The transports this process can use; a delivery over a missing one fails (retryably) until it is configured. */
  readonly transports: Partial<Record<TransportKind, Transport>>;
  /** Builds the message for a delivery (normally {@link createAgencyMessageBuilder}). */
  readonly buildMessage: (delivery: DeliveryDoc) => Promise<AgencyMessage>;
  /** This process's id in claims and leases (host + pid + random); must differ between processes. */
  readonly owner: string;
  readonly logger: Logger;
  /** Pause between rounds when the outbox is empty; default 5 s. */
  readonly pollIntervalMs?: number;
  /** Deliveries read per round; default 50. */
  readonly batchSize?: number;
  /** Sends in flight at once; default 4. */
  readonly concurrency?: number;
  /** How long an attempt is ours before another process may take over; default 5 min (≫ transport timeouts). */
  readonly leaseMs?: number;
  /** Attempts before a retryable failure becomes dead; default 8. */
  readonly maxAttempts?: number;
  /** Retry delays; default 30 s doubling, capped at 1 h, jittered. */
  readonly backoff?: BackoffOptions;
  readonly clock?: () => Date;
  /** Randomness for jitter (tests make it deterministic). */
  readonly random?: () => number;
  /** Called after a delivery was declared dead (metrics, alerts). */
  readonly onDead?: (delivery: DeadDelivery) => void;
  /** Called after each finished attempt (metrics). */
  readonly onOutcome?: (
    outcome: AttemptOutcome,
    delivery: { readonly transport: string; readonly event: string; readonly complaintCode: string; readonly agencyId: string },
  ) => void;
  /**
   * The sweeper: plans the deliveries of complaints a crash left half-planned
   * (`ComplaintService` implementation's planPendingDeliveries). Called at most every
   * `pollIntervalMs`; errors are logged, never fatal.
   */
  readonly planPending?: () => Promise<unknown>;
  /** Claims older than this are deleted (they guard attempts long finished); default 7 days; 0 disables. */
  readonly claimRetentionMs?: number;
  /** How often old claims are pruned; default 1 h. */
  readonly pruneEveryMs?: number;
}

export type AttemptOutcome = 'sent' | 'retry' | 'dead';

export interface DeadDelivery {
  readonly idempotencyKey: string;
  readonly complaintCode: string;
  readonly agencyId: string;
  readonly transport: string;
  readonly event: string;
  readonly attempts: number;
  /** Already stripped of personal data. */
  readonly lastError: string;
}

/** What one round did; `more` = the batch was full, so more work is probably waiting. */
export interface DeliveryRunStats {
  candidates: number;
  sent: number;
  retried: number;
  dead: number;
  /** Candidates another process took first. */
  skipped: number;
  more: boolean;
}

const DEFAULTS = {
  pollIntervalMs: 5_000,
  batchSize: 50,
  concurrency: 4,
  leaseMs: 300_000,
  maxAttempts: 8,
  claimRetentionMs: 7 * 86_400_000,
  pruneEveryMs: 3_600_000,
};

export class DeliveryWorker {
  private readonly loop: PollingLoop;
  private readonly clock: () => Date;
  private lastPlanAt = 0;
  private lastPruneAt = 0;

  constructor(private readonly options: DeliveryWorkerOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.loop = new PollingLoop('delivery-worker', async () => (await this.runOnce()).more, this.setting('pollIntervalMs'), options.logger);
  }

  /** Starts polling in the background. */
  start(): void {
    this.loop.start();
  }

  /** Asks for a round as soon as possible (e.g. right after a complaint was submitted). */
  poke(): void {
    this.loop.poke();
  }

  /** Stops claiming new attempts, waits for the sends in flight to be recorded, then resolves. */
  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** One round: sweep half-planned complaints, prune old claims, send what is due. */
  async runOnce(): Promise<DeliveryRunStats> {
    await this.sweep();
    await this.prune();
    const now = this.clock();
    const candidates = await this.options.db.models.Delivery.find({
      $or: [
        { state: 'pending', nextAttemptAt: { $lte: now } },
        { state: 'sending', leaseUntil: { $lt: now } },
      ],
    })
      .sort({ nextAttemptAt: 1 })
      .limit(this.setting('batchSize'))
      .lean<DeliveryDoc[]>();
    const stats: DeliveryRunStats = { candidates: candidates.length, sent: 0, retried: 0, dead: 0, skipped: 0, more: false };
    await forEachLimit(candidates, this.setting('concurrency'), (d) => this.attemptSafely(d, stats));
    stats.more = candidates.length === this.setting('batchSize') && !this.loop.stopping;
    return stats;
  }

  private setting<K extends keyof typeof DEFAULTS>(key: K): number {
    return this.options[key] ?? DEFAULTS[key];
  }

  private async sweep(): Promise<void> {
    const planPending = this.options.planPending;
    const now = Date.now();
    if (!planPending || now - this.lastPlanAt < this.setting('pollIntervalMs')) return;
    this.lastPlanAt = now;
    try {
      await planPending();
    } catch (err) {
      this.options.logger.error({ err: errorText(err) }, 'planning pending deliveries failed');
    }
  }

  private async prune(): Promise<void> {
    const retention = this.setting('claimRetentionMs');
    const now = this.clock().getTime();
    if (retention <= 0 || now - this.lastPruneAt < this.setting('pruneEveryMs')) return;
    this.lastPruneAt = now;
    try {
      const removed = await this.options.db.claims.prune(new Date(now - retention));
      if (removed > 0) this.options.logger.info({ removed }, 'pruned old claims');
    } catch (err) {
      this.options.logger.warn({ err: errorText(err) }, 'pruning claims failed');
    }
  }

  /**
   * A database error mid-attempt leaves the delivery as it was (`sending` under our lease at
   * worst): it is taken up again when the lease expires, so nothing is lost.
   */
  private async attemptSafely(candidate: DeliveryDoc, stats: DeliveryRunStats): Promise<void> {
    try {
      await this.attempt(candidate, stats);
    } catch (err) {
      this.options.logger.error(
        { key: candidate.idempotencyKey, err: errorText(err) },
        'delivery attempt failed to run; it will be taken up again',
      );
    }
  }

  /** Claims, sends and records one attempt of `candidate` (a possibly stale copy). */
  private async attempt(candidate: DeliveryDoc, stats: DeliveryRunStats): Promise<void> {
    if (this.loop.stopping) return;
    const claim = await claimAttempt(this.claimDeps, candidate, this.clock());
    if (claim.kind !== 'claimed') {
      stats.skipped++;
      if (claim.kind === 'abandoned')
        this.options.logger.warn({ key: candidate.idempotencyKey }, 'wrote off an attempt abandoned by a stopped process');
      return;
    }
    const { item: delivery, attempt } = claim;
    const { result, personal } = await this.send(delivery);
    const outcome = await this.record(delivery, attempt, result, personal);
    stats[outcome === 'sent' ? 'sent' : outcome === 'retry' ? 'retried' : 'dead']++;
    this.options.onOutcome?.(outcome, {
      transport: delivery.transport,
      event: delivery.event,
      complaintCode: delivery.complaintCode,
      agencyId: delivery.agencyId,
    });
  }

  private get claimDeps(): AttemptClaimDeps<DeliveryDoc> {
    const { db, owner } = this.options;
    const Delivery = db.models.Delivery;
    return {
      db,
      prefix: 'delivery',
      owner,
      leaseMs: this.setting('leaseMs'),
      reload: (id) => Delivery.findById(id).lean<DeliveryDoc>(),
      markSending: async (id, attempts, leaseUntil) => {
        await Delivery.updateOne({ _id: id }, { $set: { state: 'sending', attempts, leaseOwner: owner, leaseUntil } });
      },
      markAbandoned: async (id, attempts, now) => {
        await Delivery.updateOne(
          { _id: id },
          {
            $set: { state: 'pending', attempts, nextAttemptAt: now, lastError: `attempt ${attempts} abandoned by a stopped process` },
            $unset: { leaseOwner: 1, leaseUntil: 1 },
          },
        );
      },
    };
  }

  /** Delivers through the transport; never throws. `personal` = strings to cut out of errors. */
  private async send(delivery: DeliveryDoc): Promise<{ result: DeliveryResult; personal: string[] }> {
    const agency = this.options.directory.current().agencyById.get(delivery.agencyId);
    if (!agency) return { result: deliveryFailure(true, `agency '${delivery.agencyId}' is not in the directory`), personal: [] };
    const transport = this.options.transports[delivery.transport];
    if (!transport) return { result: deliveryFailure(true, `no ${delivery.transport} transport is configured`), personal: [] };
    let message: AgencyMessage;
    try {
      message = await this.options.buildMessage(delivery);
    } catch (err) {
      const retryable = err instanceof MessageBuildError ? err.retryable : true;
      return { result: deliveryFailure(retryable, `building the message failed: ${errorText(err)}`), personal: [] };
    }
    const personal = personalStrings(message);
    try {
      return { result: await transport.deliver(agency, message), personal };
    } catch (err) {
      // Transports must not throw; if one does, treat it as a temporary failure.
      return { result: deliveryFailure(true, `transport threw: ${errorText(err)}`), personal };
    }
  }

  private async record(delivery: DeliveryDoc, attempt: number, result: DeliveryResult, personal: string[]): Promise<AttemptOutcome> {
    const { db, logger } = this.options;
    const now = this.clock();
    const mine = { _id: delivery._id, attempts: attempt };
    const log = {
      key: delivery.idempotencyKey,
      code: delivery.complaintCode,
      agencyId: delivery.agencyId,
      transport: delivery.transport,
      attempt,
    };
    if (result.ok) {
      const receipt = (result.receipt ?? '').slice(0, 300);
      await db.models.Delivery.updateOne(mine, {
        $set: { state: 'sent', sentAt: now, receipt },
        $unset: { leaseOwner: 1, leaseUntil: 1, lastError: 1 },
      });
      logger.info(log, 'delivery sent');
      return 'sent';
    }
    const lastError = safeErrorText(result.error, personal);
    if (result.retryable && attempt < this.setting('maxAttempts')) {
      const delay = backoffDelay(attempt, this.options.backoff, result.retryAfterMs, this.options.random);
      const nextAttemptAt = new Date(now.getTime() + delay);
      await db.models.Delivery.updateOne(mine, {
        $set: { state: 'pending', nextAttemptAt, lastError },
        $unset: { leaseOwner: 1, leaseUntil: 1 },
      });
      logger.warn({ ...log, error: lastError, retryInMs: delay }, 'delivery failed, will retry');
      return 'retry';
    }
    // Alert first, then mark dead: a crash in between retries the delivery and re-plans the same (idempotent) alert.
    await this.alertCoordinator(delivery, attempt, lastError);
    await db.models.Delivery.updateOne(mine, { $set: { state: 'dead', lastError }, $unset: { leaseOwner: 1, leaseUntil: 1 } });
    logger.error({ ...log, event: delivery.event, error: lastError }, 'delivery is dead: it will not be retried');
    this.options.onDead?.({
      idempotencyKey: delivery.idempotencyKey,
      complaintCode: delivery.complaintCode,
      agencyId: delivery.agencyId,
      transport: delivery.transport,
      event: delivery.event,
      attempts: attempt,
      lastError,
    });
    return 'dead';
  }

  /** Plans `delivery.dead` deliveries to the coordinator; never for an alert that died itself. */
  private async alertCoordinator(delivery: DeliveryDoc, attempts: number, lastError: string): Promise<void> {
    if (delivery.event === 'delivery.dead') return;
    const directory = this.options.directory.current();
    const coordinator = directory.coordinator;
    const agencyName = directory.agencyById.get(delivery.agencyId)?.name.vi ?? delivery.agencyId;
    const note =
      `Không chuyển được thông báo "${delivery.event}" (mã gửi ${delivery.idempotencyKey}) đến ${agencyName} qua ${delivery.transport} ` +
      `sau ${attempts} lần thử. Lỗi cuối: ${lastError}. Đề nghị liên hệ cơ quan và kiểm tra địa chỉ nhận trong danh bạ.`;
    // A failure here propagates: the delivery is not marked dead, so the alert is not lost.
    await planAgencyDeliveries(this.options.db, {
      agency: coordinator,
      messageKey: `${delivery.idempotencyKey}:dead`,
      complaintCode: delivery.complaintCode,
      event: 'delivery.dead',
      note,
      now: this.clock(),
      available: Object.keys(this.options.transports) as TransportKind[],
    });
  }
}
