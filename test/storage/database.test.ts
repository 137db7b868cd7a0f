import { dropTestDatabase, openTestDatabase } from '../support/database';
import type { Database } from '../../src/storage/mongo/database';

describe('MongoDB-protocol server (real connection)', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase('storage');
  });
  afterAll(async () => {
    await dropTestDatabase(db);
  });

  it('answers ping', async () => {
    expect(await db.ping()).toBe(true);
  });

  it('enforces the unique index on complaint codes', async () => {
    const base = {
      channel: 'web',
      userId: 'u1',
      text: 'x',
      sector: 'other',
      agencyId: 'a',
      status: 'received' as const,
      dueAt: new Date(),
    };
    await db.models.Complaint.create({ ...base, code: 'PA-AAAAAA', submissionKey: 'k1' });
    await expect(db.models.Complaint.create({ ...base, code: 'PA-AAAAAA', submissionKey: 'k2' })).rejects.toThrow(/duplicate key|E11000/);
  });

  it('a claim has exactly one winner among concurrent claimers', async () => {
    const results = await Promise.all(['p1', 'p2', 'p3', 'p4'].map((owner) => db.claims.tryClaim('delivery:d1#1', owner)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await db.claims.ownerOf('delivery:d1#1')).toMatch(/^p[1-4]$/);
  });

  it('a lease is held by one owner until it expires, then the next generation can be taken', async () => {
    const now = new Date();
    const taken = await Promise.all(['a', 'b', 'c'].map((o) => db.leases.acquire('job', o, 1000, now)));
    expect(taken.filter(Boolean)).toHaveLength(1);
    const winner = ['a', 'b', 'c'][taken.indexOf(true)];
    expect(await db.leases.acquire('job', winner, 1000, now)).toBe(true);
    const later = new Date(now.getTime() + 5000);
    const next = await Promise.all(['x', 'y'].map((o) => db.leases.acquire('job', o, 1000, later)));
    expect(next.filter(Boolean)).toHaveLength(1);
  });
});
