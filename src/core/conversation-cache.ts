/**
 * The conversation states this process wrote last, so that a citizen's next turn need not
 * read its state back from the database.
 *
 * A kept state is trusted only with proof that nothing changed it since: the new message's
 * place in the citizen's line (`turn.after`, the inbound pipeline's ticket, shared by every
 * process on the database) names the very turn that wrote it here. Any other turn in
 * between — at another process, a redelivery, a withdrawal — took a ticket of its own, so
 * the proof fails and the state is read. Without a place (the CLI chat, tests) it is
 * always read. Every write is a compare-and-set on the version: a writer outside the line
 * (an erasure from the CLI) makes the write fail instead of being overwritten, and the
 * kept state is dropped.
 */
import type { ConversationState, ConversationStore, VersionedState } from './conversation-store';
import type { TurnPlace } from './messages';

/** States kept; the oldest written is dropped beyond this. */
const DEFAULT_MAX_ENTRIES = 10_000;
/** A kept state older than this is read again (flows are set aside after 30 idle minutes anyway). */
const DEFAULT_MAX_AGE_MS = 30 * 60 * 1000;

interface Kept extends VersionedState {
  /** The turn that wrote it. */
  readonly turn: string;
  readonly writtenAt: number;
}

export interface CacheOptions {
  readonly maxEntries?: number;
  readonly maxAgeMs?: number;
  readonly clock?: () => number;
}

export class ConversationCache {
  private readonly kept = new Map<string, Kept>();
  private readonly maxEntries: number;
  private readonly maxAgeMs: number;
  private readonly clock: () => number;

  constructor(
    private readonly store: ConversationStore,
    options: CacheOptions = {},
  ) {
    this.maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    this.clock = options.clock ?? Date.now;
  }

  /** The state to work on: the kept one when `turn` proves it current, else the stored one (version 0: none). */
  async read(key: string, turn?: TurnPlace): Promise<{ state?: ConversationState; version: number; fromCache: boolean }> {
    const kept = this.kept.get(key);
    if (kept && turn?.after !== undefined && kept.turn === turn.after && this.clock() - kept.writtenAt <= this.maxAgeMs) {
      return { state: kept.state, version: kept.version, fromCache: true };
    }
    const stored = await this.store.load(key);
    return { ...(stored ? { state: stored.state } : {}), version: stored?.version ?? 0, fromCache: false };
  }

  /** Writes if the stored version is still `version`; false on a conflict (nothing written, nothing kept). */
  async write(key: string, state: ConversationState, version: number, turn?: TurnPlace): Promise<boolean> {
    this.kept.delete(key);
    const saved = await this.store.save(key, state, version);
    if (saved === undefined) return false;
    if (turn) this.keep(key, { state, version: saved, turn: turn.id, writtenAt: this.clock() });
    return true;
  }

  /** How many states are kept (for tests). */
  get size(): number {
    return this.kept.size;
  }

  private keep(key: string, entry: Kept): void {
    if (this.kept.size >= this.maxEntries) {
      const oldest = this.kept.keys().next();
      if (!oldest.done) this.kept.delete(oldest.value);
    }
    this.kept.set(key, entry);
  }
}
