/**
 * Backup and restore against the test run's real server: complaints filed and handled
 * through the complaint service, backed up in mongodump's format, the database wiped,
 * restored — the same documents byte for byte (complaints, deliveries, notifications,
 * history, claims), the same indexes, and the service reads them as before. The CLIs
 * are run as an operator would run them.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mongoose, { type mongo } from 'mongoose';
import type { Actor, ComplaintDraft } from '../../src/complaints/complaint-service';
import type { ComplaintUseCases } from '../../src/complaints/use-cases/complaint-use-cases';
import { createComplaintService } from '../support/complaint-service';
import type { Database } from '../../src/storage/mongo/database';
import { CorruptDumpError } from '../../src/storage/dump/bson-file';
import { dumpDatabase, restoreDatabase, RestoreTargetNotEmptyError } from '../../src/storage/dump/database-dump';
import { fixed, loadSampleDirectory, loadTestHolidays, MONDAY_10AM, SETUP_TIMEOUT_MS } from '../complaints/complaint-test-kit';
import { dropTestDatabase, openTestDatabase, testMongoUri } from '../support/database';
import { PROJECT_ROOT } from '../e2e/support/service-process';

jest.setTimeout(120_000);

const { Int32, Double, Long, Binary, ObjectId } = mongoose.mongo;
const DAK_HA: Actor = { kind: 'officer', id: '100000001', agencyId: 'ubnd-huyen-dak-ha' };

/** Every collection's documents as raw BSON (sorted, so order does not matter) and its indexes. */
async function snapshot(db: mongo.Db): Promise<Record<string, { documents: string[]; indexes: unknown[] }>> {
  const result: Record<string, { documents: string[]; indexes: unknown[] }> = {};
  for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
    const raw = (await db.collection(name).find({}, { raw: true }).toArray()) as unknown as Buffer[];
    const indexes = (await db.collection(name).listIndexes().toArray())
      .map(({ name: indexName, key, unique }) => ({ name: indexName as string, key: key as unknown, unique: unique === true }))
      .sort((a, b) => a.name.localeCompare(b.name));
    result[name] = { documents: raw.map((b) => Buffer.from(b).toString('hex')).sort(), indexes };
  }
  return result;
}

function draft(n: number): ComplaintDraft {
  return {
    channel: 'telegram',
    userId: `backup-citizen-${n}`,
    locale: 'vi',
    text: `Cán bộ huyện Đăk Hà đòi tiền mới giải quyết hồ sơ số ${n}`,
    sector: 'officer_conduct',
    localityId: 'huyen-dak-ha',
    photoRefs: [],
    contact: { name: `Nguyễn Văn ${n}`, phone: `09051234${String(n).padStart(2, '0')}` },
  };
}

describe('backup and restore (mongodump format)', () => {
  let db: Database;
  let service: ComplaintUseCases;
  let codes: string[];
  let before: Awaited<ReturnType<typeof snapshot>>;
  const work = mkdtempSync(join(tmpdir(), 'cchc-backup-'));
  const others: Database[] = [];
  const otherDb = async (prefix: string): Promise<Database> => {
    const other = await openTestDatabase(prefix);
    others.push(other);
    return other;
  };

  beforeAll(async () => {
    const [database, directory, holidays] = await Promise.all([openTestDatabase('backup'), loadSampleDirectory(), loadTestHolidays()]);
    db = database;
    service = createComplaintService({ db, directory: fixed(directory), holidays, clock: () => MONDAY_10AM });
    codes = [];
    for (const n of [1, 2, 3]) codes.push((await service.submit(draft(n), MONDAY_10AM)).code);
    await service.acknowledge(codes[0], DAK_HA, 'Đã nhận');
    await service.answer(codes[0], DAK_HA, 'Đoàn kiểm tra sẽ làm việc với cán bộ xã.');
    await service.transfer(codes[1], DAK_HA, 'so-noi-vu', 'Thuộc thẩm quyền Sở Nội vụ');
    await db.claims.tryClaim(`delivery:${codes[2]}:forwarded:1:email#1`, 'backup-test');
    // Values whose BSON type a careless copy would change (no Decimal128: FerretDB v1 drops a connection that sends one).
    await db.connection.db!.collection('types').insertOne({
      _id: new ObjectId('65f000000000000000000001'),
      int32: new Int32(5),
      double: new Double(5),
      long: Long.fromString('9007199254740993'),
      binary: new Binary(Buffer.from([0, 1, 2, 255])),
      date: new Date('2025-03-10T03:00:00Z'),
      nested: [{ a: [1, 2.5, 'ba'] }, null, true],
      vietnamese: 'Phản ánh, kiến nghị — Đăk Hà',
    });
    before = await snapshot(db.connection.db!);
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    for (const other of others) await dropTestDatabase(other);
    await dropTestDatabase(db);
    rmSync(work, { recursive: true, force: true });
  });

  it('backup → wipe → restore gives the same complaints, deliveries, notifications, history and indexes', async () => {
    expect(Object.keys(before)).toEqual(expect.arrayContaining(['complaints', 'deliveries', 'notifications', 'claims', 'types']));
    expect(before.deliveries.documents.length).toBeGreaterThan(3);

    const summary = await dumpDatabase(db.connection.db!, join(work, 'plain'));
    expect(summary.dir).toBe(join(work, 'plain', db.connection.db!.databaseName));
    expect(readdirSync(summary.dir)).toEqual(expect.arrayContaining(['complaints.bson', 'complaints.metadata.json']));
    const complaints = summary.collections.find((c) => c.name === 'complaints');
    expect(complaints).toMatchObject({ documents: 3 });
    const metadata = JSON.parse(readFileSync(join(summary.dir, 'complaints.metadata.json'), 'utf8')) as Record<string, unknown>;
    expect(metadata).toMatchObject({ collectionName: 'complaints', type: 'collection' });
    expect(metadata.indexes).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: '_id_', key: { _id: { $numberInt: '1' } } })]),
    );

    await db.connection.dropDatabase();
    expect(await snapshot(db.connection.db!)).toEqual({});

    await restoreDatabase(db.connection.db!, summary.dir);
    expect(await snapshot(db.connection.db!)).toEqual(before);

    const restored = await service.getForAgency(codes[0], 'ubnd-huyen-dak-ha');
    expect(restored.ok && restored.complaint.history.map((h) => h.action)).toEqual(['submitted', 'acknowledged', 'answered']);
    expect(restored.ok && restored.complaint.answers.map((a) => a.text)).toEqual(['Đoàn kiểm tra sẽ làm việc với cán bộ xã.']);
    expect(await service.getForAgency(codes[1], 'so-noi-vu')).toMatchObject({ ok: true });
    expect(await db.claims.tryClaim(`delivery:${codes[2]}:forwarded:1:email#1`, 'someone-else')).toBe(false);
  });

  it('gzip dumps restore the same; a non-empty target is refused unless --drop', async () => {
    const summary = await dumpDatabase(db.connection.db!, join(work, 'gzip'), { gzip: true });
    expect(readdirSync(summary.dir)).toEqual(expect.arrayContaining(['complaints.bson.gz', 'complaints.metadata.json.gz']));
    const target = await otherDb('restore_gz');
    await restoreDatabase(target.connection.db!, summary.dir);
    expect(await snapshot(target.connection.db!)).toEqual(before);

    await expect(restoreDatabase(target.connection.db!, summary.dir)).rejects.toBeInstanceOf(RestoreTargetNotEmptyError);
    await target.connection.db!.collection('complaints').insertOne({ _id: 'PA-EXTRA1' as never, status: 'received' });
    await restoreDatabase(target.connection.db!, summary.dir, { drop: true });
    expect(await snapshot(target.connection.db!)).toEqual(before);
  });

  it('a damaged file is reported by name and nothing is restored from that dump', async () => {
    const summary = await dumpDatabase(db.connection.db!, join(work, 'damaged'));
    const file = join(summary.dir, 'complaints.bson');
    truncateSync(file, readFileSync(file).length - 7);
    const target = await otherDb('restore_damaged');
    await expect(restoreDatabase(target.connection.db!, summary.dir)).rejects.toThrow(CorruptDumpError);
    await expect(restoreDatabase(target.connection.db!, summary.dir)).rejects.toThrow(/complaints\.bson: .*cut-off document/);
    expect(Object.values(await snapshot(target.connection.db!)).flatMap((c) => c.documents)).toEqual([]);
    writeFileSync(file, Buffer.from([1, 0, 0, 0, 0]));
    await expect(restoreDatabase(target.connection.db!, summary.dir, { drop: true })).rejects.toThrow(/impossible document length 1/);
    await expect(restoreDatabase(target.connection.db!, join(work, 'damaged'))).rejects.toThrow(/holds no mongodump files/);
  });

  it('npm run backup / npm run restore do the same from the command line', async () => {
    const run = promisify(execFile);
    const tsx = join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
    const target = await otherDb('restore_cli');
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', MONGODB_URI: testMongoUri(), LOG_LEVEL: 'warn' };
    const out = join(work, 'cli');
    const backup = await run(tsx, ['src/cli/backup.ts', '--out', out], {
      cwd: PROJECT_ROOT,
      env: { ...env, MONGODB_DB: db.connection.db!.databaseName },
    });
    expect(backup.stdout).toMatch(/complaints\s+3 documents/);
    const restore = await run(tsx, ['src/cli/restore.ts', '--from', out], {
      cwd: PROJECT_ROOT,
      env: { ...env, MONGODB_DB: target.connection.db!.databaseName },
    });
    expect(restore.stdout).toMatch(/complaints\s+3 documents/);
    expect(await snapshot(target.connection.db!)).toEqual(before);
  });
});
