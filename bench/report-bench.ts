/**
 * Report benchmark: how long each report of the console takes (its aggregation pipelines)
 * on a database holding BENCH_REPORT_COMPLAINTS complaints (default 5,000) and
 * BENCH_REPORT_QUESTIONS question records (default 20,000) spread over 90 days, for a
 * 30-day period — the coordinator's reports page runs all of them. FerretDB v1 reads the
 * whole collection for each pipeline (it uses only `_id` lookups); MONGODB_URI measures
 * MongoDB with its indexes.
 */
import { join } from 'node:path';
import { loadDirectory } from '../src/complaints/directory/directory-loader';
import { SECTORS } from '../src/complaints/sectors';
import { questionRecord } from '../src/core/question-record';
import { silentLogger } from '../src/infra/logger';
import { COMPLAINT_AND_QUESTION_REPORTS, type ReportLabels } from '../src/reports/report-sections';
import { onePassSource } from '../src/reports/report-source';
import { openDatabase } from '../src/storage/mongo/database';
import { MongoReportSource } from '../src/storage/mongo/mongo-report-source';
import { fmt, heading, percentile } from './bench-util';
import { openBenchMongo } from './complaint-bench';

const DAY = 86_400_000;
const INTENTS = ['proc_birth_registration', 'proc_land_certificate', 'online_payment', 'greeting', 'hotline', 'fallback'];
const RUNS = 3;

export async function runReportBench(): Promise<void> {
  const complaints = Number(process.env.BENCH_REPORT_COMPLAINTS ?? 5000);
  const questions = Number(process.env.BENCH_REPORT_QUESTIONS ?? 20000);
  heading(`reports: ${complaints} complaints, ${questions} question records over 90 days; a 30-day period`);
  const mongo = await openBenchMongo('reports');
  const db = await openDatabase({ uri: mongo.uri, dbName: mongo.dbName, embeddedDataDir: '', logger: silentLogger() });
  try {
    const loaded = await loadDirectory(join(__dirname, '..', 'config', 'directory', 'kontum-2021.yaml'));
    if (!loaded.ok) throw new Error('sample directory does not load');
    const agencies = loaded.value.agencies.map((a) => a.id);
    const now = Date.now();
    const docs = Array.from({ length: complaints }, (_, i) => {
      const createdAt = new Date(now - (i % 90) * DAY - (i % 17) * 3600_000);
      const responded = i % 3 !== 0;
      return {
        _id: `PA-B${String(i).padStart(5, '0')}`,
        code: `PA-B${String(i).padStart(5, '0')}`,
        submissionKey: `bench-${i}`,
        channel: 'web',
        userId: `bench-user-${i}`,
        locale: 'vi',
        text: 'Nội dung phản ánh dùng cho phép đo báo cáo',
        sector: SECTORS[i % SECTORS.length],
        localityId: i % 4 === 0 ? undefined : 'xa-ha-mon',
        agencyId: agencies[i % agencies.length],
        status: responded ? 'answered' : 'forwarded',
        history: [],
        deliveriesPlanned: true,
        dueAt: new Date(createdAt.getTime() + 9 * DAY),
        ...(responded ? { firstResponseAt: new Date(createdAt.getTime() + (i % 12) * DAY), respondedOnTime: i % 12 <= 9 } : {}),
        ...(i % 5 === 0 ? { rating: { score: 1 + (i % 5), at: new Date(createdAt.getTime() + DAY) } } : {}),
        version: 0,
        createdAt,
      };
    });
    for (let i = 0; i < docs.length; i += 1000) await db.models.Complaint.collection.insertMany(docs.slice(i, i + 1000) as never[]);
    const records = Array.from({ length: questions }, (_, i) => {
      const intent = INTENTS[i % INTENTS.length];
      return questionRecord({
        at: new Date(now - (i % 90) * DAY),
        channel: 'web',
        locale: 'vi',
        intent,
        fallback: intent === 'fallback',
        text: `câu hỏi chưa có câu trả lời số ${i % 40} về thủ tục`,
      });
    });
    for (let i = 0; i < records.length; i += 2000) await db.models.QuestionLog.collection.insertMany(records.slice(i, i + 2000));

    const labels: ReportLabels = { agency: (id) => id, sector: (id) => id, locality: (id) => id ?? '-', intent: (id) => id };
    const filter = { from: new Date(now - 30 * DAY), to: new Date(now + DAY) };
    const times = new Map<string, number[]>();
    const pages: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      // One page view: a fresh one-pass source, so a query shared by two reports runs once, as in the console.
      const ctx = { source: onePassSource(new MongoReportSource(db)), labels, now: new Date(now) };
      const pageStarted = performance.now();
      for (const section of COMPLAINT_AND_QUESTION_REPORTS) {
        const started = performance.now();
        await section.load(ctx, filter);
        times.set(section.id, [...(times.get(section.id) ?? []), performance.now() - started]);
      }
      pages.push(performance.now() - pageStarted);
    }
    for (const [id, ms] of times)
      console.log(
        `  ${id.padEnd(12)} median ${fmt(
          percentile(
            [...ms].sort((a, b) => a - b),
            50,
          ),
        )} ms`,
      );
    const page = percentile(
      [...pages].sort((a, b) => a - b),
      50,
    );
    console.log(`  the whole reports page (median of ${RUNS}): ${fmt(page)} ms — ${mongo.description}`);
    console.log('  (indicative: a small machine shared with other work)');
  } finally {
    await mongo.close(() => db.connection.dropDatabase().then(() => undefined));
    await db.close();
  }
}
