/**
 * Conversation state in MongoDB (`conversations`, `_id` = conversation key), so a
 * citizen's half-written complaint survives a restart and reaches whichever instance
 * handles their next message. Single-document reads and upserts only (FerretDB-safe);
 * the engine already serialises the messages of one citizen within a process.
 */
import type { ConversationState, ConversationStore, FlowState } from '../../core/conversation-store';
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
}

export class MongoConversationStore implements ConversationStore {
  constructor(private readonly db: Database) {}

  async get(key: string): Promise<ConversationState | undefined> {
    const doc = await this.db.models.Conversation.findById(key).lean<ConversationDoc>();
    if (!doc) return undefined;
    const locale: Locale = doc.locale === 'en' ? 'en' : 'vi';
    return {
      locale,
      ...(isFlowState(doc.flow) ? { flow: doc.flow } : {}),
      ...(isFlowState(doc.suspended) ? { suspended: doc.suspended } : {}),
      ...(doc.offer === 'continue' || doc.offer === 'restore' ? { offer: doc.offer } : {}),
      ...(doc.lastSeenAt ? { lastSeenAt: doc.lastSeenAt.toISOString() } : {}),
      ...(typeof doc.procedure?.id === 'string' && typeof doc.procedure.at === 'string'
        ? { procedure: { id: doc.procedure.id, at: doc.procedure.at } }
        : {}),
    };
  }

  async set(key: string, state: ConversationState): Promise<void> {
    const set: Record<string, unknown> = { locale: state.locale };
    const unset: Record<string, 1> = {};
    if (state.lastSeenAt) set.lastSeenAt = new Date(state.lastSeenAt);
    for (const field of ['flow', 'suspended', 'offer', 'procedure'] as const) {
      if (state[field]) set[field] = state[field];
      else unset[field] = 1;
    }
    const update: Record<string, unknown> = { $set: set };
    if (Object.keys(unset).length) update.$unset = unset;
    // An update by _id, and an insert when there was nothing to update: on FerretDB an upsert
    // costs about an update and an insert together (measured), and most turns update.
    const updated = await this.db.models.Conversation.updateOne({ _id: key }, update);
    if (updated.matchedCount > 0) return;
    try {
      await this.db.models.Conversation.create({ _id: key, ...set });
    } catch (err) {
      // Another process created it meanwhile: update it.
      if (!isDuplicateKeyError(err)) throw err;
      await this.db.models.Conversation.updateOne({ _id: key }, update);
    }
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
