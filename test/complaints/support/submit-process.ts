/**
 * A service process that files complaints for one citizen (test/complaints/daily-cap.test.ts):
 * it connects, prints "ready", waits for "go" on stdin, submits SUBMITS complaints in
 * parallel and prints one JSON line with how many were stored and how many refused.
 */
import { createInterface } from 'node:readline';
import { DailyLimitReached } from '../../../src/complaints/complaint-service';
import { loadHolidays } from '../../../src/complaints/holiday-calendar';
import { loadDirectory } from '../../../src/complaints/directory/directory-loader';
import { silentLogger } from '../../../src/infra/logger';
import { openDatabase } from '../../../src/storage/mongo/database';
import { createComplaintService } from '../../support/complaint-service';
import { SAMPLE_DIRECTORY_PATH } from '../sample-directory';

async function main(): Promise<void> {
  const env = (key: string): string =>
    process.env[key] ??
    (() => {
      throw new Error(`${key} is not set`);
    })();
  const db = await openDatabase({ uri: env('TEST_MONGODB_URI'), dbName: env('CAP_DB_NAME'), embeddedDataDir: '', logger: silentLogger() });
  const [directory, holidays] = await Promise.all([loadDirectory(SAMPLE_DIRECTORY_PATH), loadHolidays('config/holidays.yaml')]);
  if (!directory.ok || !holidays.ok) throw new Error('sample files invalid');
  const now = new Date(env('CAP_NOW'));
  const service = createComplaintService({
    db,
    directory: { current: () => directory.value },
    holidays: holidays.value,
    clock: () => now,
    owner: env('CAP_OWNER'),
    dailyLimit: Number(env('CAP_LIMIT')),
  });
  console.log('ready');
  const input = createInterface({ input: process.stdin });
  await new Promise<void>((resolve) => input.on('line', (line) => line === 'go' && resolve()));
  input.close();
  const outcomes = await Promise.all(
    Array.from({ length: Number(env('SUBMITS')) }, (_, i) =>
      service
        .submit(
          {
            channel: 'web',
            userId: `session-${env('CAP_OWNER')}-${i}`,
            requesterKey: 'address-of-the-flooder',
            locale: 'vi',
            text: `Đường thôn ${env('CAP_OWNER')} số ${i} bị sạt lở nặng, xe không qua được`,
            sector: 'transport',
            photoRefs: [],
          },
          now,
        )
        .then(
          () => 'stored' as const,
          (err: unknown) => (err instanceof DailyLimitReached ? ('refused' as const) : ('failed' as const)),
        ),
    ),
  );
  const count = (o: string): number => outcomes.filter((x) => x === o).length;
  console.log(JSON.stringify({ stored: count('stored'), refused: count('refused'), failed: count('failed') }));
  await db.close();
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
