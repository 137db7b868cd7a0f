/**
 * Complaint benchmark: complaints stored per second through the whole conversation path
 * (buildApp's ConversationEngine + ComplaintFlow + the complaint use cases +
 * MongoConversationStore, the repo's real content and directory) beside raw
 * `Complaint.create` inserts of the same documents into the same database, so the cost
 * of the conversation (state reads/writes, routing, deadline, outbox planning) shows as
 * a ratio rather than as an absolute that depends on the machine. Rounds alternate the
 * two (each conversation round is followed by raw inserts of copies of the complaints it
 * stored) and the median ratio is printed, so a change of load on a shared machine moves
 * both sides. The database round-trips per complaint are counted with the driver's
 * command monitor (the question log's group inserts included).
 *
 * The database is MONGODB_URI when set (a database of its own, dropped at the end), else
 * an embedded FerretDB started in a temporary folder that is deleted at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { buildApp, type App } from '../src/app';
import { loadConfig } from '../src/config';
import type { Reply } from '../src/core/messages';
import { silentLogger } from '../src/infra/logger';
import { startEmbeddedMongo } from '../src/storage/embedded-ferretdb';
import { fmt, heading, percentile, rssMb } from './bench-util';

/** A MongoDB-protocol server for one benchmark section. */
export interface BenchMongo {
  readonly uri: string;
  /** A database name no earlier run used. */
  readonly dbName: string;
  readonly description: string;
  /** Drops the database (MONGODB_URI) or stops FerretDB and deletes its folder. */
  close(dropDatabase: () => Promise<void>): Promise<void>;
}

/** MONGODB_URI when set, else a fresh embedded FerretDB in a temporary folder. */
export async function openBenchMongo(section: string): Promise<BenchMongo> {
  const dbName = `bench_${section}_${Date.now().toString(36)}`;
  const external = process.env.MONGODB_URI?.trim();
  if (external) {
    return { uri: external, dbName, description: `MONGODB_URI (database ${dbName}, dropped afterwards)`, close: (drop) => drop() };
  }
  const dataDir = mkdtempSync(join(tmpdir(), `cchc-bench-${section}-`));
  const embedded = await startEmbeddedMongo({ dataDir });
  return {
    uri: embedded.uri,
    dbName,
    description: `embedded FerretDB v1 (SQLite) in ${dataDir}`,
    close: async () => {
      await embedded.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Environment for buildApp: quiet, no file watching, loopback only; `extra` adds channels. */
export function benchEnv(mongo: BenchMongo, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    MONGODB_URI: mongo.uri,
    MONGODB_DB: mongo.dbName,
    WATCH_CONTENT: 'false',
    FORWARDING_MODE: 'noop',
    ...extra,
  };
}

/** Described complaints: the flow infers field and place, so it asks only for a contact. */
const TRIGGERS = [
  'can bo xa dak ha doi tien moi giai quyet ho so dat',
  'cán bộ xã Đăk Hà đòi tiền mới giải quyết hồ sơ đất đai cho dân',
  'cán bộ huyện Đăk Hà gây khó dễ, đòi tiền khi làm hồ sơ cấp sổ đỏ',
  'can bo xa dak ha hach dich nguoi dan khi lam ho so dat dai',
];

/** Longer than the question log's group-commit delay (200 ms), so its last insert of a round is counted in that round. */
const QUESTION_LOG_SETTLE_MS = 400;

/** Raw inserts per complaint of a round: a raw round of N inserts is too short to time on a busy machine. */
const RAW_PER_COMPLAINT = 3;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

interface RunResult {
  readonly seconds: number;
  readonly latenciesMs: number[];
}

/** Runs `count` tasks with at most `concurrency` in flight; per-task latencies in ms. */
async function runPool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<RunResult> {
  const latenciesMs: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const t0 = performance.now();
      await task(i);
      latenciesMs.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  latenciesMs.sort((a, b) => a - b);
  return { seconds: (performance.now() - started) / 1000, latenciesMs };
}

/**
 * One citizen files one complaint: describe → skip the contact → confirm. Each message
 * carries its place in the citizen's line as the inbound pipeline gives it (turn k after
 * turn k−1), so the engine may trust the state it wrote in the turn before; the
 * pipeline's own ticket round-trips are measured by the webhook bench, not here.
 */
async function fileComplaint(app: App, userId: string, text: string): Promise<void> {
  const steps: [string, string][] = [
    [text, 'complaint:contact'],
    ['#pa:skip', 'complaint:summary'],
    ['#pa:confirm', 'complaint:submitted'],
  ];
  for (const [k, [input, expected]] of steps.entries()) {
    const turn = { id: `${userId}#${k + 1}`, ...(k > 0 ? { after: `${userId}#${k}` } : {}) };
    const reply: Reply = await app.engine.handle({ channel: 'telegram', userId, text: input, turn });
    if (reply.intent !== expected) throw new Error(`complaint flow: expected ${expected}, got ${reply.intent} (user ${userId})`);
  }
}

/** A stored complaint made into a new document: same content, fresh code and submission key. */
function rawCopy(doc: Record<string, unknown>, i: number, tag: string): Record<string, unknown> {
  const copy: Record<string, unknown> = {
    ...doc,
    code: `${tag}-${i}-${String(doc.code)}`,
    submissionKey: `${tag}:${i}:${String(doc.submissionKey)}`,
  };
  for (const key of ['_id', '__v', 'createdAt', 'updatedAt']) delete copy[key];
  return copy;
}

function line(label: string, count: number, run: RunResult, unit: string): number {
  const rate = count / run.seconds;
  console.log(
    `${label}: ${fmt(rate, 1)} ${unit}/s (${count} in ${fmt(run.seconds, 2)} s); p50 ${fmt(percentile(run.latenciesMs, 50), 1)} ms, p99 ${fmt(percentile(run.latenciesMs, 99), 1)} ms per ${unit.replace(/s$/, '')}`,
  );
  return rate;
}

/**
 * What one complaint costs besides its insert: the flow looks complaints up by code,
 * submission key and (channel, user, createdAt). Timed here at the final collection size,
 * beside a lookup by _id, because on a server that scans instead of using the secondary
 * indexes these costs grow with the collection.
 */
async function printLookupCosts(app: App): Promise<void> {
  const { Complaint, Conversation } = app.db.models;
  const size = await Complaint.countDocuments({});
  const sample = await Complaint.findOne({ userId: /^c1-/ }).sort({ _id: -1 }).lean();
  if (!sample) return;
  const time = async (f: () => Promise<unknown>): Promise<number> => {
    const started = performance.now();
    for (let i = 0; i < 5; i++) await f();
    return (performance.now() - started) / 5;
  };
  // The service reads one complaint by _id (its code); a {code} filter would scan on FerretDB.
  const byCode = await time(() => Complaint.findById(sample.code).lean());
  const byKey = await time(() => Complaint.findOne({ submissionKey: 'absent' }).lean());
  const bySince = await time(() =>
    Complaint.countDocuments({ channel: sample.channel, userId: sample.userId, createdAt: { $gte: new Date(0) } }),
  );
  const byId = await time(() => Conversation.findById(`telegram:${sample.userId}`).lean());
  console.log(
    `lookups at ${size} complaints: findById(code) of a recent complaint ${fmt(byCode, 1)} ms, findOne({submissionKey}) not found (a scan on FerretDB; only done for a duplicate submission) ${fmt(byKey, 1)} ms, ` +
      `countDocuments({channel,userId,createdAt}) (a scan; not on the path: the daily cap reads a counter by _id) ${fmt(bySince, 1)} ms; conversations findById ${fmt(byId, 1)} ms`,
  );
}

export interface ComplaintBenchOptions {
  /** Complaints per round (one round per concurrency level); default 100 (BENCH_COMPLAINTS). */
  readonly complaints?: number;
  /** Citizens filing at the same time in the concurrent round; default 8. */
  readonly concurrency?: number;
  /** Rounds per concurrency level (conversation path, then raw inserts); default 3 (BENCH_ROUNDS). */
  readonly rounds?: number;
}

export async function runComplaintBench(options: ComplaintBenchOptions = {}): Promise<void> {
  const n = options.complaints ?? Number(process.env.BENCH_COMPLAINTS ?? 100);
  const concurrency = options.concurrency ?? 8;
  const rounds = options.rounds ?? Number(process.env.BENCH_ROUNDS ?? 3);
  const summary: string[] = [];
  const mongo = await openBenchMongo('complaints');
  let app: App | undefined;
  try {
    const config = loadConfig(benchEnv(mongo));
    app = await buildApp(config, silentLogger());
    const withWorkers = process.env.BENCH_WORKERS === '1';
    if (withWorkers) await app.start({ http: false });
    const models = app.db.models;
    heading('complaints: full conversation path vs raw inserts');
    console.log(`database: ${mongo.description}`);
    console.log(
      'path: ConversationEngine → ComplaintFlow → complaint use cases (+ MongoConversationStore), real content and directory (buildApp)',
    );
    console.log(
      withWorkers
        ? 'outbox workers: running (noop transports)'
        : 'outbox workers: not started (BENCH_WORKERS=1 starts them), so only the conversation path loads the database',
    );
    console.log(
      `each complaint = 3 turns (described problem → skip contact → confirm); N = ${n} complaints per round, ${rounds} rounds per concurrency, each followed by ${RAW_PER_COMPLAINT}×N raw inserts`,
    );

    const engineApp = app;
    // Warm-up: JIT, connection pool, first index pages.
    await runPool(10, 4, (i) => fileComplaint(engineApp, `warm-${i}`, TRIGGERS[i % TRIGGERS.length]));

    // Rounds alternate the two paths (conversation, then raw inserts of the documents it just
    // stored), so a load change on a shared machine hits both sides of a ratio alike; the
    // median ratio is the figure.
    for (const c of [1, concurrency]) {
      const ratios: number[] = [];
      const trips: number[] = [];
      for (let r = 1; r <= rounds; r++) {
        const prefix = `c${c}-r${r}-citizen-`;
        const before = await models.Complaint.countDocuments({});
        const commandsBefore = engineApp.db.commands.total;
        const run = await runPool(n, c, (i) => fileComplaint(engineApp, `${prefix}${i}`, TRIGGERS[i % TRIGGERS.length]));
        // The question log's group insert of the round's last records, after the timing (it is off the reply's path).
        await new Promise((resolve) => setTimeout(resolve, QUESTION_LOG_SETTLE_MS));
        trips.push((engineApp.db.commands.total - commandsBefore) / n);
        const after = await models.Complaint.countDocuments({});
        if (after - before !== n) throw new Error(`expected ${n} complaints stored, found ${after - before}`);
        const flow = line(`round ${r}, ${c} at a time: conversation path (complaints ${before} → ${after})`, n, run, 'complaints');

        const templates = (await models.Complaint.find({ userId: new RegExp(`^${prefix}`) }).lean()) as unknown as Record<
          string,
          unknown
        >[];
        const rawCount = n * RAW_PER_COMPLAINT;
        const rawBefore = await models.Complaint.countDocuments({});
        const raw = await runPool(rawCount, c, async (i) => {
          await models.Complaint.create(rawCopy(templates[i % templates.length], i, `RAW${c}-${r}`));
        });
        const rawRate = line(
          `round ${r}, ${c} at a time: raw Complaint.create of copies of those documents (complaints ${rawBefore} → ${rawBefore + rawCount})`,
          rawCount,
          raw,
          'inserts',
        );
        ratios.push(flow / rawRate);
      }
      summary.push(
        `conversation path / raw create, ${c} at a time: median ${fmt(median(ratios), 3)}× (rounds: ${ratios.map((x) => fmt(x, 3)).join(', ')}); ` +
          `database round-trips per complaint (3 turns, command monitor, with the question log's group inserts): ${trips.map((x) => fmt(x, 2)).join(', ')}` +
          (withWorkers ? ' (workers running: includes their polls)' : ''),
      );
    }
    const submitCommands = await engineApp.db.commands.record(() =>
      engineApp.complaints.submit({
        channel: 'telegram',
        userId: 'rt-probe',
        locale: 'vi',
        text: TRIGGERS[1],
        sector: 'officer_conduct',
        photoRefs: [],
      }),
    );
    const templates = (await models.Complaint.find({ userId: /^c1-r1-/ })
      .limit(n)
      .lean()) as unknown as Record<string, unknown>[];
    const t0 = performance.now();
    await models.Complaint.insertMany(templates.map((d, i) => rawCopy(d, i, 'BULK')));
    const bulkSeconds = (performance.now() - t0) / 1000;
    console.log(
      `raw Complaint.insertMany (one call): ${fmt(templates.length / bulkSeconds, 1)} documents/s (${templates.length} in ${fmt(bulkSeconds, 2)} s)`,
    );
    console.log(
      `database round-trips of one submission (use case alone): ${submitCommands.commands.length} — ${submitCommands.commands.map((c) => `${c.name} ${c.collection ?? ''}`.trim()).join(', ')}`,
    );
    for (const text of summary) console.log(text);
    await printLookupCosts(app);
    console.log(`resident memory: ${fmt(rssMb(), 0)} MB (whole bench process)`);
  } finally {
    const db = app?.db;
    await app?.stop();
    await mongo.close(async () => {
      if (!db) return;
      // app.stop() closed the connection: reopen one briefly to drop the bench database.
      const conn = await mongoose.createConnection(mongo.uri, { dbName: mongo.dbName, retryWrites: false }).asPromise();
      await conn.dropDatabase();
      await conn.close();
    });
  }
}

if (require.main === module) {
  runComplaintBench().catch((err: Error) => {
    console.error(err);
    process.exit(1);
  });
}
