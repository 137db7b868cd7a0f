/**
 * Counters read and written by `_id` only (never scanned on FerretDB): complaints per
 * citizen per day (the daily cap) and wrong status secrets per code and per requester.
 * Shared by every process on the database, so a limit holds across them.
 */
import type { AttemptCounter, DailyCounter } from '../../complaints/use-cases/ports';
import { isDuplicateKeyError } from './claims';
import type { Database } from './database';

export class MongoDailyCounter implements DailyCounter {
  constructor(private readonly db: Database) {}

  async count(key: string): Promise<number> {
    const doc = await this.db.models.CitizenDayCount.findById(key, { count: 1 }).lean();
    return doc?.count ?? 0;
  }

  /**
   * Most citizens file at most one complaint a day, and on FerretDB an insert costs about
   * half an upsert (measured: ≈3 ms against ≈6–8 ms): insert first, `$inc` when the day's
   * counter exists.
   */
  async increment(key: string, day: string): Promise<void> {
    try {
      await this.db.models.CitizenDayCount.create({ _id: key, count: 1, day });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      await this.db.models.CitizenDayCount.updateOne({ _id: key }, { $inc: { count: 1 } });
    }
  }
}

export class MongoAttemptCounter implements AttemptCounter {
  constructor(private readonly db: Database) {}

  async failures(keys: readonly string[]): Promise<number[]> {
    // One read by _id per key (an `$in` filter would scan on FerretDB).
    const docs = await Promise.all(keys.map((key) => this.db.models.LookupFailure.findById(key, { count: 1 }).lean()));
    return docs.map((d) => d?.count ?? 0);
  }

  async recordFailure(keys: readonly string[], day: string): Promise<void> {
    await Promise.all(
      keys.map((key) =>
        this.db.models.LookupFailure.updateOne({ _id: key }, { $inc: { count: 1 }, $setOnInsert: { day } }, { upsert: true }),
      ),
    );
  }
}

/** Deletes day counters and failure counters of days before `day` ("2025-03-10"); index on `day` (a scan on FerretDB, run by a job). */
export async function pruneDayCounters(db: Database, day: string): Promise<number> {
  const [counts, failures] = await Promise.all([
    db.models.CitizenDayCount.deleteMany({ day: { $lt: day } }),
    db.models.LookupFailure.deleteMany({ day: { $lt: day } }),
  ]);
  return (counts.deletedCount ?? 0) + (failures.deletedCount ?? 0);
}
