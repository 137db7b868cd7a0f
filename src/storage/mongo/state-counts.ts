/**
 * The database's state for the metrics gauges: complaints by status, outbox items by
 * state. One `$group` aggregate per collection (a scan on FerretDB, an index-assisted
 * count on MongoDB), run by the snapshot job once a minute — never per scrape.
 */
import type { StateSnapshot } from '../../observability/metrics';
import type { Database } from './database';

export async function countStates(db: Database): Promise<StateSnapshot> {
  const [complaints, deliveries, notifications] = await Promise.all([
    countBy(db, 'complaints', 'status'),
    countBy(db, 'deliveries', 'state'),
    countBy(db, 'notifications', 'state'),
  ]);
  return { complaints, outboxes: { deliveries, notifications } };
}

async function countBy(db: Database, collection: string, field: string): Promise<Record<string, number>> {
  const groups = await db.connection
    .collection(collection)
    .aggregate<{ _id: unknown; n: number }>([{ $group: { _id: `$${field}`, n: { $sum: 1 } } }])
    .toArray();
  return Object.fromEntries(groups.map((g) => [String(g._id), g.n]));
}
