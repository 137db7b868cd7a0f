/** Scheduled jobs (re-planning, pruning, deadlines): run under a lease on the real database, survive their errors. */
import { silentLogger } from '../../src/infra/logger';
import { ScheduledJob } from '../../src/jobs/scheduled-job';
import type { Database } from '../../src/storage/mongo/database';
import { dropTestDatabase, openTestDatabase } from '../support/database';
import { waitFor } from '../forwarding/support/outbox-fixtures';

let db: Database;

beforeAll(async () => {
  db = await openTestDatabase('scheduled_jobs');
});

afterAll(async () => {
  await dropTestDatabase(db);
});

it('runs on its interval and survives a failing round', async () => {
  let calls = 0;
  const job = new ScheduledJob({
    name: 'flaky',
    intervalMs: 10,
    logger: silentLogger(),
    run: async () => {
      calls++;
      if (calls === 1) throw new Error('hiccup');
    },
  });
  job.start();
  await waitFor(() => calls >= 3, 5000, 'three rounds');
  await job.stop();
  expect(calls).toBeGreaterThanOrEqual(3);
});

it('with a lease, one process runs it; the other takes over once the first stops', async () => {
  const ran: string[] = [];
  const job = (owner: string) =>
    new ScheduledJob({
      name: 'leased-job',
      intervalMs: 60_000,
      logger: silentLogger(),
      lease: { leases: db.leases, owner },
      run: async () => ran.push(owner),
    });
  const first = job('p1');
  const second = job('p2');
  const rounds = await Promise.all([first.runOnce(), second.runOnce()]);
  expect(rounds.filter((r) => r.ran)).toHaveLength(1);
  const holder = rounds[0].ran ? first : second;
  const other = rounds[0].ran ? second : first;
  expect((await other.runOnce()).ran).toBe(false);
  await holder.stop();
  expect((await other.runOnce()).ran).toBe(true);
  expect(ran).toHaveLength(2);
  expect(new Set(ran).size).toBe(2);
});
