/**
 * Sends broadcasts (news items, survey invitations) to their audience: each recipient
 * once, within the platforms' limits, resumable after a crash.
 *
 * Why not the generic outbox worker with one document per (message, person): on FerretDB
 * v1 an update or a delete by `_id` reads the whole collection (measured: 61 ms per
 * update at 10,000 documents, 1.9 ms per insert, 1.4 ms per read by `_id`), and the
 * worker updates each item three times. So this outbox is written with inserts only:
 *
 * - **batches**: the audience is read page by page (by `_id`) and each page is stored as
 *   batch `<broadcast>#<seq>`; the next page starts after the cursor the previous batch
 *   stored, so a crash while planning replays the same page into the same batch id;
 * - **attempts**: before sending to a person, attempt n of key `<broadcast>|<person>` is
 *   claimed (a unique insert in `claims`): a second process cannot send it too;
 * - **receipts**: the outcome is a unique insert keyed `<broadcast>|<person>` — sent,
 *   not_allowed (outside Zalo's window), skipped (no push on the web), failed. A person
 *   with a receipt is never sent the broadcast again.
 *
 * A SIGKILL between a send and its receipt leaves an attempt without a receipt: after a
 * restart that person is sent the message again (attempt n+1). That is the only
 * duplicate possible — at most the sends in flight at the kill (a chunk) — and the test
 * (test/campaign/broadcast-crash.test.ts) checks it. Exactly once on the wire cannot be
 * had: Telegram and Zalo take no idempotency key.
 *
 * One process sends at a time (a lease): the platform limits are per bot, not per
 * process, so two senders would double the rate. The lease is renewed after each chunk.
 */
import type { ChannelName, Locale, OutgoingMessage } from '../core/messages';
import type { Logger } from '../infra/logger';
import type { ChannelSender, ChannelSendResult } from '../notifications/channel-sender';
import { PollingLoop } from '../jobs/polling-loop';
import type { Pacer } from '../outbox/pacing';
import { errorText, safeErrorText } from '../outbox/safe-error';
import type { Broadcast, BroadcastStore, LastInteraction, Receipt, Recipient, RecipientBatch, ReceiptOutcome } from './ports';

interface LeasePort {
  acquire(name: string, owner: string, ttlMs: number, now?: Date): Promise<boolean>;
  release(name: string, owner: string): Promise<void>;
}

/** A channel sender that can be told the citizen's language (Zalo's: saves reading the conversation once per message). */
export interface CampaignSender extends ChannelSender {
  sendReply?(userId: string, messages: readonly OutgoingMessage[], locale: Locale): Promise<ChannelSendResult>;
}

export interface DispatcherOptions {
  readonly store: BroadcastStore;
  readonly senders: readonly CampaignSender[];
  /** The messages of `broadcast` for `recipient`, in their language. */
  readonly render: (broadcast: Broadcast, recipient: Recipient) => Promise<readonly OutgoingMessage[]>;
  readonly lastInteraction: LastInteraction;
  readonly pacer: Pacer<{ readonly channel: ChannelName }>;
  readonly leases: LeasePort;
  readonly owner: string;
  readonly logger: Logger;
  /** Zalo accepts a consultation message only this long after the citizen's last message; default 7 days. */
  readonly zaloWindowMs?: number;
  /** Recipients per stored batch; default 200. */
  readonly batchSize?: number;
  /** Recipients sent at once (claims and receipts are written per chunk); default 50. */
  readonly chunkSize?: number;
  /** Attempts per recipient (temporary failures) before `failed`; default 5. */
  readonly maxAttempts?: number;
  /** Lease length; renewed after each chunk. Default 60 s. */
  readonly leaseMs?: number;
  readonly pollIntervalMs?: number;
  readonly clock?: () => Date;
  /** After each final outcome (metrics). */
  readonly onOutcome?: (channel: ChannelName, outcome: ReceiptOutcome) => void;
}

export const DISPATCH_LEASE = 'broadcast-dispatch';
const DAY_MS = 24 * 3600 * 1000;

/** What one round did. */
export interface DispatchStats {
  sent: number;
  not_allowed: number;
  skipped: number;
  failed: number;
  /** Temporary failures left for a later round. */
  retry: number;
}

export class BroadcastDispatcher {
  private readonly loop: PollingLoop;
  private readonly senders: ReadonlyMap<ChannelName, CampaignSender>;
  private readonly clock: () => Date;

  constructor(private readonly options: DispatcherOptions) {
    this.senders = new Map(options.senders.map((s) => [s.channel, s]));
    this.clock = options.clock ?? (() => new Date());
    this.loop = new PollingLoop('broadcasts', async () => (await this.runOnce(), false), options.pollIntervalMs ?? 5_000, options.logger);
  }

  start(): void {
    this.loop.start();
  }

  /** A broadcast was just published: start at once. */
  poke(): void {
    this.loop.poke();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await this.options.leases.release(DISPATCH_LEASE, this.options.owner).catch(() => undefined);
  }

  /** Sends what is due while this process holds the lease. */
  async runOnce(): Promise<DispatchStats> {
    const stats: DispatchStats = { sent: 0, not_allowed: 0, skipped: 0, failed: 0, retry: 0 };
    if (!(await this.renewLease())) return stats;
    for (const broadcast of await this.options.store.active()) {
      if (!(await this.dispatch(broadcast, stats))) break;
    }
    return stats;
  }

  private renewLease(): Promise<boolean> {
    return this.options.leases.acquire(DISPATCH_LEASE, this.options.owner, this.options.leaseMs ?? 60_000, this.clock());
  }

  /** Plans and sends one broadcast's batches; false when the lease was lost or the loop is stopping. */
  private async dispatch(broadcast: Broadcast, stats: DispatchStats): Promise<boolean> {
    const { store } = this.options;
    for (;;) {
      if (this.loop.stopping) return false;
      const open = await store.openBatches(broadcast.id, 4);
      let retrying = 0;
      for (const batch of open) {
        const left = await this.sendBatch(broadcast, batch, stats);
        if (left === undefined) return false;
        retrying += left;
      }
      if (retrying > 0) return true; // temporary failures: a later round tries again
      if (open.length > 0) continue;
      const last = await store.lastBatch(broadcast.id);
      if (last?.last) {
        await store.finish(broadcast.id, this.clock());
        this.options.logger.info({ broadcast: broadcast.id }, 'broadcast finished');
        return true;
      }
      await this.planNextBatch(broadcast, last);
    }
  }

  private async planNextBatch(broadcast: Broadcast, previous: RecipientBatch | undefined): Promise<void> {
    const page = await this.options.store.recipientsPage(broadcast.audience, previous?.next, this.options.batchSize ?? 200);
    const seq = (previous?.seq ?? -1) + 1;
    await this.options.store.addBatch({
      id: `${broadcast.id}#${String(seq).padStart(6, '0')}`,
      broadcastId: broadcast.id,
      seq,
      recipients: page.recipients,
      ...(page.next ? { next: page.next } : {}),
      last: !page.next,
      done: false,
    });
  }

  /**
   * Sends to a batch's recipients without a receipt; returns how many must be retried,
   * undefined if the lease was lost. The first attempts of a chunk are claimed in one
   * insert: a person whose first attempt was already taken (a crash, a retry, a batch
   * replayed) is looked up — a receipt means done — and otherwise claimed one by one.
   */
  private async sendBatch(broadcast: Broadcast, batch: RecipientBatch, stats: DispatchStats): Promise<number | undefined> {
    const { store, owner } = this.options;
    const unique = [...new Map(batch.recipients.map((r) => [r.id, r])).values()];
    const chunkSize = this.options.chunkSize ?? 50;
    let retrying = 0;
    for (let i = 0; i < unique.length; i += chunkSize) {
      if (this.loop.stopping || !(await this.renewLease())) return undefined;
      const chunk = unique.slice(i, i + chunkSize);
      const pushable = chunk.filter((r) => this.canPush(r));
      const fresh = await store.claimFirstAttempts(
        pushable.map((r) => receiptKey(broadcast.id, r.id)),
        owner,
      );
      const outcomes = await Promise.all(
        chunk.map(async (r) => {
          if (!this.canPush(r)) return this.receipt(broadcast, r, 'skipped', 0, `no push on channel ${r.channel}`);
          const key = receiptKey(broadcast.id, r.id);
          if (fresh.has(key)) return this.deliver(broadcast, r, 1);
          if (await store.receipt(key)) return null; // done before
          const attempt = await this.claimNextAttempt(key);
          if (attempt === undefined) return this.receipt(broadcast, r, 'failed', this.maxAttempts(), 'attempts exhausted');
          return this.deliver(broadcast, r, attempt);
        }),
      );
      const receipts = outcomes.filter((o): o is Receipt => o !== undefined && o !== null);
      await store.addReceipts(receipts);
      for (const receipt of receipts) {
        stats[receipt.outcome]++;
        this.options.onOutcome?.(receipt.channel, receipt.outcome);
      }
      retrying += outcomes.filter((o) => o === undefined).length;
    }
    stats.retry += retrying;
    if (retrying === 0) await store.markBatchDone(batch.id);
    return retrying;
  }

  /** The web page cannot be pushed to: web subscribers read news by asking ("có tin gì mới?"). */
  private canPush(r: Recipient): boolean {
    return this.senders.has(r.channel) && r.channel !== 'web' && r.channel !== 'console';
  }

  private receipt(broadcast: Broadcast, r: Recipient, outcome: ReceiptOutcome, attempts: number, reason?: string): Receipt {
    return {
      key: receiptKey(broadcast.id, r.id),
      broadcastId: broadcast.id,
      recipientId: r.id,
      channel: r.channel,
      outcome,
      attempts,
      at: this.clock(),
      ...(r.agencyId ? { agencyId: r.agencyId } : {}),
      ...(reason ? { reason } : {}),
    };
  }

  /** One attempt (already claimed) to one recipient; undefined: a temporary failure, try again later. */
  private async deliver(broadcast: Broadcast, r: Recipient, attempt: number): Promise<Receipt | undefined> {
    try {
      const sender = this.senders.get(r.channel);
      if (!sender) return this.receipt(broadcast, r, 'skipped', attempt, `no sender for ${r.channel}`);
      if (r.channel === 'zalo' && !(await this.insideZaloWindow(r.userId)))
        return this.receipt(broadcast, r, 'not_allowed', attempt, 'outside Zalo messaging window');
      await this.options.pacer.acquire(r);
      const messages = await this.options.render(broadcast, r);
      const result = sender.sendReply ? await sender.sendReply(r.userId, messages, r.locale) : await sender.send(r.userId, messages);
      if (result.ok) return this.receipt(broadcast, r, 'sent', attempt);
      const reason = safeErrorText(result.error).slice(0, 120);
      // Zalo said the window is closed: recorded, never retried (repeated refusals risk the OA).
      if (result.kind === 'outside_window') return this.receipt(broadcast, r, 'not_allowed', attempt, reason);
      if (result.kind === 'permanent' || attempt >= this.maxAttempts()) return this.receipt(broadcast, r, 'failed', attempt, reason);
      return undefined;
    } catch (err) {
      this.options.logger.warn({ broadcast: broadcast.id, channel: r.channel, err: errorText(err).slice(0, 120) }, 'broadcast send failed');
      return attempt >= this.maxAttempts() ? this.receipt(broadcast, r, 'failed', attempt, 'error') : undefined;
    }
  }

  private maxAttempts(): number {
    return this.options.maxAttempts ?? 5;
  }

  private async claimNextAttempt(key: string): Promise<number | undefined> {
    for (let attempt = 2; attempt <= this.maxAttempts(); attempt++) {
      if (await this.options.store.claimAttempt(key, attempt, this.options.owner)) return attempt;
    }
    return undefined;
  }

  private async insideZaloWindow(userId: string): Promise<boolean> {
    const last = await this.options.lastInteraction('zalo', userId);
    const windowMs = this.options.zaloWindowMs ?? 7 * DAY_MS;
    return last !== undefined && this.clock().getTime() - last.getTime() < windowMs;
  }
}

/** The idempotency key of one broadcast to one person. */
export function receiptKey(broadcastId: string, recipientId: string): string {
  return `${broadcastId}|${recipientId}`;
}
