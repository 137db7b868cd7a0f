/**
 * The timer shared by the background workers (the outbox workers and the scheduled
 * jobs): run a tick, wait, run again; run again at once when the tick says
 * there is more work; stop gracefully.
 *
 * Why not setInterval: a tick can take longer than the interval (a slow SMTP server) and
 * ticks must never overlap, and `stop()` must be able to wait for the tick in progress so
 * that a shutdown does not abandon a send halfway (the lease would expire and the message
 * would be sent a second time by the next process).
 */
import type { Logger } from '../infra/logger';

export class PollingLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private started = false;
  private stopped = false;
  private poked = false;

  /**
   * @param tick one round of work; resolves to true when it stopped because its batch was
   *   full (more work is waiting), so the next round starts immediately.
   */
  constructor(
    private readonly name: string,
    private readonly tick: () => Promise<boolean>,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  /** True once stop() was called: ticks check it to stop taking new work. */
  get stopping(): boolean {
    return this.stopped;
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.schedule(0);
  }

  /** Runs the next tick as soon as the current one (if any) ends; e.g. right after new work was queued. */
  poke(): void {
    if (!this.started || this.stopped) return;
    if (this.running) this.poked = true;
    else this.schedule(0);
  }

  /** Stops scheduling, waits for the tick in progress, then resolves. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), delayMs);
  }

  private run(): void {
    this.timer = undefined;
    if (this.stopped || this.running) return;
    this.running = this.tick()
      .catch((err: unknown) => {
        this.logger.error({ worker: this.name, err }, 'background tick failed');
        return false;
      })
      .then((more) => {
        this.running = undefined;
        const again = more || this.poked;
        this.poked = false;
        if (!this.stopped) this.schedule(again ? 0 : this.intervalMs);
      });
  }
}

/** Runs `fn` over `items` with at most `limit` calls in flight; resolves when all are done. */
export async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++];
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
}
