/**
 * Sends broadcasts (news items, survey invitations) to their audience: each recipient
 * at most once, within the platforms' limits, resumable after a crash.
 *
 * Why not the generic outbox worker with one document per (message, person): on FerretDB
 * v1 an update or a delete by `_id` reads the whole collection (measured: 61 ms per
 * update at 10,000 documents, 1.9 ms per insert, 1.4 ms per read by `_id`), and the
 * worker updates each item three times. And every command costs milliseconds whatever it
 * carries (measured: 50 claims in one unordered insert 6 ms, one at a time 100 ms), so
 * this outbox is written with inserts only, many documents per command:
 *
 * - **batches**: the audience is read 25 pages at a time (one query, in `_id` order) and
 *   each page is stored as batch `<broadcast>#<seq>`, all in one ordered insert; each
 *   batch stores the cursor after it, so a crash while planning leaves a prefix and the
 *   next planner starts after the last batch stored;
 * - **attempts**: a batch is sent a chunk at a time; attempt 1 of every key
 *   `<broadcast>|<person>` of the chunk is claimed in one unordered insert of unique ids
 *   before the chunk's sends (FerretDB's conditional updates are not atomic: a unique
 *   insert is the only claim it makes exactly once); a key already claimed (a restart, a
 *   retry round) is looked at on its own;
 * - **receipts**: each outcome — sent, not_allowed (outside Zalo's window), skipped (no
 *   push on the web), failed, or uncertain — is written within 100 ms of being known,
 *   grouped with the others known meanwhile (`GroupCommit`: one insert carries them all;
 *   the chunk's last ones are written at its end), so a survey invitation's receipt
 *   exists by the time the citizen presses its button;
 * - **temporary failures** of a chunk are recorded in one insert at its end
 *   (`markAttemptsFailed`), which is what allows attempt n+1 in a later round.
 *
 * No duplicate, ever: a SIGKILL between a claim and its receipt leaves an attempt with
 * neither a receipt nor a recorded failure. Telegram and Zalo take no idempotency key, so
 * whether that message left cannot be known; the next holder records the person
 * `uncertain` (counted in the reach) instead of sending again. Only the chunk in progress
 * at the kill can end so, at most `chunkSize` people (test/campaign/broadcast-crash.test.ts).
 *
 * One process sends at a time (a lease): the platform limits are per bot, not per
 * process, so two senders would double the rate. The lease is checked before each chunk
 * and renewed once a quarter of its length has passed.
 */
import type { ChannelName, Locale, OutgoingMessage } from '../core/messages';
import type { Logger } from '../infra/logger';
import type { ChannelSender, ChannelSendResult } from '../notifications/channel-sender';
import { forEachLimit } from '../jobs/polling-loop';
import { ScheduledJob } from '../jobs/scheduled-job';
import type { Pacer } from '../outbox/pacing';
import { errorText, safeErrorText } from '../outbox/safe-error';
import { GroupCommit } from './group-commit';
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
  /** Batches planned per read of the audience; default 25 (on FerretDB each read scans the subscribers once). */
  readonly batchesPerPlan?: number;
  /**
   * Recipients per chunk, default 50: claimed in one insert, the lease checked before each.
   * It bounds what a crash can leave `uncertain`.
   */
  readonly chunkSize?: number;
  /**
   * Sends under way at once; default 8. More is slower on FerretDB when sends touch the
   * database (Zalo's menus), whose concurrent commands queue on SQLite's lock (measured:
   * 200 reads by `_id` 16 at a time took 4× longer than one after another).
   */
  readonly concurrency?: number;
  /** Attempts per recipient (temporary failures) before `failed`; default 5. */
  readonly maxAttempts?: number;
  /** Lease length; renewed before a chunk once a quarter of it has passed. Default 60 s. */
  readonly leaseMs?: number;
  /**
   * How long attempt claims are kept (the retention job prunes them after 7 days); a batch
   * met again later reads each recipient's receipt before claiming. Default 6 days.
   */
  readonly claimsKeptMs?: number;
  readonly pollIntervalMs?: number;
  readonly clock?: () => Date;
  /** After each final outcome (metrics). */
  readonly onOutcome?: (channel: ChannelName, outcome: ReceiptOutcome) => void;
}

export const DISPATCH_LEASE = 'broadcast-dispatch';
const UNCERTAIN_REASON = 'a send was interrupted (crash): not re-sent, it may or may not have arrived';
const DAY_MS = 24 * 3600 * 1000;
/** Database reads (Zalo windows, receipts of old batches) under way at once. */
const READS_AT_ONCE = 4;

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

/** What a chunk's sends left: receipts being written, and attempts that ended without sending. */
interface ChunkOutcomes {
  /** Each resolves to its receipt once written, undefined if the write failed. */
  readonly receipts: Promise<Receipt | undefined>[];
  readonly failedAttempts: { readonly key: string; readonly attempt: number }[];
  /** Recipients a database error left for a later round (nothing recorded for them). */
  untouched: number;
}

type Claim = number | 'done' | 'uncertain' | 'exhausted';

export class BroadcastDispatcher {
  private readonly job: ScheduledJob;
  private readonly senders: ReadonlyMap<ChannelName, CampaignSender>;
  private readonly clock: () => Date;
  private readonly receipts: GroupCommit<Receipt>;
  private stopping = false;
  /** When this process last renewed the dispatch lease (0: not in this round). */
  private leaseRenewedAt = 0;

  constructor(private readonly options: DispatcherOptions) {
    // Receipts wait at most 100 ms for others to share their insert (a chunk's last ones are flushed at its end).
    this.receipts = new GroupCommit((receipts) => options.store.addReceipts(receipts), { lingerMs: 100, maxItems: 200 });
    this.senders = new Map(options.senders.map((s) => [s.channel, s]));
    this.clock = options.clock ?? (() => new Date());
    // A scheduled job under the dispatch lease: one process sends at a time, a round every poll interval or when poked.
    this.job = new ScheduledJob({
      name: DISPATCH_LEASE,
      intervalMs: options.pollIntervalMs ?? 5_000,
      run: () => this.sendDue(),
      logger: options.logger,
      lease: { leases: options.leases, owner: options.owner, ttlMs: this.leaseMs() },
      clock: this.clock,
    });
  }

  start(): void {
    this.job.start();
  }

  /** A broadcast was just published: start at once. */
  poke(): void {
    this.job.poke();
  }

  /** Stops between two chunks, waits for the chunk in progress to be recorded, gives the lease up. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.job.stop();
  }

  /** One round, the lease held: sends what is due. */
  private async sendDue(): Promise<DispatchStats> {
    const stats: DispatchStats = { sent: 0, not_allowed: 0, skipped: 0, failed: 0, uncertain: 0, retry: 0 };
    this.leaseRenewedAt = 0;
    for (const broadcast of await this.options.store.active()) {
      if (!(await this.dispatch(broadcast, stats))) break;
    }
    if (Object.values(stats).some((n) => n > 0)) this.options.logger.info({ ...stats }, 'broadcast round');
    return stats;
  }

  private leaseMs(): number {
    return this.options.leaseMs ?? 60_000;
  }

  /**
   * Keeps the lease before a chunk: renewed once a quarter of its length has passed (two
   * commands saved on most chunks); false when another process holds it now.
   */
  private async renewLease(): Promise<boolean> {
    const now = this.clock();
    if (now.getTime() - this.leaseRenewedAt < this.leaseMs() / 4) return true;
    if (!(await this.options.leases.acquire(DISPATCH_LEASE, this.options.owner, this.leaseMs(), now))) return false;
    this.leaseRenewedAt = now.getTime();
    return true;
  }

  /** Plans and sends one broadcast's batches; false when the lease was lost or the dispatcher is stopping. */
  private async dispatch(broadcast: Broadcast, stats: DispatchStats): Promise<boolean> {
    const { store } = this.options;
    for (;;) {
      if (this.stopping) return false;
      // Batches left open by an earlier round or process first; new ones are planned only when none is left.
      let batches = await store.openBatches(broadcast.id, 4);
      if (batches.length === 0) {
        const last = await store.lastBatch(broadcast.id);
        if (last?.last) {
          await store.finish(broadcast.id, this.clock());
          this.options.logger.info({ broadcast: broadcast.id }, 'broadcast finished');
          return true;
        }
        batches = await this.planBatches(broadcast, last);
        if (batches.length === 0) continue; // another planner stored them first: read what is stored
      }
      let retrying = 0;
      for (const batch of batches) {
        const left = await this.sendBatch(broadcast, batch, stats);
        if (left === undefined) return false;
        retrying += left;
      }
      if (retrying > 0) return true; // temporary failures: a later round tries again
    }
  }

  /**
   * Reads the next pages of the audience (one query), stores them as batches (one insert)
   * and returns them; none when a batch id was taken already (only sent as stored).
   */
  private async planBatches(broadcast: Broadcast, previous: RecipientBatch | undefined): Promise<RecipientBatch[]> {
    const pages = await this.options.store.recipientPages(
      broadcast.audience,
      previous?.next,
      this.options.batchSize ?? 200,
      this.options.batchesPerPlan ?? 25,
    );
    const first = (previous?.seq ?? -1) + 1;
    const batches = pages.map((page, i): RecipientBatch => {
      const seq = first + i;
      return {
        id: `${broadcast.id}#${String(seq).padStart(6, '0')}`,
        broadcastId: broadcast.id,
        seq,
        recipients: page.recipients,
        ...(page.next ? { next: page.next } : {}),
        last: !page.next,
        done: false,
      };
    });
    return (await this.options.store.addBatches(batches)) ? batches : [];
  }

  /** Sends to a batch's recipients a chunk at a time; returns how many must be retried, undefined if the lease was lost. */
  private async sendBatch(broadcast: Broadcast, batch: RecipientBatch, stats: DispatchStats): Promise<number | undefined> {
    const unique = [...new Map(batch.recipients.map((r) => [r.id, r])).values()];
    const chunkSize = this.options.chunkSize ?? 50;
    // Claims are pruned after 7 days: a batch of an older broadcast cannot trust a free claim to mean "never sent".
    const checkReceipts = this.clock().getTime() - broadcast.createdAt.getTime() > (this.options.claimsKeptMs ?? 6 * DAY_MS);
    let retrying = 0;
    for (let i = 0; i < unique.length; i += chunkSize) {
      if (this.stopping || !(await this.renewLease())) return undefined;
      const outcomes = await this.sendChunk(broadcast, unique.slice(i, i + chunkSize), checkReceipts);
      this.receipts.flush();
      const written = await Promise.all(outcomes.receipts);
      for (const receipt of written) {
        if (!receipt) continue;
        stats[receipt.outcome]++;
        this.options.onOutcome?.(receipt.channel, receipt.outcome);
      }
      // A receipt not written, or a failure not recorded, is looked at again by a later round (then `uncertain`, never re-sent).
      const unwritten = written.filter((r) => r === undefined).length;
      if (unwritten > 0) this.warn(broadcast, undefined, undefined, `${unwritten} broadcast receipts not written`);
      retrying += unwritten + outcomes.untouched + outcomes.failedAttempts.length;
      await this.recordFailures(broadcast, outcomes.failedAttempts);
    }
    stats.retry += retrying;
    if (retrying === 0) await this.options.store.markBatchDone(batch.id);
    return retrying;
  }

  /** Records a chunk's temporary failures in one insert; if that fails, a later round finds them `uncertain`. */
  private async recordFailures(broadcast: Broadcast, failed: ChunkOutcomes['failedAttempts']): Promise<void> {
    if (failed.length === 0) return;
    await this.options.store.markAttemptsFailed(failed, this.options.owner).catch((err: unknown) => {
      this.warn(broadcast, undefined, err, 'broadcast failures not recorded');
    });
  }

  /** One chunk: claim everyone's attempt at once, then decide and send each; each receipt is written as soon as it is known. */
  private async sendChunk(broadcast: Broadcast, recipients: readonly Recipient[], checkReceipts: boolean): Promise<ChunkOutcomes> {
    const outcomes: ChunkOutcomes = { receipts: [], failedAttempts: [], untouched: 0 };
    const claims = await this.claimChunk(broadcast, recipients, checkReceipts).catch((err: unknown) => {
      this.warn(broadcast, undefined, err, 'broadcast claims failed');
      return undefined;
    });
    if (!claims) return { ...outcomes, untouched: recipients.length };
    await forEachLimit(claims, this.options.concurrency ?? 8, async ({ recipient: r, claim }) => {
      if (claim === 'done') return;
      const write = (receipt: Receipt) =>
        outcomes.receipts.push(
          this.receipts.add(receipt).then(
            () => receipt,
            () => undefined,
          ),
        );
      if (claim === 'uncertain') return void write(this.receipt(broadcast, r, 'uncertain', 0, UNCERTAIN_REASON));
      if (claim === 'exhausted') return void write(this.receipt(broadcast, r, 'failed', this.maxAttempts(), 'attempts exhausted'));
      try {
        const result = await this.sendOne(broadcast, r, claim);
        if ('outcome' in result) write(result);
        else outcomes.failedAttempts.push(result);
      } catch (err) {
        // A database or rendering error before the send: nothing left; the attempt is recorded failed, a later round tries again.
        this.warn(broadcast, r.channel, err, 'broadcast step failed');
        outcomes.failedAttempts.push({ key: receiptKey(broadcast.id, r.id), attempt: claim });
      }
    });
    return outcomes;
  }

  /**
   * Attempt 1 of every recipient in one insert; a recipient whose attempt 1 was taken
   * before (a restart, a retry round) is looked at on its own (`nextAttempt`).
   */
  private async claimChunk(
    broadcast: Broadcast,
    recipients: readonly Recipient[],
    checkReceipts: boolean,
  ): Promise<{ recipient: Recipient; claim: Claim }[]> {
    const { store, owner } = this.options;
    let pending = recipients;
    if (checkReceipts) {
      const receipted = new Set<string>();
      await forEachLimit(recipients, READS_AT_ONCE, async (r) => {
        if (await store.receipt(receiptKey(broadcast.id, r.id))) receipted.add(r.id);
      });
      pending = recipients.filter((r) => !receipted.has(r.id));
    }
    const keys = pending.map((r) => receiptKey(broadcast.id, r.id));
    const taken = await store.claimAttempts(keys, 1, owner);
    const claims: { recipient: Recipient; claim: Claim }[] = [];
    for (const [i, recipient] of pending.entries()) {
      claims.push({ recipient, claim: taken.has(keys[i]) ? 1 : await this.nextAttempt(keys[i]) });
    }
    return claims;
  }

  /**
   * The next attempt of a key whose attempt 1 was taken before: `done` if it has a receipt;
   * attempt n+1 if attempt n ended in a recorded temporary failure; `uncertain` if attempt
   * n was taken and never ended (its process died mid-send).
   */
  private async nextAttempt(key: string): Promise<Claim> {
    const { store, owner } = this.options;
    if (await store.receipt(key)) return 'done';
    for (let attempt = 1; ; attempt++) {
      if (!(await store.attemptFailed(key, attempt))) return 'uncertain';
      if (attempt >= this.maxAttempts()) return 'exhausted';
      if ((await store.claimAttempts([key], attempt + 1, owner)).size > 0) return attempt + 1;
    }
  }

  /** One recipient whose attempt is claimed: its receipt, or the attempt to record as failed (try again later). */
  private async sendOne(
    broadcast: Broadcast,
    r: Recipient,
    attempt: number,
  ): Promise<Receipt | { readonly key: string; readonly attempt: number }> {
    if (!this.canPush(r)) return this.receipt(broadcast, r, 'skipped', 0, `no push on channel ${r.channel}`);
    if (r.channel === 'zalo' && !(await this.insideZaloWindow(r.userId)))
      return this.receipt(broadcast, r, 'not_allowed', 0, 'outside Zalo messaging window');
    const messages = await this.options.render(broadcast, r);
    await this.options.pacer.acquire(r);
    return this.deliver(broadcast, r, attempt, messages);
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

  /** One attempt (already claimed) to one recipient: its receipt, or the attempt to record as a temporary failure. */
  private async deliver(
    broadcast: Broadcast,
    r: Recipient,
    attempt: number,
    messages: readonly OutgoingMessage[],
  ): Promise<Receipt | { readonly key: string; readonly attempt: number }> {
    let result: ChannelSendResult;
    try {
      const sender = this.senders.get(r.channel);
      if (!sender) return this.receipt(broadcast, r, 'skipped', attempt, `no sender for ${r.channel}`);
      result = sender.sendReply ? await sender.sendReply(r.userId, messages, r.locale) : await sender.send(r.userId, messages);
    } catch (err) {
      // The sender did not say whether the message left: not sent again.
      this.warn(broadcast, r.channel, err, 'broadcast send failed');
      return this.receipt(broadcast, r, 'uncertain', attempt, 'the sender failed without an answer');
    }
    if (result.ok) return this.receipt(broadcast, r, 'sent', attempt);
    const reason = safeErrorText(result.error).slice(0, 120);
    // Zalo said the window is closed: recorded, never retried (repeated refusals risk the OA).
    if (result.kind === 'outside_window') return this.receipt(broadcast, r, 'not_allowed', attempt, reason);
    if (result.kind === 'permanent' || attempt >= this.maxAttempts()) return this.receipt(broadcast, r, 'failed', attempt, reason);
    // The channel answered "not sent": recorded, so the next attempt is not taken for a crash.
    return { key: receiptKey(broadcast.id, r.id), attempt };
  }

  private warn(broadcast: Broadcast, channel: ChannelName | undefined, err: unknown, message: string): void {
    const error = err === undefined ? {} : { err: errorText(err).slice(0, 120) };
    this.options.logger.warn({ broadcast: broadcast.id, ...(channel ? { channel } : {}), ...error }, message);
  }

  private maxAttempts(): number {
    return this.options.maxAttempts ?? 5;
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
