/**
 * The durable inbox: an update answered 200 is never lost to a crash.
 *
 * How: a webhook's 200 goes out once its ticket is recorded (citizen-sequencer.ts), and a
 * ticket of a message with an id carries the update itself (`payload`) until the turn is
 * over (`done`, which drops it). A ticket still carrying its payload whose holder is gone
 * is handed back to the pipeline here: the channel builds its task again from the stored
 * update and it goes through the citizen's line once more (without a new duplicate record
 * or limit: it was admitted once), then the old ticket is marked done.
 *
 * "Gone": the holder is a process of this machine that no longer exists (checked at once,
 * so a restart after a crash handles the update immediately), or the ticket is older than
 * the lease (a process elsewhere; the citizen's later messages stopped waiting for it at
 * the same moment). One process in all takes each ticket back (a unique claim insert).
 * Found by a scan of the slots (FerretDB has no index but `_id`): at start, then every
 * `intervalMs` (default 2 minutes) — a handful of documents a sweep, whatever the traffic.
 * A recovered message comes after the citizen's messages that arrived meanwhile.
 */
import { hostname } from 'node:os';
import type { Logger } from '../../infra/logger';
import { silentLogger } from '../../infra/logger';
import type { InboundPipeline } from './inbound-pipeline';
import type { SlotDoc, SlotStore } from './slot-store';

export interface DurableInboxOptions {
  readonly store: Pick<SlotStore, 'pending' | 'insert' | 'markDone'>;
  readonly pipeline: Pick<InboundPipeline, 'submit' | 'recoverTask'>;
  /** This process's id (`host:pid:random`): its own tickets are never taken back. */
  readonly owner: string;
  /** A ticket this old is taken back whoever holds it; the sequencer's lease, default 60 s. */
  readonly leaseMs?: number;
  /** Between two sweeps; default 2 minutes. */
  readonly intervalMs?: number;
  readonly logger?: Logger;
  readonly clock?: () => number;
}

const BATCH = 200;

export class DurableInbox {
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<number>;
  private readonly logger: Logger;
  private readonly clock: () => number;
  private readonly leaseMs: number;

  constructor(private readonly options: DurableInboxOptions) {
    this.logger = options.logger ?? silentLogger();
    this.clock = options.clock ?? Date.now;
    this.leaseMs = options.leaseMs ?? 60_000;
  }

  /** Sweeps now, then every interval. */
  start(): void {
    if (this.timer) return;
    void this.sweep();
    this.timer = setInterval(() => void this.sweep(), this.options.intervalMs ?? 120_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping;
  }

  /** Hands every ticket of a gone holder back to the pipeline; resolves with how many (one sweep at a time). */
  sweep(): Promise<number> {
    this.sweeping ??= this.recoverAll()
      .catch((error: unknown) => {
        this.logger.warn({ err: error instanceof Error ? error.name : 'unknown' }, 'durable inbox: sweep failed');
        return 0;
      })
      .finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private async recoverAll(): Promise<number> {
    const now = this.clock();
    const tickets = await this.options.store.pending(new Date(now), BATCH);
    let recovered = 0;
    for (const ticket of tickets) {
      if (!this.holderGone(ticket, now) || !ticket.payload) continue;
      // One process in all takes a ticket back, even when several sweep at once.
      if (!(await this.options.store.insert({ _id: `${ticket._id}~recovered`, expiresAt: ticket.expiresAt }))) continue;
      const task = this.options.pipeline.recoverTask(ticket.payload);
      if (task) {
        const submission = this.options.pipeline.submit(task, { recovered: true });
        // The new ticket carries the update from here on: only then is the old one let go.
        await submission.recorded;
        recovered += 1;
      } else {
        this.logger.warn({ channel: ticket.payload.channel }, 'durable inbox: a stored update no channel can handle was dropped');
      }
      await this.options.store.markDone(ticket._id);
    }
    if (recovered > 0) this.logger.info({ recovered }, 'durable inbox: updates of a stopped process handled again');
    return recovered;
  }

  private holderGone(ticket: SlotDoc, now: number): boolean {
    if (ticket.owner === this.options.owner) return false;
    if (ticket.at && ticket.at.getTime() + this.leaseMs < now) return true;
    return ticket.owner !== undefined && deadLocalProcess(ticket.owner);
  }
}

/** True when `owner` (`host:pid:random`) names a process of this machine that no longer runs. */
export function deadLocalProcess(owner: string): boolean {
  const [host, pidText] = owner.split(':');
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
