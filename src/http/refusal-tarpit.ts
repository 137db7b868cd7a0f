/**
 * Slows the answers to a client that keeps being refused (429 over a limit, 401 forged
 * signature, 413 oversized body): its first refusals in a window are answered at once,
 * the next ones after a delay.
 *
 * Why: refusing is already cheap (no body parse, no database), but a flooding script
 * that waits for each answer before sending the next was answered ~600–1,600 times a
 * second, and that many requests cost the service a fifth of a core and, on the shared
 * machine, the CPU the other citizens' answers needed (measured: docs/measurements.md,
 * "Isolation, third round"). Held one second, each of its connections makes one request
 * a second. A held refusal costs a timer and an idle socket; at most `maxHeld` are held
 * at once, beyond which refusals are answered at once as before (a client that does not
 * wait for answers is not slowed by this, only bounded by the limits themselves).
 * A citizen over a limit by accident gets a few refusals, all at once.
 */

export interface TarpitOptions {
  /** Refusals of one client per window answered at once; default 20. */
  readonly freeRefusals?: number;
  readonly windowMs?: number;
  /** How long the next ones wait; default 1 s. */
  readonly delayMs?: number;
  /** Refusals held at once, at most; default 256. */
  readonly maxHeld?: number;
  readonly clock?: () => number;
}

/** Clients remembered at most: past it, the counts start again (a flood of addresses is bounded by the limits). */
const MAX_CLIENTS = 10_000;

export class RefusalTarpit {
  private readonly counts = new Map<string, { since: number; n: number }>();
  private held = 0;
  private readonly clock: () => number;

  constructor(private readonly options: TarpitOptions = {}) {
    this.clock = options.clock ?? Date.now;
  }

  /** Resolves when the refusal of `client` (an address or its hash) may be answered. */
  async delay(client: string): Promise<void> {
    const now = this.clock();
    const windowMs = this.options.windowMs ?? 10_000;
    let entry = this.counts.get(client);
    if (!entry || now - entry.since > windowMs) {
      if (this.counts.size >= MAX_CLIENTS) this.counts.clear();
      entry = { since: now, n: 0 };
      this.counts.set(client, entry);
    }
    entry.n += 1;
    if (entry.n <= (this.options.freeRefusals ?? 20) || this.held >= (this.options.maxHeld ?? 256)) return;
    this.held += 1;
    try {
      await new Promise((resolve) => setTimeout(resolve, this.options.delayMs ?? 1000).unref());
    } finally {
      this.held -= 1;
    }
  }

  /** Refusals being held now. */
  get holding(): number {
    return this.held;
  }
}
