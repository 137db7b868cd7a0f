/**
 * Where the core keeps per-citizen conversation state. A port, so the core knows nothing
 * of MongoDB; the Mongo adapter lives in src/storage.
 *
 * Every stored state has a version: the engine says which version its write follows
 * (`save`), so a state that changed since it was read — deleted by an erasure, or written
 * by another turn while this process worked on a copy it kept (conversation-cache.ts) — is
 * noticed instead of silently overwritten.
 */
import type { Locale } from './messages';

/** A multi-step conversation in progress (e.g. collecting a complaint). */
export interface FlowState {
  readonly name: string;
  readonly step: string;
  readonly data: Readonly<Record<string, unknown>>;
  /** ISO time after which an abandoned flow is dropped. */
  readonly expiresAt: string;
}

/**
 * What the bot's last message offered, so that a bare "có"/"không" is read as the answer
 * to it: continue the flow that was interrupted, or take up the draft kept aside.
 */
export type PendingOffer = 'continue' | 'restore';

export interface ConversationState {
  readonly locale: Locale;
  readonly flow?: FlowState;
  /**
   * A flow set aside (left idle too long, or another flow was started): kept until its
   * own expiry and offered back once.
   */
  readonly suspended?: FlowState & { readonly offered?: boolean };
  readonly offer?: PendingOffer;
  /** ISO time of the citizen's last message (Zalo's 7-day window is counted from it). */
  readonly lastSeenAt?: string;
  /** The procedure last answered, so that "thế lệ phí bao nhiêu?" is understood as about it. */
  readonly procedure?: RememberedProcedure;
}

export interface RememberedProcedure {
  readonly id: string;
  /** ISO time it was answered: a follow-up counts only shortly after. */
  readonly at: string;
}

/** A stored state and its version (1 for the first write; absent conversations have version 0). */
export interface VersionedState {
  readonly state: ConversationState;
  readonly version: number;
}

export interface ConversationStore {
  get(key: string): Promise<ConversationState | undefined>;
  /** The state with its version; undefined when there is none (version 0). */
  load(key: string): Promise<VersionedState | undefined>;
  /**
   * Writes `state` as the version after `expected` (0: there is none yet) and returns that
   * version; undefined for a conflict: the conversation was created, deleted or written by
   * someone else since `expected`. A deleted conversation is never re-created. Where the
   * server has no atomic conditional update (FerretDB v1), a write over another writer's
   * version is reported as a conflict after it happened (see the Mongo adapter).
   */
  save(key: string, state: ConversationState, expected: number): Promise<number | undefined>;
  delete(key: string): Promise<void>;
}

/** For tests and the console: state in a Map, gone when the process ends. */
export class InMemoryConversationStore implements ConversationStore {
  private readonly states = new Map<string, VersionedState>();

  async get(key: string): Promise<ConversationState | undefined> {
    return this.states.get(key)?.state;
  }

  async load(key: string): Promise<VersionedState | undefined> {
    return this.states.get(key);
  }

  async save(key: string, state: ConversationState, expected: number): Promise<number | undefined> {
    if ((this.states.get(key)?.version ?? 0) !== expected) return undefined;
    this.states.set(key, { state, version: expected + 1 });
    return expected + 1;
  }

  async delete(key: string): Promise<void> {
    this.states.delete(key);
  }
}
