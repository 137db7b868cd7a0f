/**
 * Fixed-window limits shared by every process on one database: "at most `limit` units of
 * `rule` per `key` per window". Each unit is a slot (`rl:<rule>:<key>:<window>#<i>`, see
 * slot-store.ts), so the count is exact even when a flood arrives at several processes at
 * once — FerretDB's `$inc` is not atomic, a unique insert is.
 *
 * Cheap on purpose: each process remembers how many slots of a window it knows to be
 * taken, so once a window is full every further request of that key is refused without
 * touching the database; a flood costs the database at most `limit` inserts per window.
 * A process new to a key first tries the window's slot #0 — most windows are new (a
 * citizen's first message in that minute), and that insert goes in the group commit with
 * the message's ticket, where reading first cost a round trip of its own (one `find` per
 * citizen per minute: a third of a round trip per update in the webhook bench). Only when
 * #0 is taken does it read the hint document written every few slots, so it does not probe
 * every taken slot one by one.
 */
import type { SlotStore } from './slot-store';

export interface WindowRule {
  /** Short name, part of the slot ids ("msg", "addr-day"). */
  readonly name: string;
  readonly limit: number;
  readonly windowMs: number;
}

export interface LimitDecision {
  readonly allowed: boolean;
  /** Units of this window taken so far, this one included when allowed. */
  readonly count: number;
  /** True for the first refusal of the window (across processes): the moment to say "slow down" once. */
  readonly firstRefusal: boolean;
}

/** Slots between two hint writes. */
const HINT_EVERY = 16;
/** Windows of this many keys are remembered per process; the oldest are forgotten first. */
const MAX_REMEMBERED = 50_000;

export class SharedWindowLimits {
  /** Series id → slots known taken (a lower bound of the truth). */
  private readonly taken = new Map<string, number>();
  private readonly refusalSeen = new Set<string>();

  constructor(
    private readonly store: SlotStore,
    private readonly clock: () => number = Date.now,
  ) {}

  /** True when this process already knows the current window of `key` is full (no I/O). */
  knownFull(rule: WindowRule, key: string): boolean {
    const series = `rl:${rule.name}:${key}:${Math.floor(this.clock() / rule.windowMs)}`;
    return (this.taken.get(series) ?? 0) >= rule.limit;
  }

  /** Takes one unit of `rule` for `key`, or refuses when the window is full. */
  async take(rule: WindowRule, key: string): Promise<LimitDecision> {
    const now = this.clock();
    const window = Math.floor(now / rule.windowMs);
    const series = `rl:${rule.name}:${key}:${window}`;
    const expiresAt = new Date((window + 1) * rule.windowMs + 60_000);
    const known = this.taken.get(series);
    let next = known ?? 0;
    let hinted = known !== undefined;
    while (next < rule.limit) {
      if (await this.store.insert({ _id: `${series}#${next}`, expiresAt })) {
        this.remember(series, next + 1);
        // A hint only saves probing: not worth making the citizen wait for it.
        if ((next + 1) % HINT_EVERY === 0) void this.store.setHint(series, next + 1, expiresAt).catch(() => undefined);
        return { allowed: true, count: next + 1, firstRefusal: false };
      }
      next += 1;
      if (!hinted) {
        // Another process has used this window: start from its hint rather than probing each slot.
        hinted = true;
        next = Math.max(next, await this.hintOf(series));
      }
    }
    this.remember(series, next);
    return { allowed: false, count: next, firstRefusal: await this.firstRefusal(series, expiresAt) };
  }

  private async hintOf(series: string): Promise<number> {
    return (await this.store.find(series))?.last ?? 0;
  }

  /** One process in all wins the refusal slot; this process asks the database once per window. */
  private async firstRefusal(series: string, expiresAt: Date): Promise<boolean> {
    if (this.refusalSeen.has(series)) return false;
    if (this.refusalSeen.size >= MAX_REMEMBERED) this.refusalSeen.clear();
    this.refusalSeen.add(series);
    return this.store.insert({ _id: `${series}#refused`, expiresAt });
  }

  private remember(series: string, count: number): void {
    this.taken.delete(series);
    if (this.taken.size >= MAX_REMEMBERED) {
      const oldest = this.taken.keys().next();
      if (!oldest.done) this.taken.delete(oldest.value);
    }
    this.taken.set(series, count);
  }
}
