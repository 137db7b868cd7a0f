/**
 * A piece of background work run every so often — re-planning complaints a crash left
 * unplanned, pruning old claims, scanning deadlines — optionally under a lease, so that
 * with several processes on one database only one runs it at a time. Errors are logged,
 * never fatal: the next round tries again.
 */
import type { Logger } from '../infra/logger';
import { PollingLoop } from './polling-loop';

/** Named, time-limited leases (src/storage/mongo/claims.ts implements them with unique claims). */
interface LeasePort {
  acquire(name: string, owner: string, ttlMs: number, now?: Date): Promise<boolean>;
  release(name: string, owner: string): Promise<void>;
}

export interface ScheduledJobOptions {
  readonly name: string;
  readonly intervalMs: number;
  readonly run: () => Promise<unknown>;
  readonly logger: Logger;
  /** Run only while holding the lease named after the job (renewed at each round; length 3 × interval). */
  readonly lease?: { readonly leases: LeasePort; readonly owner: string; readonly ttlMs?: number };
  readonly clock?: () => Date;
}

export type JobRound = { readonly ran: true; readonly result: unknown } | { readonly ran: false };

export class ScheduledJob {
  private readonly loop: PollingLoop;

  constructor(private readonly options: ScheduledJobOptions) {
    this.loop = new PollingLoop(
      options.name,
      async () => {
        await this.runOnce();
        return false;
      },
      options.intervalMs,
      options.logger,
    );
  }

  get name(): string {
    return this.options.name;
  }

  start(): void {
    this.loop.start();
  }

  /** Runs a round as soon as possible. */
  poke(): void {
    this.loop.poke();
  }

  /** Waits for a round in progress, then gives the lease up so another process can take over at once. */
  async stop(): Promise<void> {
    await this.loop.stop();
    const lease = this.options.lease;
    if (lease) await lease.leases.release(this.options.name, lease.owner).catch(() => undefined);
  }

  /** One round, if this process holds (or can take) the lease. */
  async runOnce(): Promise<JobRound> {
    const { lease, logger, name } = this.options;
    try {
      if (lease) {
        const now = this.options.clock?.() ?? new Date();
        if (!(await lease.leases.acquire(name, lease.owner, lease.ttlMs ?? this.options.intervalMs * 3, now))) return { ran: false };
      }
      return { ran: true, result: await this.options.run() };
    } catch (err) {
      logger.error({ job: name, err: err instanceof Error ? err.message : String(err) }, 'scheduled job failed');
      return { ran: false };
    }
  }
}
