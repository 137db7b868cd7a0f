/**
 * Where the core keeps per-citizen conversation state. A port with three operations,
 * so the core knows nothing of MongoDB; the Mongo adapter lives in src/storage.
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

export interface ConversationStore {
  get(key: string): Promise<ConversationState | undefined>;
  set(key: string, state: ConversationState): Promise<void>;
  delete(key: string): Promise<void>;
}

/** For tests and the console: state in a Map, gone when the process ends. */
export class InMemoryConversationStore implements ConversationStore {
  private readonly states = new Map<string, ConversationState>();

  async get(key: string): Promise<ConversationState | undefined> {
    return this.states.get(key);
  }

  async set(key: string, state: ConversationState): Promise<void> {
    this.states.set(key, state);
  }

  async delete(key: string): Promise<void> {
    this.states.delete(key);
  }
}
