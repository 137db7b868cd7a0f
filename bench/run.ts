/**
 * `npm run bench`: prints figures for the matcher, the complaint path and the webhooks.
 * A script that prints numbers, not a timed test: compare runs on the same machine.
 */
import { runNluBench } from './nlu-bench';

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${process.platform}/${process.arch}`);
  await runNluBench();
}

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});
