/** The complaint use cases over the test database's real MongoDB adapters (no mock of our storage). */
import type { ChannelName } from '../../src/core/messages';
import type { PhotoFetcher } from '../../src/complaints/complaint-photos';
import type { HolidayCalendar } from '../../src/complaints/holiday-calendar';
import { ComplaintUseCases } from '../../src/complaints/use-cases/complaint-use-cases';
import type { ComplaintObserver, DirectorySource } from '../../src/complaints/use-cases/ports';
import { silentLogger, type Logger } from '../../src/infra/logger';
import type { Database } from '../../src/storage/mongo/database';
import { mongoComplaintPorts } from '../../src/storage/mongo/mongo-complaint-ports';

export interface TestServiceOptions {
  readonly db: Database;
  readonly directory: DirectorySource;
  readonly holidays: HolidayCalendar;
  readonly clock?: () => Date;
  readonly logger?: Logger;
  readonly photoFetchers?: Partial<Record<ChannelName, PhotoFetcher>>;
  readonly owner?: string;
  readonly newCode?: () => string;
  readonly newPin?: () => string;
  readonly dailyLimit?: number;
  readonly observer?: ComplaintObserver;
}

export function createComplaintService(options: TestServiceOptions): ComplaintUseCases {
  const clock = options.clock ?? (() => new Date());
  return new ComplaintUseCases({
    ...mongoComplaintPorts(options.db, options.owner ?? 'test-process', clock),
    directory: options.directory,
    holidays: options.holidays,
    clock,
    logger: options.logger ?? silentLogger(),
    ...(options.photoFetchers ? { photoFetchers: options.photoFetchers } : {}),
    ...(options.newCode ? { newCode: options.newCode } : {}),
    ...(options.newPin ? { newPin: options.newPin } : {}),
    ...(options.dailyLimit ? { dailyLimit: options.dailyLimit } : {}),
    ...(options.observer ? { observer: options.observer } : {}),
  });
}
