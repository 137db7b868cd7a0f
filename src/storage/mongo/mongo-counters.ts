/**
 * Counters shared by every process on the database, so a limit holds across them: the
 * daily complaint cap (units taken by unique insert: atomic on FerretDB too) and wrong
 * status secrets per code and per requester (read and counted by `_id`).
 */
import type { AttemptCounter, DailyCounter } from '../../complaints/use-cases/ports';
import { isDuplicateKeyError } from './claims';
import type { Database } from './database';

export class MongoDailyCounter implements DailyCounter {
  constructor(private readonly db: Database) {}

  /**
   * Reads `<key>#0`, `<key>#1`, … by `_id` up to the first that is not there: the units a
   * citizen holds today, one read for the first complaint of the day. (A `{key}` count
   * scanned every unit of the day on FerretDB, a cost that grew with the day's complaints.)
   * A unit given back (a duplicate submission) leaves a gap there, which the next `take`
   * fills first: so this is the number of takes that can no longer succeed before one that
   * can, which is what the cap check asks.
   */
  async count(key: string): Promise<number> {
    const units = this.db.models.CitizenDayUnit;
    let n = 0;
    while (await units.exists({ _id: `${key}#${n}` })) n++;
    return n;
  }

  /**
   * Inserts `<key>#0`, `<key>#1`, … until one insert succeeds: the first complaint of the
   * day costs one insert (as the old counter did), and parallel submits each win a
   * different unit or none.
   */
  async take(key: string, day: string, limit: number): Promise<string | undefined> {
    const units = this.db.models.CitizenDayUnit.collection;
    for (let i = 0; i < limit; i++) {
      const id = `${key}#${i}`;
      try {
        await units.insertOne({ _id: id as never, key, day });
        return id;
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
      }
    }
    return undefined;
  }

  async release(unit: string): Promise<void> {
    // By _id.
    await this.db.models.CitizenDayUnit.deleteOne({ _id: unit });
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
    db.models.CitizenDayUnit.deleteMany({ day: { $lt: day } }),
    db.models.LookupFailure.deleteMany({ day: { $lt: day } }),
  ]);
  return (counts.deletedCount ?? 0) + (failures.deletedCount ?? 0);
}
