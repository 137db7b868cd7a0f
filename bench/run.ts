/**
 * `npm run bench`: prints figures for the matcher, the procedure catalog, the complaint path,
 * the webhooks, the console's reports and a news broadcast.
 * A script that prints numbers, not a timed test: compare runs on the same machine.
 * Sizes: BENCH_COMPLAINTS, BENCH_TG_UPDATES, BENCH_ZALO_EVENTS, BENCH_USERS,
 * BENCH_REPORT_COMPLAINTS, BENCH_REPORT_QUESTIONS, BENCH_SUBSCRIBERS; MONGODB_URI
 * to measure on a real MongoDB instead of the embedded FerretDB.
 */
import { runBroadcastBench } from './broadcast-bench';
import { runComplaintBench } from './complaint-bench';
import { runNluBench } from './nlu-bench';
import { runReportBench } from './report-bench';
import { runCatalogBench } from './catalog-bench';
import { runWebhookBench } from './webhook-bench';

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${process.platform}/${process.arch}`);
  await runNluBench();
  await runCatalogBench();
  await runComplaintBench();
  await runWebhookBench();
  await runReportBench();
  await runBroadcastBench();
}

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});
