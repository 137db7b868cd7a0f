/**
 * How fast campaign messages leave, per channel: a minimum gap between two sends
 * (bottleneck's `minTime`), so that no sliding second (Telegram) or minute (Zalo) holds
 * more than the budget. A gap rather than a refilled reservoir: a reservoir lets a full
 * budget go at the end of one second and another at the start of the next, which the
 * platform counts as twice the limit.
 *
 * The budgets sit below the platforms' limits (Telegram ≈30 messages/s per bot; Zalo
 * 4,000 calls/min per OA) because replies to citizens share them: the Telegram send
 * queue underneath still enforces the bot-wide limit and each chat's 1 message/s for
 * every message, news included.
 */
import Bottleneck from 'bottleneck';
import type { ChannelName } from '../core/messages';
import type { Pacer } from '../outbox/pacing';

export interface ChannelBudgets {
  /** Messages per second; a channel without a budget is not paced here. */
  readonly perSecond: Partial<Record<ChannelName, number>>;
}

export class ChannelPacer implements Pacer<{ readonly channel: ChannelName }> {
  private readonly limiters = new Map<ChannelName, Bottleneck>();

  constructor(budgets: ChannelBudgets) {
    for (const [channel, perSecond] of Object.entries(budgets.perSecond) as [ChannelName, number][]) {
      if (perSecond > 0) this.limiters.set(channel, new Bottleneck({ minTime: Math.ceil(1000 / perSecond) }));
    }
  }

  async acquire(item: { readonly channel: ChannelName }): Promise<void> {
    const limiter = this.limiters.get(item.channel);
    if (limiter) await limiter.schedule(async () => undefined);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.limiters.values()].map((l) => l.stop({ dropWaitingJobs: true }).catch(() => undefined)));
  }
}
