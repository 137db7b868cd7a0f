/**
 * The deletes of the retention rules (app-retention.ts), one per kind of record. Every
 * filter is on a date field (a scan on FerretDB, an index on MongoDB where declared),
 * run by an hourly job under a lease — never on a citizen's path. Raw collections,
 * because some belong to channels that may be off (their models are not registered) and
 * a delete on a collection that does not exist simply deletes nothing.
 */
import type { Database } from './database';
import { pruneDayCounters } from './mongo-counters';

/** Conversation keys start with the channel: anonymous ones (a browser's random id, the console) and messenger citizens'. */
const CONVERSATION_KEYS = { anonymous: /^(web|console):/, citizens: /^(telegram|zalo):/ } as const;

export class MongoRetentionStore {
  constructor(private readonly db: Database) {}

  private collection(name: string) {
    return this.db.connection.collection<{ _id: string }>(name);
  }

  /** Duplicate-check records past their `expiresAt` (set at insert: 7 days). */
  async processedIds(now: Date): Promise<number> {
    return (await this.collection('processed_messages').deleteMany({ expiresAt: { $lt: now } })).deletedCount;
  }

  /** Conversations untouched since `before`: anonymous channels only, or every other channel. */
  async conversations(before: Date, kind: 'anonymous' | 'citizens'): Promise<number> {
    const filter = { _id: { $regex: CONVERSATION_KEYS[kind] }, updatedAt: { $lt: before } };
    return (await this.collection('conversations').deleteMany(filter)).deletedCount;
  }

  /** Daily-cap units and wrong-secret counters of days before `day` ("2026-03-09"). */
  dayCounters(day: string): Promise<number> {
    return pruneDayCounters(this.db, day);
  }

  /** Telegram complaint-card records posted before `before`. */
  async telegramCards(before: Date): Promise<number> {
    return (await this.collection('telegram_cards').deleteMany({ at: { $lt: before } })).deletedCount;
  }

  /** Zalo numbered menus shown before `before`. */
  async zaloMenus(before: Date): Promise<number> {
    return (await this.collection('zalo_menus').deleteMany({ at: { $lt: before } })).deletedCount;
  }

  /** Inbound-pipeline slots (limit windows, sequencer tickets) past their `expiresAt`. */
  async pipelineSlots(now: Date): Promise<number> {
    return (await this.collection('pipeline_slots').deleteMany({ expiresAt: { $lt: now } })).deletedCount;
  }

  /** Claims (outbox attempts, complaint versions, leases' generations) taken before `before`. */
  claims(before: Date): Promise<number> {
    return this.db.claims.prune(before);
  }
}
