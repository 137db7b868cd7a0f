/**
 * Remembers the numbered menu last shown to each Zalo citizen, so that their "2" can be
 * turned back into the quick-reply payload (Zalo has no buttons; see zalo-renderer.ts).
 *
 * Why durable (the `zalo_menus` collection, `_id` = Zalo user id): the citizen may answer
 * after a restart or reach another instance. A menu older than `maxAgeMs` is ignored: a
 * "1" typed a day later is more likely an answer to something else.
 */
import { Schema, type Connection, type Model } from 'mongoose';

export interface ZaloMenuStore {
  /** Payloads of the live menu, item 1 first; undefined when none (or too old). */
  get(userId: string): Promise<readonly string[] | undefined>;
  /** Replaces the live menu; an empty list clears it. */
  set(userId: string, payloads: readonly string[]): Promise<void>;
  /** Forgets the citizen (consent withdrawn). */
  delete(userId: string): Promise<void>;
}

const DEFAULT_MAX_AGE_MS = 24 * 3600 * 1000;

interface MenuDoc {
  _id: string;
  items: string[];
  at: Date;
}

const menuSchema = new Schema<MenuDoc>(
  {
    _id: { type: String, required: true },
    items: { type: [String], default: [] },
    at: { type: Date, required: true, index: true },
  },
  { collection: 'zalo_menus', versionKey: false },
);

/** The menus in MongoDB (FerretDB-safe: single-document upserts and deletes only). */
export class MongoZaloMenuStore implements ZaloMenuStore {
  private readonly model: Model<MenuDoc>;

  constructor(
    connection: Connection,
    private readonly options: { maxAgeMs?: number; clock?: () => number } = {},
  ) {
    this.model = (connection.models.ZaloMenu as Model<MenuDoc> | undefined) ?? connection.model<MenuDoc>('ZaloMenu', menuSchema);
  }

  async get(userId: string): Promise<readonly string[] | undefined> {
    const doc = await this.model.findById(userId).lean();
    if (!doc || doc.items.length === 0) return undefined;
    const now = (this.options.clock ?? Date.now)();
    if (now - new Date(doc.at).getTime() > (this.options.maxAgeMs ?? DEFAULT_MAX_AGE_MS)) return undefined;
    return doc.items;
  }

  async set(userId: string, payloads: readonly string[]): Promise<void> {
    if (payloads.length === 0) {
      // Looked up first: most citizens have no live menu, and on FerretDB v1 a read by
      // `_id` is cheap (~2 ms) where a delete reads the whole collection (a news item to
      // thousands of Zalo subscribers resets each one's menu).
      if ((await this.model.exists({ _id: userId })) === null) return;
      await this.model.deleteOne({ _id: userId });
      return;
    }
    const at = new Date((this.options.clock ?? Date.now)());
    await this.model.updateOne({ _id: userId }, { $set: { items: [...payloads], at } }, { upsert: true });
  }

  async delete(userId: string): Promise<void> {
    await this.model.deleteOne({ _id: userId });
  }

  /** Deletes menus older than `before` (FerretDB v1 has no TTL index); run from a daily sweep. */
  async prune(before: Date): Promise<number> {
    const result = await this.model.deleteMany({ at: { $lt: before } });
    return result.deletedCount ?? 0;
  }
}

/** Menus in process memory: for tests and the console. */
export class InMemoryZaloMenuStore implements ZaloMenuStore {
  private readonly menus = new Map<string, readonly string[]>();

  async get(userId: string): Promise<readonly string[] | undefined> {
    const menu = this.menus.get(userId);
    return menu && menu.length > 0 ? menu : undefined;
  }

  async set(userId: string, payloads: readonly string[]): Promise<void> {
    if (payloads.length === 0) this.menus.delete(userId);
    else this.menus.set(userId, [...payloads]);
  }

  async delete(userId: string): Promise<void> {
    this.menus.delete(userId);
  }
}
