/**
 * `npm run bench`: prints figures for the matcher, the procedure catalog, the complaint path,
 * the webhooks, the console's reports and a news broadcast.
 * `npm run bench -- webhook complaint` runs only the parts named (nlu, catalog, complaint,
 * webhook, report, broadcast), in that order.
 * A script that prints numbers, not a timed test: compare runs on the same machine.
 * Sizes: BENCH_COMPLAINTS, BENCH_TG_UPDATES, BENCH_ZALO_EVENTS, BENCH_USERS,
 * BENCH_REPORT_COMPLAINTS, BENCH_REPORT_QUESTIONS, BENCH_SUBSCRIBERS; the isolation part:
 * BENCH_SECOND_CITIZENS, BENCH_ISOLATION_ROUNDS, BENCH_ISOLATION_PHASE_S; MONGODB_URI
 * to measure on a real MongoDB instead of the embedded FerretDB.
 */
import { runBroadcastBench } from './broadcast-bench';
import { runComplaintBench } from './complaint-bench';
import { runNluBench } from './nlu-bench';
import { runReportBench } from './report-bench';
import { runCatalogBench } from './catalog-bench';
import { runWebhookBench } from './webhook-bench';

const PARTS: readonly [string, () => Promise<void>][] = [
  ['nlu', () => runNluBench()],
  ['catalog', () => runCatalogBench()],
  ['complaint', () => runComplaintBench()],
  ['webhook', () => runWebhookBench()],
  ['report', () => runReportBench()],
  ['broadcast', () => runBroadcastBench()],
];

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !PARTS.some(([part]) => part === name));
  if (unknown.length > 0) throw new Error(`unknown bench part ${unknown.join(', ')}; parts: ${PARTS.map(([p]) => p).join(', ')}`);
  console.log(`node ${process.version}, ${process.platform}/${process.arch}`);
  for (const [name, run] of PARTS) if (wanted.length === 0 || wanted.includes(name)) await run();
}

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});
