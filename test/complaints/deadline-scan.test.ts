import type { DeadlineScanResult } from '../../src/complaints/use-cases/deadline-scan';
import { ScheduledJob } from '../../src/jobs/scheduled-job';
import type { Directory } from '../../src/complaints/directory/directory';
import { HolidayCalendar } from '../../src/complaints/holiday-calendar';
import { addWorkingDays } from '../../src/complaints/working-days';
import { createComplaintService } from '../support/complaint-service';
import { localeTranslator } from '../support/locale-texts';
import { createDeliveryWorker } from '../forwarding/support/delivery-worker';
import { NoopTransport } from '../../src/forwarding/noop-transport';
import { silentLogger } from '../../src/infra/logger';
import type { Database } from '../../src/storage/mongo/database';
import { dropTestDatabase, openTestDatabase } from '../support/database';
import { AGENCY_ID, COORDINATOR_ID, insertComplaint, outboxDirectory, type ComplaintFields } from '../forwarding/support/outbox-fixtures';

/** Vietnam local time → instant ("2025-03-11 10:00"). */
const vn = (local: string): Date => new Date(`${local.replace(' ', 'T')}:00+07:00`);

// Monday 3 March 2025, 10:00 in Vietnam; 7 working days → due Wednesday 12 March, 17:00.
const SUBMITTED = vn('2025-03-03 10:00');
const DUE = addWorkingDays(SUBMITTED, 7, HolidayCalendar.EMPTY);

const DEADLINE_SCANNER_LEASE = 'deadline-scanner';

describe('the deadline job: scanDeadlines under a lease (real FerretDB)', () => {
  let db: Database;
  let directory: Directory;
  let now = SUBMITTED;

  beforeAll(async () => {
    db = await openTestDatabase('deadline_scanner');
    directory = outboxDirectory('http://127.0.0.1:9/unused');
  });

  afterAll(async () => {
    await dropTestDatabase(db);
  });

  beforeEach(async () => {
    await db.models.Complaint.deleteMany({});
    await db.models.Delivery.deleteMany({});
    await db.leases.release(DEADLINE_SCANNER_LEASE, 'scanner-1');
    await db.leases.release(DEADLINE_SCANNER_LEASE, 'scanner-2');
  });

  /** The job as app-background.ts builds it, with the scan's figures. */
  function scanner(owner = 'scanner-1') {
    const service = createComplaintService({
      db,
      directory: { current: () => directory },
      holidays: HolidayCalendar.EMPTY,
      clock: () => now,
      owner,
    });
    const job = new ScheduledJob({
      name: DEADLINE_SCANNER_LEASE,
      intervalMs: 60_000,
      logger: silentLogger(),
      lease: { leases: db.leases, owner },
      clock: () => now,
      run: () => service.scanDeadlines(now),
    });
    return {
      async runOnce(): Promise<{ leased: boolean } & DeadlineScanResult> {
        const round = await job.runOnce();
        return round.ran ? { leased: true, ...(round.result as DeadlineScanResult) } : { leased: false, reminded: 0, overdue: 0 };
      },
      stop: () => job.stop(),
    };
  }

  const submitted = (extra: ComplaintFields = {}): ComplaintFields => ({
    createdAt: SUBMITTED,
    dueAt: DUE,
    history: [{ at: SUBMITTED, action: 'submitted', actor: { kind: 'citizen', id: 'citizen' } }],
    ...extra,
  });

  const deliveries = () => db.models.Delivery.find({}).sort({ idempotencyKey: 1 }).lean();

  it('reminds the agency once, one working day before the deadline', async () => {
    expect(DUE.toISOString()).toBe('2025-03-12T10:00:00.000Z');
    const code = await insertComplaint(db, submitted());
    const s = scanner();

    now = vn('2025-03-10 10:00'); // Monday: two working days left
    expect(await s.runOnce()).toEqual({ leased: true, reminded: 0, overdue: 0 });

    now = vn('2025-03-11 10:00'); // Tuesday: one working day left
    expect(await s.runOnce()).toEqual({ leased: true, reminded: 1, overdue: 0 });
    now = vn('2025-03-11 16:00');
    expect(await s.runOnce()).toEqual({ leased: true, reminded: 0, overdue: 0 });

    const docs = await deliveries();
    expect(docs).toHaveLength(1);
    expect(docs[0]).toMatchObject({
      idempotencyKey: `${code}:reminder:${DUE.toISOString()}:webhook`,
      agencyId: AGENCY_ID,
      event: 'complaint.reminder',
      transport: 'webhook',
      state: 'pending',
    });
    expect(docs[0].notices).toEqual([{ key: 'agency.note.reminder', params: { code, dueAt: DUE.toISOString(), left: '1' } }]);
    expect((await db.models.Complaint.findById(code).lean())?.reminderSentAt).toEqual(vn('2025-03-11 10:00'));
  });

  it('skips the weekend when counting: a Monday deadline is reminded on Friday', async () => {
    const due = vn('2025-03-17 17:00'); // Monday
    await insertComplaint(db, submitted({ dueAt: due }));
    now = vn('2025-03-13 10:00'); // Thursday: 2 working days left (Fri, Mon)
    expect((await scanner().runOnce()).reminded).toBe(0);
    now = vn('2025-03-14 10:00'); // Friday: 1 left
    expect((await scanner().runOnce()).reminded).toBe(1);
  });

  it('alerts the coordinator once when a complaint is overdue; resolved and answered ones are left alone', async () => {
    const code = await insertComplaint(db, submitted());
    await insertComplaint(db, submitted({ status: 'resolved' }));
    await insertComplaint(db, submitted({ status: 'answered' }));
    const s = scanner();
    now = vn('2025-03-12 16:59');
    expect((await s.runOnce()).overdue).toBe(0);
    now = vn('2025-03-13 09:00');
    expect(await s.runOnce()).toMatchObject({ leased: true, overdue: 1 });
    expect(await s.runOnce()).toMatchObject({ leased: true, overdue: 0 });
    now = vn('2025-03-20 09:00');
    expect(await s.runOnce()).toMatchObject({ overdue: 0 });

    const alerts = (await deliveries()).filter((d) => d.event === 'complaint.overdue');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      idempotencyKey: `${code}:overdue:${DUE.toISOString()}:email`,
      agencyId: COORDINATOR_ID,
      transport: 'email',
    });
    expect((await db.models.Complaint.findById(code).lean())?.overdueNotifiedAt).toEqual(vn('2025-03-13 09:00'));
  });

  it('a new deadline (transfer) earns a new reminder and a new overdue alert', async () => {
    const newDue = vn('2025-03-21 17:00'); // Friday
    const code = await insertComplaint(
      db,
      submitted({
        dueAt: newDue,
        reminderSentAt: vn('2025-03-11 10:00'),
        overdueNotifiedAt: vn('2025-03-13 09:00'),
        history: [
          { at: SUBMITTED, action: 'submitted', actor: { kind: 'citizen', id: 'citizen' } },
          { at: vn('2025-03-14 09:00'), action: 'transferred', actor: { kind: 'officer', id: '77' } },
        ],
      }),
    );
    now = vn('2025-03-20 10:00');
    expect(await scanner().runOnce()).toMatchObject({ reminded: 1, overdue: 0 });
    now = vn('2025-03-24 08:00');
    expect(await scanner().runOnce()).toMatchObject({ reminded: 0, overdue: 1 });
    expect((await deliveries()).map((d) => d.idempotencyKey)).toEqual([
      `${code}:overdue:${newDue.toISOString()}:email`,
      `${code}:reminder:${newDue.toISOString()}:webhook`,
    ]);
  });

  it('no reminder for a deadline no longer than the reminder window', async () => {
    await insertComplaint(db, submitted({ dueAt: addWorkingDays(SUBMITTED, 1, HolidayCalendar.EMPTY) }));
    now = vn('2025-03-03 11:00');
    expect((await scanner().runOnce()).reminded).toBe(0);
  });

  it('runs under the lease: a second scanner does nothing until the first releases it', async () => {
    await insertComplaint(db, submitted());
    now = vn('2025-03-13 09:00');
    const first = scanner('scanner-1');
    const second = scanner('scanner-2');
    const results = await Promise.all([first.runOnce(), second.runOnce()]);
    expect(results.filter((r) => r.leased)).toHaveLength(1);
    expect(results.reduce((n, r) => n + r.overdue, 0)).toBe(1);
    const holder = results[0].leased ? first : second;
    const other = results[0].leased ? second : first;
    expect((await other.runOnce()).leased).toBe(false);
    await holder.stop();
    expect((await other.runOnce()).leased).toBe(true);
    expect(await db.models.Delivery.countDocuments({})).toBe(1);
  });

  it('its messages reach the agency through the delivery worker; the coordinator’s alert carries no citizen text', async () => {
    await insertComplaint(db, submitted());
    const webhook = new NoopTransport('webhook');
    const email = new NoopTransport('email');
    now = vn('2025-03-11 10:00');
    await scanner().runOnce();
    now = vn('2025-03-13 09:00');
    await scanner().runOnce();
    const source = { current: () => directory };
    const worker = createDeliveryWorker(db, { directory: source, transports: { webhook, email }, owner: 'w' });
    expect(await worker.runOnce()).toMatchObject({ sent: 2 });
    expect(webhook.sent.map((s) => [s.agency.id, s.message.event])).toEqual([[AGENCY_ID, 'complaint.reminder']]);
    expect(email.sent.map((s) => [s.agency.id, s.message.event])).toEqual([[COORDINATOR_ID, 'complaint.overdue']]);
    expect(email.sent[0].message.complaint.text).toBe(localeTranslator().t('vi', 'agency.withheld_text'));
    expect(webhook.sent[0].message.note).toBe(
      `Phản ánh ${webhook.sent[0].message.complaint.code} đến hạn xử lý lúc 12/03/2025 17:00 (còn 1 ngày làm việc). Đề nghị cơ quan trả lời người dân trước thời hạn.`,
    );
    expect(email.sent[0].message.note).toContain('do UBND huyện A xử lý đã quá hạn (hạn 12/03/2025 17:00)');
    expect(email.sent[0].message.complaint.contact).toBeUndefined();
    expect(webhook.sent[0].message.complaint.contact).toEqual({ name: 'Nguyễn Văn A', phone: '0912345678' });
  });
});
