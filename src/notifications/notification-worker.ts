/**
 * The notification outbox worker: tells citizens what happened to their complaints (an
 * answer, a transfer, the request to rate) on the channel they used, in their language,
 * once, and never loses a message.
 *
 * Same claim protocol as the delivery worker (see forwarding/attempt-claim.ts): each
 * attempt is taken by a unique claim `notification:<idempotencyKey>#<n>`, because
 * FerretDB's conditional updates are not atomic.
 *
 * What a channel answers decides what happens next:
 * - ok → `sent`;
 * - retry (rate limit, network) → `pending` again after a backoff, `dead` after maxAttempts;
 * - outside_window (Zalo only lets an OA message a citizen within 7 days of their last
 *   message; a closed web page) → the sender's paid/approved template fallback if it has
 *   one, else `held`: no more attempts until the citizen writes again and the channel
 *   adapter calls {@link NotificationWorker.releaseHeld};
 * - permanent (blocked the OA, unknown user) → `dead`.
 *
 * The text is rendered at send time, in the citizen's current language (the
 * `conversations` document), so a citizen who switched to English gets English.
 * A citizen's notifications are sent one after another, oldest first, so "answered"
 * never arrives after "please rate the answer".
 */
import type { ChannelName, Locale, OutgoingMessage } from '../core/messages';
import type { ChannelSender, ChannelSendResult } from '../channels/channel-sender';
import { claimAttempt, type AttemptClaimDeps } from '../forwarding/attempt-claim';
import { backoffDelay, type BackoffOptions } from '../forwarding/backoff';
import { forEachLimit, PollingLoop } from '../forwarding/polling-loop';
import { errorText, safeErrorText } from '../forwarding/safe-error';
import type { Logger } from '../infra/logger';
import type { Database } from '../storage/mongo/database';
import type { NotificationDoc } from '../storage/mongo/models';

export type { NotificationDoc } from '../storage/mongo/models';

/**
 * A channel sender that can reach a citizen outside the messaging window by other means
 * (Zalo's pre-approved template messages, ZNS). Optional: without it, such notifications
 * are held until the citizen writes again.
 */
export interface HeldFallbackSender extends ChannelSender {
  sendHeldFallback?(userId: string, notificationKind: string): Promise<ChannelSendResult>;
}

/** Renders a notification's texts in `locale` (normally notification-texts.ts's renderNotification). */
export type NotificationRenderer = (
  notification: NotificationDoc,
  locale: Locale,
) => readonly OutgoingMessage[] | Promise<readonly OutgoingMessage[]>;

export interface NotificationWorkerOptions {
  readonly db: Database;
  /** One sender per channel the bot runs on; a notification for a channel without one is retried, then dead. */
  readonly senders: readonly HeldFallbackSender[];
  readonly render: NotificationRenderer;
  /** This process's id in claims (must differ between processes). */
  readonly owner: string;
  readonly logger: Logger;
  /** Pause between rounds when nothing is due; default 3 s. */
  readonly pollIntervalMs?: number;
  /** Notifications read per round; default 50. */
  readonly batchSize?: number;
  /** Citizens served at once (each citizen's notifications go one by one); default 4. */
  readonly concurrency?: number;
  /** How long an attempt is ours before another process may take over; default 2 min. */
  readonly leaseMs?: number;
  /** Attempts before a retryable failure becomes dead; default 8. */
  readonly maxAttempts?: number;
  readonly backoff?: BackoffOptions;
  /** Locale when the citizen's conversation is unknown; default vi. */
  readonly defaultLocale?: Locale;
  readonly clock?: () => Date;
  readonly random?: () => number;
  /** Called after each finished attempt (metrics). */
  readonly onOutcome?: (outcome: NotificationOutcome, notification: { readonly channel: string; readonly kind: string }) => void;
}

export type NotificationOutcome = 'sent' | 'sent_template' | 'retry' | 'held' | 'dead';

export interface NotificationRunStats {
  candidates: number;
  sent: number;
  retried: number;
  held: number;
  dead: number;
  skipped: number;
  more: boolean;
}

const DEFAULTS = { pollIntervalMs: 3_000, batchSize: 50, concurrency: 4, leaseMs: 120_000, maxAttempts: 8 };
const LOCALES: readonly Locale[] = ['vi', 'en'];

export class NotificationWorker {
  private readonly loop: PollingLoop;
  private readonly clock: () => Date;
  private readonly senders: ReadonlyMap<string, HeldFallbackSender>;

  constructor(private readonly options: NotificationWorkerOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.senders = new Map(options.senders.map((s) => [s.channel, s]));
    this.loop = new PollingLoop(
      'notification-worker',
      async () => (await this.runOnce()).more,
      this.setting('pollIntervalMs'),
      options.logger,
    );
  }

  start(): void {
    this.loop.start();
  }

  /** Asks for a round as soon as possible (a notification was just queued). */
  poke(): void {
    this.loop.poke();
  }

  /** Stops claiming, waits for the sends in flight to be recorded, then resolves. */
  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /**
   * The citizen wrote again (their messaging window is open): their held notifications
   * become due now. Channel adapters call this on every incoming message; it is cheap when
   * nothing is held. Returns how many were released.
   */
  async releaseHeld(channel: ChannelName, userId: string): Promise<number> {
    const result = await this.options.db.models.Notification.updateMany(
      { channel, userId, state: 'held' },
      { $set: { state: 'pending', nextAttemptAt: this.clock() }, $unset: { leaseOwner: 1, leaseUntil: 1 } },
    );
    const released = result.modifiedCount ?? 0;
    if (released > 0) {
      this.options.logger.info({ channel, released }, 'released held notifications');
      this.loop.poke();
    }
    return released;
  }

  /** One round: send what is due, each citizen's notifications in order. */
  async runOnce(): Promise<NotificationRunStats> {
    const now = this.clock();
    const candidates = await this.options.db.models.Notification.find({
      $or: [
        { state: 'pending', nextAttemptAt: { $lte: now } },
        { state: 'sending', leaseUntil: { $lt: now } },
      ],
    })
      .sort({ nextAttemptAt: 1, createdAt: 1 })
      .limit(this.setting('batchSize'))
      .lean<NotificationDoc[]>();
    const stats: NotificationRunStats = { candidates: candidates.length, sent: 0, retried: 0, held: 0, dead: 0, skipped: 0, more: false };
    const byCitizen = new Map<string, NotificationDoc[]>();
    for (const n of candidates) {
      const key = `${n.channel}:${n.userId}`;
      byCitizen.set(key, [...(byCitizen.get(key) ?? []), n]);
    }
    await forEachLimit([...byCitizen.values()], this.setting('concurrency'), async (queue) => {
      for (const n of queue) await this.attemptSafely(n, stats);
    });
    stats.more = candidates.length === this.setting('batchSize') && !this.loop.stopping;
    return stats;
  }

  private setting<K extends keyof typeof DEFAULTS>(key: K): number {
    return this.options[key] ?? DEFAULTS[key];
  }

  private async attemptSafely(candidate: NotificationDoc, stats: NotificationRunStats): Promise<void> {
    try {
      await this.attempt(candidate, stats);
    } catch (err) {
      this.options.logger.error(
        { key: candidate.idempotencyKey, err: errorText(err) },
        'notification attempt failed to run; it will be taken up again',
      );
    }
  }

  private async attempt(candidate: NotificationDoc, stats: NotificationRunStats): Promise<void> {
    if (this.loop.stopping) return;
    const claim = await claimAttempt(this.claimDeps, candidate, this.clock());
    if (claim.kind !== 'claimed') {
      stats.skipped++;
      return;
    }
    const { item: notification, attempt } = claim;
    const result = await this.send(notification);
    const outcome = await this.record(notification, attempt, result);
    if (outcome === 'sent' || outcome === 'sent_template') stats.sent++;
    else if (outcome === 'retry') stats.retried++;
    else if (outcome === 'held') stats.held++;
    else stats.dead++;
    this.options.onOutcome?.(outcome, { channel: notification.channel, kind: notification.kind });
  }

  private get claimDeps(): AttemptClaimDeps<NotificationDoc> {
    const { db, owner } = this.options;
    const Notification = db.models.Notification;
    return {
      db,
      prefix: 'notification',
      owner,
      leaseMs: this.setting('leaseMs'),
      reload: (id) => Notification.findById(id).lean<NotificationDoc>(),
      markSending: async (id, attempts, leaseUntil) => {
        await Notification.updateOne({ _id: id }, { $set: { state: 'sending', attempts, leaseOwner: owner, leaseUntil } });
      },
      markAbandoned: async (id, attempts, now) => {
        await Notification.updateOne(
          { _id: id },
          {
            $set: { state: 'pending', attempts, nextAttemptAt: now, lastError: `attempt ${attempts} abandoned by a stopped process` },
            $unset: { leaseOwner: 1, leaseUntil: 1 },
          },
        );
      },
    };
  }

  /** Renders and sends; never throws. `template` = delivered by the out-of-window fallback. */
  private async send(n: NotificationDoc): Promise<ChannelSendResult & { template?: boolean }> {
    const sender = this.senders.get(n.channel);
    if (!sender) return { ok: false, kind: 'retry', error: `no sender for channel '${n.channel}'` };
    try {
      const messages = await this.options.render(n, await this.localeOf(n.channel, n.userId));
      const result = await sender.send(n.userId, messages);
      if (result.ok || result.kind !== 'outside_window' || !sender.sendHeldFallback) return result;
      const fallback = await sender.sendHeldFallback(n.userId, n.kind);
      return fallback.ok ? { ok: true, template: true } : result;
    } catch (err) {
      return { ok: false, kind: 'retry', error: errorText(err) };
    }
  }

  private async localeOf(channel: string, userId: string): Promise<Locale> {
    const conversation = await this.options.db.models.Conversation.findById(`${channel}:${userId}`, { locale: 1 }).lean<{
      locale?: string;
    }>();
    return LOCALES.find((l) => l === conversation?.locale) ?? this.options.defaultLocale ?? 'vi';
  }

  private async record(
    n: NotificationDoc,
    attempt: number,
    result: ChannelSendResult & { template?: boolean },
  ): Promise<NotificationOutcome> {
    const { db, logger } = this.options;
    const Notification = db.models.Notification;
    const now = this.clock();
    const mine = { _id: n._id, attempts: attempt };
    const log = { key: n.idempotencyKey, code: n.complaintCode, channel: n.channel, kind: n.kind, attempt };
    const clearLease = { leaseOwner: 1, leaseUntil: 1 } as const;
    if (result.ok) {
      await Notification.updateOne(mine, { $set: { state: 'sent', sentAt: now }, $unset: { ...clearLease, lastError: 1 } });
      logger.info({ ...log, via: result.template ? 'template' : 'message' }, 'notification sent');
      return result.template ? 'sent_template' : 'sent';
    }
    const lastError = safeErrorText(`${result.kind}: ${result.error}`);
    if (result.kind === 'outside_window') {
      await Notification.updateOne(mine, { $set: { state: 'held', lastError }, $unset: clearLease });
      logger.info(log, 'notification held until the citizen writes again');
      return 'held';
    }
    if (result.kind === 'retry' && attempt < this.setting('maxAttempts')) {
      const delay = backoffDelay(attempt, this.options.backoff, result.retryAfterMs, this.options.random);
      await Notification.updateOne(mine, {
        $set: { state: 'pending', nextAttemptAt: new Date(now.getTime() + delay), lastError },
        $unset: clearLease,
      });
      logger.warn({ ...log, error: lastError, retryInMs: delay }, 'notification failed, will retry');
      return 'retry';
    }
    await Notification.updateOne(mine, { $set: { state: 'dead', lastError }, $unset: clearLease });
    logger.error({ ...log, error: lastError }, 'notification is dead: the citizen will not receive it');
    return 'dead';
  }
}
