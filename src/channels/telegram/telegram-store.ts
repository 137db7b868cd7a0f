/**
 * What the Telegram adapter keeps in MongoDB: which updates were already handled
 * (`processed_messages`, shared with the other channels) and which complaint cards were
 * posted in agencies' groups (`telegram_cards`, owned by this folder).
 *
 * Both rely on unique `_id` inserts only — the one write FerretDB v1 makes exactly-once
 * (its conditional updates are not atomic): the first insert of `telegram:<update_id>`
 * wins, and a card is found again by its delivery's idempotency key.
 */
import { Schema, type Connection, type Model } from 'mongoose';
import { isDuplicateKeyError } from '../../storage/mongo/claims';
import type { Database } from '../../storage/mongo/database';

/** Telegram keeps an unconfirmed update for 24 h; a week covers every redelivery. */
const PROCESSED_RETENTION_MS = 7 * 24 * 3_600_000;

/** Records handled update ids, so a redelivered update is recognised. */
export interface ProcessedUpdates {
  /** True the first time `updateId` is seen (by any process); false for a redelivery. */
  firstSeen(updateId: number): Promise<boolean>;
}

/** A complaint card posted in an agency's Telegram group. */
export interface CardRecord {
  /** The delivery's idempotency key ("PA-7K3M9X.forwarded.1"). */
  readonly key: string;
  readonly code: string;
  readonly chatId: number;
  readonly messageId: number;
}

export interface TelegramCardStore {
  findByKey(key: string): Promise<CardRecord | undefined>;
  /** Records a card; also marks it on the complaint (`telegramCard`) when `isMainCard`. */
  record(card: CardRecord, isMainCard: boolean): Promise<void>;
  /** The complaint a card message belongs to, for officers' replies. */
  codeForMessage(chatId: number, messageId: number): Promise<string | undefined>;
  /** Ids of the complaint's stored photo bytes (complaint_photos), in order. */
  photoIdsOf(code: string): Promise<string[]>;
}

interface CardDoc {
  _id: string;
  code: string;
  chatId: string;
  messageId: number;
  at: Date;
}

const cardSchema = new Schema<CardDoc>(
  {
    _id: { type: String, required: true },
    code: { type: String, required: true, index: true },
    chatId: { type: String, required: true },
    messageId: { type: Number, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'telegram_cards', versionKey: false },
);
cardSchema.index({ chatId: 1, messageId: 1 });

function cardModel(connection: Connection): Model<CardDoc> {
  return (connection.models.TelegramCard as Model<CardDoc> | undefined) ?? connection.model<CardDoc>('TelegramCard', cardSchema);
}

/** Both stores on the application's database. Create with {@link MongoTelegramStore.open}. */
export class MongoTelegramStore implements ProcessedUpdates, TelegramCardStore {
  private constructor(
    private readonly db: Database,
    private readonly cards: Model<CardDoc>,
    private readonly clock: () => Date,
  ) {}

  /** Registers the telegram_cards model and creates its indexes. */
  static async open(db: Database, clock: () => Date = () => new Date()): Promise<MongoTelegramStore> {
    const cards = cardModel(db.connection);
    await cards.createCollection().catch(() => undefined);
    await cards.syncIndexes();
    return new MongoTelegramStore(db, cards, clock);
  }

  async firstSeen(updateId: number): Promise<boolean> {
    const expiresAt = new Date(this.clock().getTime() + PROCESSED_RETENTION_MS);
    try {
      await this.db.models.ProcessedMessage.create({ _id: `telegram:${updateId}`, expiresAt });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  /** Deletes this channel's expired update records (FerretDB v1 has no TTL indexes). */
  async pruneProcessed(now = this.clock()): Promise<number> {
    const result = await this.db.models.ProcessedMessage.deleteMany({ _id: { $regex: /^telegram:/ }, expiresAt: { $lt: now } });
    return result.deletedCount ?? 0;
  }

  async findByKey(key: string): Promise<CardRecord | undefined> {
    const doc = await this.cards.findById(key).lean();
    return doc ? { key: doc._id, code: doc.code, chatId: Number(doc.chatId), messageId: doc.messageId } : undefined;
  }

  async record(card: CardRecord, isMainCard: boolean): Promise<void> {
    const chatId = String(card.chatId);
    try {
      await this.cards.create({ _id: card.key, code: card.code, chatId, messageId: card.messageId, at: this.clock() });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    if (isMainCard) {
      // By _id (the code): FerretDB uses its primary key only for an exact {_id} filter.
      await this.db.models.Complaint.updateOne({ _id: card.code }, { $set: { telegramCard: { chatId, messageId: card.messageId } } });
    }
  }

  async codeForMessage(chatId: number, messageId: number): Promise<string | undefined> {
    const doc = await this.cards.findOne({ chatId: String(chatId), messageId }).lean();
    if (doc) return doc.code;
    const complaint = await this.db.models.Complaint.findOne(
      { 'telegramCard.chatId': String(chatId), 'telegramCard.messageId': messageId },
      { code: 1 },
    ).lean();
    return complaint?.code;
  }

  async photoIdsOf(code: string): Promise<string[]> {
    const complaint = await this.db.models.Complaint.findById(code, { photos: 1 }).lean();
    return (complaint?.photos ?? []).map((p) => p.photoId).filter((id): id is string => typeof id === 'string' && id.length > 0);
  }
}

/**
 * Loads a stored photo's bytes from complaint_photos by id — the default `loadPhoto` for
 * {@link TelegramTransport} when photos are kept in MongoDB.
 */
export function mongoPhotoLoader(db: Database): (photoId: string) => Promise<{ bytes: Buffer; contentType: string } | undefined> {
  return async (photoId) => {
    if (!/^[0-9a-f]{24}$/i.test(photoId)) return undefined;
    const doc = await db.models.ComplaintPhoto.findById(photoId).lean();
    const bytes = doc ? toBuffer(doc.data) : undefined;
    return doc && bytes ? { bytes, contentType: doc.contentType } : undefined;
  };
}

/** lean() gives a BSON Binary (or a Buffer, depending on the driver): both become a Buffer. */
function toBuffer(value: unknown): Buffer | undefined {
  if (Buffer.isBuffer(value)) return value;
  if (typeof value === 'object' && value !== null && 'buffer' in value) {
    const inner = value.buffer;
    if (inner instanceof Uint8Array) return Buffer.from(inner);
  }
  return undefined;
}
