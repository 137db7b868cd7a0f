/**
 * Sends broadcasts (news items, survey invitations) to their audience: each recipient
 * at most once, within the platforms' limits, resumable after a crash.
 *
 * Why not the generic outbox worker with one document per (message, person): on FerretDB
 * v1 an update or a delete by `_id` reads the whole collection (measured: 61 ms per
 * update at 10,000 documents, 1.9 ms per insert, 1.4 ms per read by `_id`), and the
 * worker updates each item three times. So this outbox is written with inserts only:
 *
 * - **batches**: the audience is read page by page (by `_id`) and each page is stored as
 *   batch `<broadcast>#<seq>`; the next page starts after the cursor the previous batch
 *   stored, so a crash while planning replays the same page into the same batch id;
 * - **attempts**: just before a send (after the pacer let it go), attempt n of key
 *   `<broadcast>|<person>` is claimed by a unique insert; a temporary failure is recorded
 *   as its own insert (`attemptFailed`), which is what allows attempt n+1;
 * - **receipts**: the outcome is a unique insert keyed `<broadcast>|<person>`, written
 *   right after the send — sent, not_allowed (outside Zalo's window), skipped (no push
 *   on the web), failed, or uncertain.
 *
 * No duplicate, ever: a SIGKILL between a send and its receipt leaves an attempt with
 * neither a receipt nor a recorded failure. Telegram and Zalo take no idempotency key, so
 * whether that message left cannot be known; the next holder records the person
 * `uncertain` (counted in the reach) instead of sending again. Only the sends in flight
 * at the kill can end so (test/campaign/broadcast-crash.test.ts).
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
  /** Recipients between two lease renewals; default 50. */
  readonly chunkSize?: number;
  /**
   * Sends under way at once; default 8. It bounds what a crash can leave `uncertain`, and
   * more is slower on FerretDB, whose concurrent inserts queue on SQLite's lock (measured:
   * 3.7 ms per insert one after another, 9 ms each with 300 at once).
   */
  readonly concurrency?: number;
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
const UNCERTAIN_REASON = 'a send was interrupted (crash): not re-sent, it may or may not have arrived';
const DAY_MS = 24 * 3600 * 1000;

/** What one round did. */
export interface DispatchStats {
  sent: number;
  not_allowed: number;
  skipped: number;
  failed: number;
  uncertain: number;
  /** Temporary failures left for a later round. */
  retry: number;
}

export class BroadcastDispatcher {
  private readonly loop: PollingLoop;
  private readonly senders: ReadonlyMap<ChannelName, CampaignSender>;
  private readonly clock: () => Date;
  /** Batches this process planned and has not gone through yet: their recipients cannot have receipts. */
  private readonly fresh = new Set<string>();

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
    const stats: DispatchStats = { sent: 0, not_allowed: 0, skipped: 0, failed: 0, uncertain: 0, retry: 0 };
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
    const id = `${broadcast.id}#${String(seq).padStart(6, '0')}`;
    this.fresh.add(id);
    await this.options.store.addBatch({
      id,
      broadcastId: broadcast.id,
      seq,
      recipients: page.recipients,
      ...(page.next ? { next: page.next } : {}),
      last: !page.next,
      done: false,
    });
  }

  /**
   * Sends to a batch's recipients, a chunk at a time (the pacer spaces the sends); returns
   * how many must be retried, undefined if the lease was lost.
   */
  private async sendBatch(broadcast: Broadcast, batch: RecipientBatch, stats: DispatchStats): Promise<number | undefined> {
    const unique = [...new Map(batch.recipients.map((r) => [r.id, r])).values()];
    const chunkSize = this.options.chunkSize ?? 50;
    // A batch met again (a restart, a retry round) is checked for receipts first: its claims may be pruned (after 7 days).
    const resumed = !this.fresh.delete(batch.id);
    let retrying = 0;
    for (let i = 0; i < unique.length; i += chunkSize) {
      if (this.loop.stopping || !(await this.renewLease())) return undefined;
      const outcomes = await inPool(unique.slice(i, i + chunkSize), this.options.concurrency ?? 8, (r) =>
        this.sendOne(broadcast, r, resumed),
      );
      for (const receipt of outcomes) {
        if (!receipt) continue;
        stats[receipt.outcome]++;
        this.options.onOutcome?.(receipt.channel, receipt.outcome);
      }
      retrying += outcomes.filter((o) => o === undefined).length;
    }
    stats.retry += retrying;
    if (retrying === 0) await this.options.store.markBatchDone(batch.id);
    return retrying;
  }

  /**
   * One recipient: its receipt once written, null if it had one before, undefined for a
   * temporary failure (a later round tries again).
   */
  private async sendOne(broadcast: Broadcast, r: Recipient, resumed: boolean): Promise<Receipt | null | undefined> {
    const key = receiptKey(broadcast.id, r.id);
    try {
      if (resumed && (await this.options.store.receipt(key))) return null;
      if (!this.canPush(r)) return await this.record(this.receipt(broadcast, r, 'skipped', 0, `no push on channel ${r.channel}`));
      if (r.channel === 'zalo' && !(await this.insideZaloWindow(r.userId)))
        return await this.record(this.receipt(broadcast, r, 'not_allowed', 0, 'outside Zalo messaging window'));
      const messages = await this.options.render(broadcast, r);
      await this.options.pacer.acquire(r);
      const claim = await this.claimNextAttempt(key);
      if (claim === 'done') return null;
      if (claim === 'uncertain') return await this.record(this.receipt(broadcast, r, 'uncertain', 0, UNCERTAIN_REASON));
      if (claim === 'exhausted') return await this.record(this.receipt(broadcast, r, 'failed', this.maxAttempts(), 'attempts exhausted'));
      return await this.deliver(broadcast, r, claim, messages);
    } catch (err) {
      // A database error: a later round looks again (an attempt already taken turns `uncertain`, never re-sent).
      this.options.logger.warn({ broadcast: broadcast.id, channel: r.channel, err: errorText(err).slice(0, 120) }, 'broadcast step failed');
      return undefined;
    }
  }

  private async record(receipt: Receipt): Promise<Receipt> {
    await this.options.store.addReceipts([receipt]);
    return receipt;
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

  /** One attempt (already claimed) to one recipient; undefined: a temporary failure, recorded, try again later. */
  private async deliver(
    broadcast: Broadcast,
    r: Recipient,
    attempt: number,
    messages: readonly OutgoingMessage[],
  ): Promise<Receipt | undefined> {
    let result: ChannelSendResult;
    try {
      const sender = this.senders.get(r.channel);
      if (!sender) return await this.record(this.receipt(broadcast, r, 'skipped', attempt, `no sender for ${r.channel}`));
      result = sender.sendReply ? await sender.sendReply(r.userId, messages, r.locale) : await sender.send(r.userId, messages);
    } catch (err) {
      // The sender did not say whether the message left: not sent again.
      this.options.logger.warn({ broadcast: broadcast.id, channel: r.channel, err: errorText(err).slice(0, 120) }, 'broadcast send failed');
      return this.record(this.receipt(broadcast, r, 'uncertain', attempt, 'the sender failed without an answer'));
    }
    if (result.ok) return this.record(this.receipt(broadcast, r, 'sent', attempt));
    const reason = safeErrorText(result.error).slice(0, 120);
    // Zalo said the window is closed: recorded, never retried (repeated refusals risk the OA).
    if (result.kind === 'outside_window') return this.record(this.receipt(broadcast, r, 'not_allowed', attempt, reason));
    if (result.kind === 'permanent' || attempt >= this.maxAttempts())
      return this.record(this.receipt(broadcast, r, 'failed', attempt, reason));
    // The channel answered "not sent": recorded, so the next attempt is not taken for a crash.
    await this.options.store.markAttemptFailed(receiptKey(broadcast.id, r.id), attempt, this.options.owner);
    return undefined;
  }

  private maxAttempts(): number {
    return this.options.maxAttempts ?? 5;
  }

  /**
   * Takes the next attempt of `key`: attempt 1 if never tried; attempt n+1 if attempt n
   * ended in a recorded temporary failure; `uncertain` if attempt n was taken and never
   * ended (its process died mid-send); `done` if a receipt exists.
   */
  private async claimNextAttempt(key: string): Promise<number | 'done' | 'uncertain' | 'exhausted'> {
    const { store, owner } = this.options;
    for (let attempt = 1; attempt <= this.maxAttempts(); attempt++) {
      if (await store.claimAttempt(key, attempt, owner)) return attempt;
      if (attempt === 1 && (await store.receipt(key))) return 'done';
      if (!(await store.attemptFailed(key, attempt))) return 'uncertain';
    }
    return 'exhausted';
  }

  private async insideZaloWindow(userId: string): Promise<boolean> {
    const last = await this.options.lastInteraction('zalo', userId);
    const windowMs = this.options.zaloWindowMs ?? 7 * DAY_MS;
    return last !== undefined && this.clock().getTime() - last.getTime() < windowMs;
  }
}

/** Maps `items` with at most `size` calls under way; results in the items' order. */
async function inPool<T, R>(items: readonly T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(size, items.length)) }, worker));
  return results;
}

/** The idempotency key of one broadcast to one person. */
export function receiptKey(broadcastId: string, recipientId: string): string {
  return `${broadcastId}|${recipientId}`;
}
