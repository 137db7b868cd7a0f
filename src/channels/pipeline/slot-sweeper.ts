/**
 * Deletes expired pipeline slots (limit windows, sequencer tickets) once a minute.
 * FerretDB v1 has no TTL index; the delete is idempotent, so every process may run it.
 */
import type { Logger } from '../../infra/logger';
import type { SlotStore } from './slot-store';

export class SlotSweeper {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly store: Pick<SlotStore, 'sweep'>,
    private readonly logger: Logger,
    private readonly intervalMs = 60_000,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.sweepOnce(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  async sweepOnce(now = new Date()): Promise<number> {
    try {
      const deleted = await this.store.sweep(now);
      if (deleted > 0) this.logger.debug({ deleted }, 'expired pipeline slots deleted');
      return deleted;
    } catch (error) {
      this.logger.warn({ err: error instanceof Error ? error.name : 'unknown' }, 'pipeline slot sweep failed');
      return 0;
    }
  }
}
