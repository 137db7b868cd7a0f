/**
 * The daily complaint cap holds under parallel submits from one citizen (one requester
 * key), in one process and in two processes on one database: FerretDB's `$inc` is not
 * atomic, so the cap's units are unique inserts (src/storage/mongo/mongo-counters.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { DailyLimitReached, type ComplaintDraft } from '../../src/complaints/complaint-service';
import type { Directory } from '../../src/complaints/directory/directory';
import type { HolidayCalendar } from '../../src/complaints/holiday-calendar';
import { silentLogger } from '../../src/infra/logger';
import { openDatabase, type Database } from '../../src/storage/mongo/database';
import { exited } from '../support/child-process';
import { createComplaintService } from '../support/complaint-service';
import { dropTestDatabase, openTestDatabase, testMongoUri } from '../support/database';
import { MONDAY_10AM, SETUP_TIMEOUT_MS, fixed, loadSampleDirectory, loadTestHolidays } from './complaint-test-kit';

const LIMIT = 5;
let db: Database;
let directory: Directory;
let holidays: HolidayCalendar;

beforeAll(async () => {
  [db, directory, holidays] = await Promise.all([openTestDatabase('daily_cap'), loadSampleDirectory(), loadTestHolidays()]);
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await dropTestDatabase(db);
});

function draft(requesterKey: string, i: number, overrides: Partial<ComplaintDraft> = {}): ComplaintDraft {
  return {
    channel: 'web',
    userId: `fresh-session-${requesterKey}-${i}`,
    requesterKey,
    locale: 'vi',
    text: `Đèn đường thôn ${i} hỏng đã hai tháng, buổi tối rất nguy hiểm`,
    sector: 'transport',
    photoRefs: [],
    ...overrides,
  };
}

const settle = (p: Promise<unknown>): Promise<'stored' | 'refused' | 'failed'> =>
  p.then(
    () => 'stored' as const,
    (err: unknown) => (err instanceof DailyLimitReached ? ('refused' as const) : ('failed' as const)),
  );

describe('the daily complaint cap', () => {
  it('lets exactly the cap through 16 parallel submits over two connections', async () => {
    const second = await openDatabase({ uri: testMongoUri(), dbName: db.connection.name, embeddedDataDir: '', logger: silentLogger() });
    try {
      const options = { directory: fixed(directory), holidays, clock: () => MONDAY_10AM, dailyLimit: LIMIT };
      const services = [
        createComplaintService({ db, owner: 'one', ...options }),
        createComplaintService({ db: second, owner: 'two', ...options }),
      ];
      const outcomes = await Promise.all(
        Array.from({ length: 16 }, (_, i) => settle(services[i % 2].submit(draft('parallel', i), MONDAY_10AM))),
      );
      expect(outcomes.filter((o) => o === 'stored')).toHaveLength(LIMIT);
      expect(outcomes.filter((o) => o === 'refused')).toHaveLength(16 - LIMIT);
      expect(await db.models.Complaint.countDocuments({ channel: 'web', userId: /^fresh-session-parallel-/ })).toBe(LIMIT);
      expect(await services[0].countToday('web', 'parallel', MONDAY_10AM)).toBe(LIMIT);
      // The next day starts afresh.
      const tomorrow = new Date(MONDAY_10AM.getTime() + 24 * 3_600_000);
      await expect(services[0].submit(draft('parallel', 99), tomorrow)).resolves.toMatchObject({ duplicate: false });
    } finally {
      await second.close();
    }
  });

  it('counts a re-sent draft once, and still gives its code at the cap', async () => {
    const service = createComplaintService({ db, directory: fixed(directory), holidays, clock: () => MONDAY_10AM, dailyLimit: 2 });
    const first = await service.submit(draft('resend', 1), MONDAY_10AM);
    const again = await service.submit(draft('resend', 1), MONDAY_10AM);
    expect(again).toMatchObject({ code: first.code, duplicate: true });
    expect(await service.countToday('web', 'resend', MONDAY_10AM)).toBe(1);
    await service.submit(draft('resend', 2), MONDAY_10AM);
    await expect(service.submit(draft('resend', 3), MONDAY_10AM)).rejects.toBeInstanceOf(DailyLimitReached);
    await expect(service.submit(draft('resend', 1), MONDAY_10AM)).resolves.toMatchObject({ code: first.code, duplicate: true });
  });

  it(
    'holds across two service processes submitting 10 complaints each at once',
    async () => {
      const script = join(__dirname, 'support', 'submit-process.ts');
      const children: ChildProcess[] = [];
      try {
        const runs = ['p1', 'p2'].map((owner) => {
          const child = spawn(process.execPath, ['--import', 'tsx', script], {
            cwd: join(__dirname, '..', '..'),
            env: {
              ...process.env,
              TEST_MONGODB_URI: testMongoUri(),
              CAP_DB_NAME: db.connection.name,
              CAP_NOW: MONDAY_10AM.toISOString(),
              CAP_OWNER: owner,
              CAP_LIMIT: String(LIMIT),
              SUBMITS: '10',
            },
            stdio: ['pipe', 'pipe', 'pipe'],
          });
          children.push(child);
          let out = '';
          let err = '';
          child.stderr.on('data', (c: Buffer) => (err += c.toString()));
          const ready = new Promise<void>((resolve, reject) => {
            child.stdout.on('data', (c: Buffer) => {
              out += c.toString();
              if (out.includes('ready')) resolve();
            });
            child.once('exit', (code) => reject(new Error(`${owner} exited (${code}): ${err}`)));
          });
          const result = new Promise<{ stored: number; refused: number; failed: number }>((resolve, reject) =>
            child.once('exit', () => {
              const line = out.split('\n').find((l) => l.startsWith('{'));
              if (line) resolve(JSON.parse(line));
              else reject(new Error(`${owner} printed no result: ${err}`));
            }),
          );
          return { child, ready, result };
        });
        await Promise.all(runs.map((r) => r.ready));
        for (const r of runs) r.child.stdin.write('go\n');
        const results = await Promise.all(runs.map((r) => r.result));
        const total = results.reduce((sum, r) => ({
          stored: sum.stored + r.stored,
          refused: sum.refused + r.refused,
          failed: sum.failed + r.failed,
        }));
        expect(total).toEqual({ stored: LIMIT, refused: 20 - LIMIT, failed: 0 });
        expect(await db.models.Complaint.countDocuments({ userId: /^session-p[12]-/ })).toBe(LIMIT);
      } finally {
        for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
        await Promise.all(children.map(exited));
      }
    },
    SETUP_TIMEOUT_MS,
  );
});
