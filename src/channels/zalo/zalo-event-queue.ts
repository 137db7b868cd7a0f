/**
 * The small in-process queue behind the Zalo webhook: the webhook answers Zalo at once
 * (Zalo wants HTTP 200 within 2 s) and the events are handled here afterwards.
 *
 * Why lanes: one lane per citizen keeps each citizen's events in order (a "2" must be
 * read after the menu it answers), while different citizens are served round-robin with
 * bounded concurrency, so one chatty citizen cannot hold every worker. The total number
 * of waiting tasks is capped: when full, the webhook answers 503 and Zalo redelivers
 * later, rather than memory growing without bound.
 */

export type LaneTask = () => Promise<void>;

export interface LaneQueueOptions {
  /** Lanes (citizens) served at the same time; default 8. */
  readonly concurrency?: number;
  /** Most tasks waiting or running; default 1,000. */
  readonly capacity?: number;
  /** Called when a task throws (tasks should handle their own errors; this is the last net). */
  readonly onError?: (error: unknown) => void;
}

export class LaneQueue {
  private readonly concurrency: number;
  private readonly capacity: number;
  private readonly onError: (error: unknown) => void;
  private readonly lanes = new Map<string, LaneTask[]>();
  /** Lanes with work that no worker is running, in round-robin order. */
  private readonly ready: string[] = [];
  private readonly running = new Set<string>();
  private pending = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(options: LaneQueueOptions = {}) {
    this.concurrency = Math.max(1, options.concurrency ?? 8);
    this.capacity = Math.max(1, options.capacity ?? 1000);
    this.onError = options.onError ?? (() => undefined);
  }

  /** Whether another task fits. */
  get hasRoom(): boolean {
    return this.pending < this.capacity;
  }

  /** Tasks waiting or running. */
  get size(): number {
    return this.pending;
  }

  /**
   * Queues `task` in `lane`; false (and nothing queued) when the queue is full, unless
   * `overCapacity` is set: for a task that must not be dropped because the caller already
   * committed to it (an event recorded as processed will not be redelivered).
   */
  push(lane: string, task: LaneTask, options: { overCapacity?: boolean } = {}): boolean {
    if (!this.hasRoom && !options.overCapacity) return false;
    this.pending += 1;
    const tasks = this.lanes.get(lane);
    if (tasks) tasks.push(task);
    else this.lanes.set(lane, [task]);
    if (!this.running.has(lane) && !tasks) this.ready.push(lane);
    this.pump();
    return true;
  }

  /** Resolves when every queued task has finished (for shutdown and tests). */
  onIdle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.running.size < this.concurrency && this.ready.length > 0) {
      const lane = this.ready.shift()!;
      this.running.add(lane);
      void this.runOne(lane);
    }
  }

  /** Runs the lane's next task, then puts the lane back at the end of the round-robin. */
  private async runOne(lane: string): Promise<void> {
    const tasks = this.lanes.get(lane) ?? [];
    const task = tasks.shift();
    try {
      if (task) await task();
    } catch (error) {
      this.onError(error);
    } finally {
      this.pending -= 1;
      this.running.delete(lane);
      if (tasks.length > 0) this.ready.push(lane);
      else this.lanes.delete(lane);
      this.pump();
      if (this.pending === 0) this.notifyIdle();
    }
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
