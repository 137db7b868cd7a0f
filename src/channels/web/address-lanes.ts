/**
 * At most `active` web messages of one client address do their work (limits, records,
 * the turn) at once; the next `waiting` wait here in arrival order; beyond, the address
 * is refused (429) before its body is read.
 *
 * Why: the database serves one queue. Measured (docs/measurements.md, "Isolation, third
 * round"), a flooding address with its 8 messages in flight at once kept up to 8 of its
 * commands ahead of every other citizen's in that queue — the other citizens' round trips
 * went from ~2 ms to ~6 ms at the median and ~80 to ~260 ms at p99. Two at a time keeps
 * its share of the queue to two commands, and several citizens behind one address (an
 * office, a carrier's NAT) still get their answers, one after another, instead of a 429.
 */
export class AddressLanes {
  private readonly lanes = new Map<string, { active: number; waiting: (() => void)[] }>();

  constructor(
    private readonly active = 2,
    private readonly waiting = 6,
  ) {}

  /** True when `address` already has as many messages as it may have here: refuse the next. */
  full(address: string): boolean {
    const lane = this.lanes.get(address);
    return lane !== undefined && lane.active + lane.waiting.length >= this.active + this.waiting;
  }

  /** Resolves when the message may go on; call {@link leave} once it is over. */
  async enter(address: string): Promise<void> {
    const lane = this.lanes.get(address) ?? { active: 0, waiting: [] };
    this.lanes.set(address, lane);
    if (lane.active < this.active) {
      lane.active += 1;
      return;
    }
    // The one leaving hands its place on: `active` stays as it is.
    await new Promise<void>((resolve) => lane.waiting.push(resolve));
  }

  leave(address: string): void {
    const lane = this.lanes.get(address);
    if (!lane) return;
    const next = lane.waiting.shift();
    if (next) next();
    else if (--lane.active === 0) this.lanes.delete(address);
  }
}
