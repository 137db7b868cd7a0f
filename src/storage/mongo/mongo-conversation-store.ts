/**
 * Conversation state in MongoDB (`conversations`, `_id` = conversation key), so a
 * citizen's half-written complaint survives a restart and reaches whichever instance
 * handles their next message. Single-document reads and writes by `_id` only
 * (FerretDB-safe).
 *
 * Writes carry a version (raised by each): a conversation not stored yet is created by an
 * insert that the unique `_id` refuses to a second creator; a stored one is updated by
 * `_id` with the version it had compared afterwards (see `save`).
 *
 * The raw driver is used, not the mongoose model (as slot-store.ts does): a read and a
 * write per turn are the hot path, and mongoose's query and document layers cost more
 * than the round trip's own work (measured: docs/measurements.md, "Telegram webhook,
 * CPU per update"). What the model did is done here: the same collection and fields, and
 * its timestamps (`createdAt` on creation, `updatedAt` on every write: retention prunes
 * conversations by `updatedAt`).
 */
import type { mongo } from 'mongoose';
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
  createdAt?: Date;
  updatedAt?: Date;
}

export class MongoConversationStore implements ConversationStore {
  private cached?: mongo.Collection<ConversationDoc>;

  constructor(private readonly db: Database) {}

  /** The model's collection, through the driver (taken once the connection is open). */
  private get collection(): mongo.Collection<ConversationDoc> {
    if (this.cached) return this.cached;
    const native = this.db.connection.db;
    if (!native) throw new Error('MongoConversationStore: the connection is not open');
    this.cached = native.collection<ConversationDoc>(this.db.models.Conversation.collection.collectionName);
    return this.cached;
  }

  async get(key: string): Promise<ConversationState | undefined> {
    return (await this.load(key))?.state;
  }

  async load(key: string): Promise<VersionedState | undefined> {
    const doc = await this.collection.findOne({ _id: key });
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
    const now = new Date();
    const set: Record<string, unknown> = { locale: state.locale };
    const unset: Record<string, 1> = {};
    if (state.lastSeenAt) set.lastSeenAt = new Date(state.lastSeenAt);
    for (const field of ['flow', 'suspended', 'offer', 'procedure'] as const) {
      if (state[field]) set[field] = state[field];
      else unset[field] = 1;
    }
    const update: mongo.UpdateFilter<ConversationDoc> = { $set: { ...set, updatedAt: now }, $inc: { version: 1 } };
    if (Object.keys(unset).length) update.$unset = unset;
    if (expected === 0) {
      // Nothing stored yet (one insert, the common case); the unique _id refuses a second creator.
      try {
        await this.collection.insertOne({ _id: key, ...set, version: 1, createdAt: now, updatedAt: now } as ConversationDoc);
        return 1;
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
      }
      // Created meanwhile by another writer (a conflict, nothing written), or a document from before versions (taken over).
      const stored = await this.collection.findOne({ _id: key }, { projection: { version: 1 } });
      if (typeof stored?.version === 'number') return undefined;
    }
    // By _id alone: FerretDB v1 looks a document up by its key only for a filter that is
    // exactly {_id} (a {_id, version} filter decodes the whole collection), and its
    // conditional updates are not atomic anyway. So the version is compared on the
    // document as it was before this write: never re-created when deleted meanwhile (an
    // erasure stands); a version other than `expected` is a conflict, reported — the write
    // then went over it, as every write did before versions.
    // (No projection: FerretDB v1's findAndModify does not implement `fields`.)
    const before = await this.collection.findOneAndUpdate({ _id: key }, update);
    if (!before || (before.version ?? 0) !== expected) return undefined;
    return expected + 1;
  }

  async delete(key: string): Promise<void> {
    await this.collection.deleteOne({ _id: key });
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
