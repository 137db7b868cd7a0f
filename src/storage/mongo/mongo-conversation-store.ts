/**
 * Conversation state in MongoDB (`conversations`, `_id` = conversation key), so a
 * citizen's half-written complaint survives a restart and reaches whichever instance
 * handles their next message. Single-document reads and writes by `_id` only
 * (FerretDB-safe).
 *
 * Writes are a compare-and-set on `version`: an update of `{_id, version}` that matches
 * nothing when another writer came first, or — for a conversation not stored yet — an
 * insert that the unique `_id` refuses when another writer created it meanwhile.
 */
import type { ConversationState, ConversationStore, FlowState, VersionedState } from '../../core/conversation-store';
import type { Locale } from '../../core/messages';
import { isDuplicateKeyError } from './claims';
import type { Database } from './database';

interface ConversationDoc {
  _id: string;
  locale: string;
  flow?: FlowState | null;
  suspended?: (FlowState & { offered?: boolean }) | null;
  offer?: string | null;
  lastSeenAt?: Date | null;
  procedure?: { id?: unknown; at?: unknown } | null;
  version?: number | null;
}

export class MongoConversationStore implements ConversationStore {
  constructor(private readonly db: Database) {}

  async get(key: string): Promise<ConversationState | undefined> {
    return (await this.load(key))?.state;
  }

  async load(key: string): Promise<VersionedState | undefined> {
    const doc = await this.db.models.Conversation.findById(key).lean<ConversationDoc>();
    if (!doc) return undefined;
    const locale: Locale = doc.locale === 'en' ? 'en' : 'vi';
    const state: ConversationState = {
      locale,
      ...(isFlowState(doc.flow) ? { flow: doc.flow } : {}),
      ...(isFlowState(doc.suspended) ? { suspended: doc.suspended } : {}),
      ...(doc.offer === 'continue' || doc.offer === 'restore' ? { offer: doc.offer } : {}),
      ...(doc.lastSeenAt ? { lastSeenAt: doc.lastSeenAt.toISOString() } : {}),
      ...(typeof doc.procedure?.id === 'string' && typeof doc.procedure.at === 'string'
        ? { procedure: { id: doc.procedure.id, at: doc.procedure.at } }
        : {}),
    };
    return { state, version: doc.version ?? 0 };
  }

  async save(key: string, state: ConversationState, expected: number): Promise<number | undefined> {
    const version = expected + 1;
    const set: Record<string, unknown> = { locale: state.locale, version };
    const unset: Record<string, 1> = {};
    if (state.lastSeenAt) set.lastSeenAt = new Date(state.lastSeenAt);
    for (const field of ['flow', 'suspended', 'offer', 'procedure'] as const) {
      if (state[field]) set[field] = state[field];
      else unset[field] = 1;
    }
    const update: Record<string, unknown> = { $set: set };
    if (Object.keys(unset).length) update.$unset = unset;
    if (expected > 0) {
      // By _id (the version is checked on the one document found).
      const updated = await this.db.models.Conversation.updateOne({ _id: key, version: expected }, update);
      return updated.matchedCount > 0 ? version : undefined;
    }
    // Version 0: nothing stored yet (one insert, the common case), or a document from before versions.
    try {
      await this.db.models.Conversation.create({ _id: key, ...set });
      return version;
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
    const legacy = await this.db.models.Conversation.updateOne({ _id: key, version: { $exists: false } }, update);
    return legacy.matchedCount > 0 ? version : undefined;
  }

  async delete(key: string): Promise<void> {
    await this.db.models.Conversation.deleteOne({ _id: key });
  }
}

function isFlowState(value: unknown): value is FlowState {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.name === 'string' &&
    typeof v.step === 'string' &&
    typeof v.expiresAt === 'string' &&
    typeof v.data === 'object' &&
    v.data !== null
  );
}
