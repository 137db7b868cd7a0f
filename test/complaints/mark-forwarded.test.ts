import type { ComplaintUseCases } from '../../src/complaints/use-cases/complaint-use-cases';
import { createComplaintService } from '../support/complaint-service';
import type { Database } from '../../src/storage/mongo/database';
import { dropTestDatabase, openTestDatabase } from '../support/database';
import { MONDAY_10AM, fixed, loadSampleDirectory, loadTestHolidays, SETUP_TIMEOUT_MS } from './complaint-test-kit';

let db: Database;
let service: ComplaintUseCases;

beforeAll(async () => {
  const [database, directory, holidays] = await Promise.all([openTestDatabase('forwarded'), loadSampleDirectory(), loadTestHolidays()]);
  db = database;
  service = createComplaintService({ db, directory: fixed(directory), holidays, clock: () => MONDAY_10AM });
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await dropTestDatabase(db);
});

it('marks a received complaint forwarded once, even when two transports succeed at the same time', async () => {
  const submitted = await service.submit({
    channel: 'web',
    userId: 'u-forwarded',
    locale: 'vi',
    text: 'cán bộ xã Đăk Mar đòi tiền mới giải quyết hồ sơ đất',
    sector: 'officer_conduct',
    localityId: undefined,
    photoRefs: [],
  });
  await Promise.all([service.markForwarded(submitted.code, submitted.agencyId), service.markForwarded(submitted.code, submitted.agencyId)]);
  const doc = await db.models.Complaint.findOne({ code: submitted.code }).lean();
  expect(doc?.status).toBe('forwarded');
  expect(doc?.history.filter((h) => h.action === 'forwarded')).toHaveLength(1);
});

it('does not touch a complaint routed to another agency', async () => {
  const submitted = await service.submit({
    channel: 'web',
    userId: 'u-forwarded-2',
    locale: 'vi',
    text: 'điện nhà tôi bị cắt nhiều lần không báo trước',
    sector: 'electricity',
    localityId: undefined,
    photoRefs: [],
  });
  await service.markForwarded(submitted.code, 'some-other-agency');
  expect((await db.models.Complaint.findOne({ code: submitted.code }).lean())?.status).toBe('received');
});
