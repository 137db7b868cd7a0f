/**
 * The slot store's group commit, on the real database: inserts asked for together go in
 * one command, and `insertsSettled` (what a turn and a done mark wait for, so that a
 * webhook's 200 does not wait behind them) resolves once the inserts pending at the call
 * are written — not later ones, so a steady stream of admissions cannot starve a turn.
 */
import { MongoSlotStore } from '../../../src/channels/pipeline/slot-store';
import type { Database } from '../../../src/storage/mongo/database';
import { dropTestDatabase, openTestDatabase } from '../../support/database';

let db: Database;

beforeAll(async () => {
  db = await openTestDatabase('slot_store');
}, 60_000);

afterAll(async () => {
  await dropTestDatabase(db);
});

const expiresAt = (): Date => new Date(Date.now() + 60_000);

test('insertsSettled resolves at once when nothing is pending', async () => {
  const store = new MongoSlotStore(db.connection);
  let settled = false;
  void store.insertsSettled().then(() => (settled = true));
  await Promise.resolve();
  await Promise.resolve();
  expect(settled).toBe(true);
});

test('insertsSettled resolves after the inserts pending at the call, which are then in the database', async () => {
  const store = new MongoSlotStore(db.connection);
  const order: string[] = [];
  const inserts = ['a', 'b', 'c'].map((n) =>
    store.insert({ _id: `test:settle:${n}`, expiresAt: expiresAt() }).then((created) => {
      order.push(`insert ${n}`);
      return created;
    }),
  );
  await store.insertsSettled().then(() => order.push('settled'));
  expect(order).toEqual(['insert a', 'insert b', 'insert c', 'settled']);
  expect(await Promise.all(inserts)).toEqual([true, true, true]);
  expect(await store.find('test:settle:b')).toBeDefined();
  // A duplicate is told apart from a new slot in the same batch.
  const [again, fresh] = await Promise.all([
    store.insert({ _id: 'test:settle:a', expiresAt: expiresAt() }),
    store.insert({ _id: 'test:settle:d', expiresAt: expiresAt() }),
  ]);
  expect([again, fresh]).toEqual([false, true]);
});

test('inserts asked for after the call do not hold insertsSettled back', async () => {
  const store = new MongoSlotStore(db.connection);
  // A chain: each insert, once written, asks for the next one before the batch is over,
  // so the store is never idle until the chain ends (40 inserts, each its own batch).
  let written = 0;
  const chain = async (n: number): Promise<void> => {
    if (n === 40) return;
    const next = store.insert({ _id: `test:chain:${n}`, expiresAt: expiresAt() }).then(() => {
      written += 1;
      return chain(n + 1);
    });
    await next;
  };
  const all = chain(0);
  await store.insertsSettled();
  const writtenAtSettle = written;
  await all;
  expect(written).toBe(40);
  expect(writtenAtSettle).toBeLessThan(5);
});
