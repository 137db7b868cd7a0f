/**
 * Retention on the test FerretDB with a fake clock (`now` passed to the round): each rule
 * deletes what is past its period and nothing younger; a finished complaint's personal
 * data is erased after its period while its statistics stay, and an open one is untouched.
 */
import { retentionRules, type RetentionSettings } from '../../src/app-retention';
import type { Actor, ComplaintDraft } from '../../src/complaints/complaint-service';
import type { ComplaintUseCases } from '../../src/complaints/use-cases/complaint-use-cases';
import { localDateKey } from '../../src/complaints/working-days';
import { runRetention } from '../../src/jobs/retention';
import { silentLogger } from '../../src/infra/logger';
import type { Database } from '../../src/storage/mongo/database';
import { MongoRetentionStore } from '../../src/storage/mongo/retention-store';
import { createComplaintService } from '../support/complaint-service';
import { dropTestDatabase, openTestDatabase } from '../support/database';
import { MONDAY_10AM, SETUP_TIMEOUT_MS, fixed, loadSampleDirectory, loadTestHolidays } from '../complaints/complaint-test-kit';

const DAY = 24 * 3_600_000;
const SETTINGS: RetentionSettings = {
  RETENTION_FINISHED_COMPLAINT_DAYS: 365,
  RETENTION_CONVERSATION_DAYS: 30,
  RETENTION_WEB_CONVERSATION_DAYS: 2,
  RETENTION_TELEGRAM_CARD_DAYS: 90,
  RETENTION_ZALO_MENU_DAYS: 2,
};
const OFFICER: Actor = { kind: 'officer', id: '100000001', agencyId: 'ubnd-huyen-dak-ha' };

let db: Database;
let service: ComplaintUseCases;
let clock = MONDAY_10AM;

function draft(userId: string, text: string): ComplaintDraft {
  return {
    channel: 'telegram',
    userId,
    locale: 'vi',
    text,
    sector: 'officer_conduct',
    localityId: 'huyen-dak-ha',
    contact: { name: 'Nguyễn Văn An', phone: '0912345678' },
    photoRefs: [],
  };
}

beforeAll(async () => {
  const [opened, directory, holidays] = await Promise.all([openTestDatabase('retention'), loadSampleDirectory(), loadTestHolidays()]);
  db = opened;
  service = createComplaintService({ db, directory: fixed(directory), holidays, clock: () => clock });
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await dropTestDatabase(db);
});

const rules = () => retentionRules(new MongoRetentionStore(db), service, SETTINGS);
const raw = (name: string) => db.connection.collection<Record<string, unknown>>(name);
const ids = async (name: string) =>
  (
    await raw(name)
      .find({}, { projection: { _id: 1 } })
      .toArray()
  )
    .map((d) => String(d._id))
    .sort();

describe('retention', () => {
  it('prunes each kind of record after its period, and only then', async () => {
    const now = new Date();
    const ago = (days: number) => new Date(now.getTime() - days * DAY);
    await raw('conversations').insertMany([
      { _id: 'telegram:old', locale: 'vi', updatedAt: ago(31) },
      { _id: 'zalo:recent', locale: 'vi', updatedAt: ago(29) },
      { _id: 'web:old-session', locale: 'vi', updatedAt: ago(3) },
      { _id: 'web:recent-session', locale: 'vi', updatedAt: ago(1) },
      { _id: 'console:old', locale: 'vi', updatedAt: ago(3) },
    ] as never[]);
    await raw('processed_messages').insertMany([
      { _id: 'telegram:1', expiresAt: ago(1) },
      { _id: 'telegram:2', expiresAt: new Date(now.getTime() + DAY) },
    ] as never[]);
    await raw('citizen_day_units').insertMany([
      { _id: `web:a:${localDateKey(ago(2))}#0`, key: 'x', day: localDateKey(ago(2)) },
      { _id: `web:a:${localDateKey(ago(1))}#0`, key: 'y', day: localDateKey(ago(1)) },
      { _id: `web:a:${localDateKey(now)}#0`, key: 'z', day: localDateKey(now) },
    ] as never[]);
    await raw('lookup_failures').insertMany([
      { _id: 'code:PA-AAAAAA:old', count: 3, day: localDateKey(ago(3)) },
      { _id: 'code:PA-AAAAAA:today', count: 1, day: localDateKey(now) },
    ] as never[]);
    await raw('telegram_cards').insertMany([
      { _id: 'old-card', code: 'PA-AAAAAA', chatId: '-100', messageId: 1, at: ago(91) },
      { _id: 'new-card', code: 'PA-AAAAAB', chatId: '-100', messageId: 2, at: ago(89) },
    ] as never[]);
    await raw('zalo_menus').insertMany([
      { _id: 'old-menu', items: ['a'], at: ago(3) },
      { _id: 'new-menu', items: ['a'], at: ago(1) },
    ] as never[]);
    await raw('claims').insertMany([
      { _id: 'delivery:old#1', owner: 'p', at: ago(8) },
      { _id: 'delivery:new#1', owner: 'p', at: ago(6) },
    ] as never[]);

    const removed = await runRetention(rules(), now, silentLogger());

    expect(removed).toMatchObject({
      conversations: 1,
      web_conversations: 2,
      processed_ids: 1,
      day_counters: 2,
      telegram_cards: 1,
      zalo_menus: 1,
      claims: 1,
    });
    expect(await ids('conversations')).toEqual(['web:recent-session', 'zalo:recent']);
    expect(await ids('processed_messages')).toEqual(['telegram:2']);
    expect(await ids('citizen_day_units')).toEqual([`web:a:${localDateKey(ago(1))}#0`, `web:a:${localDateKey(now)}#0`].sort());
    expect(await ids('lookup_failures')).toEqual(['code:PA-AAAAAA:today']);
    expect(await ids('telegram_cards')).toEqual(['new-card']);
    expect(await ids('zalo_menus')).toEqual(['new-menu']);
    expect(await ids('claims')).toContain('delivery:new#1');
    expect(await ids('claims')).not.toContain('delivery:old#1');

    // A second round finds nothing more.
    expect(Object.values(await runRetention(rules(), now, silentLogger())).every((n) => n === 0)).toBe(true);
  });

  it('erases the personal data of a finished complaint after its period and keeps its statistics', async () => {
    clock = MONDAY_10AM;
    const finished = await service.submit(draft('finished-citizen', 'Cán bộ xã đòi tiền mới ký giấy xác nhận cho tôi'), clock);
    const open = await service.submit(draft('open-citizen', 'Cán bộ huyện hẹn mãi không trả kết quả hồ sơ đất'), clock);
    expect(await service.resolve(finished.code, OFFICER, 'Đã xử lý kỷ luật cán bộ')).toMatchObject({ ok: true });
    await db.models.Notification.updateMany({ complaintCode: finished.code }, { $set: { state: 'sent' } });
    expect(await db.models.Notification.countDocuments({ complaintCode: finished.code })).toBeGreaterThan(0);

    // The period counts from the complaint's last change (stored now, by the database's clock).
    const changedAt = (await db.models.Complaint.findById(finished.code).lean())!.updatedAt.getTime();
    expect((await runRetention(rules(), new Date(changedAt + 364 * DAY), silentLogger())).complaint_personal_data).toBe(0);
    expect((await runRetention(rules(), new Date(changedAt + 366 * DAY), silentLogger())).complaint_personal_data).toBe(1);

    const erased = (await db.models.Complaint.findById(finished.code).lean())!;
    expect(erased).toMatchObject({ text: '', userId: `forgotten:${finished.code}`, status: 'resolved', sector: 'officer_conduct' });
    expect(erased.contact).toBeUndefined();
    expect(erased.personalDataErasedAt).toBeInstanceOf(Date);
    expect(erased.agencyId).toBe('ubnd-huyen-dak-ha');
    expect(erased.history.map((h) => h.action)).toEqual(expect.arrayContaining(['submitted', 'resolved']));
    expect(await db.models.Notification.countDocuments({ complaintCode: finished.code })).toBe(0);

    const untouched = (await db.models.Complaint.findById(open.code).lean())!;
    expect(untouched).toMatchObject({ userId: 'open-citizen', contact: { phone: '0912345678' } });
    expect(untouched.personalDataErasedAt).toBeUndefined();
    // Erased once: later rounds leave it alone.
    expect((await runRetention(rules(), new Date(changedAt + 800 * DAY), silentLogger())).complaint_personal_data).toBe(0);
  });
});
