/** The complaint use cases over the real MongoDB adapters on the test FerretDB: submission, outbox planning, agency actions, rating, look-ups, consent withdrawal. */
import { Writable } from 'node:stream';
import { conversationKey } from '../../src/core/messages';
import type { Actor, ComplaintDraft } from '../../src/complaints/complaint-service';
import type { PhotoFetcher } from '../../src/complaints/complaint-photos';
import type { ComplaintUseCases } from '../../src/complaints/use-cases/complaint-use-cases';
import { createComplaintService } from '../support/complaint-service';
import type { Directory } from '../../src/complaints/directory/directory';
import type { HolidayCalendar } from '../../src/complaints/holiday-calendar';
import * as trackingCodes from '../../src/complaints/tracking-code';
import { createLogger } from '../../src/infra/logger';
import type { Database } from '../../src/storage/mongo/database';
import { dropTestDatabase, openTestDatabase, testMongoUri } from '../support/database';
import { openDatabase } from '../../src/storage/mongo/database';
import { silentLogger } from '../../src/infra/logger';
import { MONDAY_10AM, fixed, loadSampleDirectory, loadTestHolidays, SETUP_TIMEOUT_MS } from './complaint-test-kit';

let db: Database;
let directory: Directory;
let holidays: HolidayCalendar;
let service: ComplaintUseCases;
let now: Date;

const DAK_HA: Actor = { kind: 'officer', id: '100000001', agencyId: 'ubnd-huyen-dak-ha' };
const SO_NOI_VU: Actor = { kind: 'agency_api', id: 'snv-system', agencyId: 'so-noi-vu' };
const SO_XAY_DUNG: Actor = { kind: 'agency_api', id: 'sxd-system', agencyId: 'so-xay-dung' };

let counter = 0;
/** A draft routed to UBND huyện Đăk Hà (officer conduct in the district), unique per call. */
function draft(overrides: Partial<ComplaintDraft> = {}): ComplaintDraft {
  counter++;
  return {
    channel: 'telegram',
    userId: `citizen-${counter}`,
    locale: 'vi',
    text: `Cán bộ huyện Đăk Hà đòi tiền mới giải quyết hồ sơ số ${counter}`,
    sector: 'officer_conduct',
    localityId: 'huyen-dak-ha',
    photoRefs: [],
    ...overrides,
  };
}

beforeAll(async () => {
  [db, directory, holidays] = await Promise.all([openTestDatabase('complaints'), loadSampleDirectory(), loadTestHolidays()]);
  service = createComplaintService({ db, directory: fixed(directory), holidays, clock: () => now });
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await dropTestDatabase(db);
});

beforeEach(() => {
  now = MONDAY_10AM;
});

describe('submit', () => {
  it('stores, routes and plans one delivery per configured transport', async () => {
    const result = await service.submit(draft({ contact: { name: 'Trần Thị B', phone: '0912345678' } }), now);
    expect(result).toMatchObject({ agencyId: 'ubnd-huyen-dak-ha', agencyName: 'UBND huyện Đăk Hà', duplicate: false });
    expect(trackingCodes.isTrackingCode(result.code)).toBe(true);
    const stored = await db.models.Complaint.findById(result.code).lean();
    expect(stored).toMatchObject({ status: 'received', deliveriesPlanned: true, contact: { name: 'Trần Thị B', phone: '0912345678' } });
    expect(stored?.createdAt.toISOString()).toBe(MONDAY_10AM.toISOString());
    expect(stored?.history.map((h) => h.action)).toEqual(['submitted']);
    const deliveries = await db.models.Delivery.find({ complaintCode: result.code }).lean();
    expect(deliveries.map((d) => d.transport).sort()).toEqual(['email', 'telegram']);
  });

  it('refuses texts outside 10–4000 characters', async () => {
    await expect(service.submit(draft({ text: 'ngắn quá' }), now)).rejects.toThrow(RangeError);
    await expect(service.submit(draft({ text: 'a'.repeat(4001) }), now)).rejects.toThrow(RangeError);
  });

  it('makes one complaint of concurrent identical submissions', async () => {
    const same = draft();
    const results = await Promise.all([
      service.submit(same, now),
      service.submit({ ...same, text: `  ${same.text}\u200B ` }, now),
      service.submit(same, now),
    ]);
    expect(new Set(results.map((r) => r.code)).size).toBe(1);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(await db.models.Complaint.countDocuments({ userId: same.userId })).toBe(1);
    expect(await db.models.Delivery.countDocuments({ complaintCode: results[0].code })).toBe(2);
  });

  it('draws another code when the first one is taken', async () => {
    const taken = (await service.submit(draft(), now)).code;
    const codes = [taken, 'PA-22222A'];
    const local = createComplaintService({ db, directory: fixed(directory), holidays, clock: () => now, newCode: () => codes.shift()! });
    const result = await local.submit(draft(), now);
    expect(result.code).toBe('PA-22222A');
    expect(codes).toHaveLength(0);
  });

  it('sends complaints for an agency without transports to the coordinator, with a note and a warning', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'warn',
      destination: new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }),
    });
    const bare = { ...directory.agencyById.get('ubnd-xa-dak-mar')!, delivery: {} };
    const broken: Directory = { ...directory, agencyById: new Map(directory.agencyById).set(bare.id, bare) };
    const local = createComplaintService({ db, directory: fixed(broken), holidays, clock: () => now, logger });
    const result = await local.submit(draft({ sector: 'civil_status', localityId: 'xa-dak-mar' }), now);
    expect(result.agencyId).toBe('ubnd-xa-dak-mar');
    const deliveries = await db.models.Delivery.find({ complaintCode: result.code }).lean();
    expect(deliveries.length).toBeGreaterThan(0);
    expect(
      deliveries.every(
        (d) =>
          d.agencyId === 'so-noi-vu' &&
          d.notices[0]?.key === 'agency.note.no_transport' &&
          d.notices[0]?.params?.agencyId === 'ubnd-xa-dak-mar',
      ),
    ).toBe(true);
    expect(lines.join('')).toContain('coordinator');
    expect(lines.join('')).not.toContain('Đăk Hà đòi tiền');
  });

  it('stores downloadable photos (≤ 5 MB) and keeps the other references', async () => {
    const fetcher: PhotoFetcher = {
      fetch: async (ref) => {
        if (ref === 'ok') return { bytes: Buffer.from('jpeg-bytes'), contentType: 'image/jpeg' };
        if (ref === 'big') return { bytes: Buffer.alloc(5 * 1024 * 1024 + 1), contentType: 'image/jpeg' };
        if (ref === 'boom') throw new Error('network');
        return undefined;
      },
    };
    const local = createComplaintService({
      db,
      directory: fixed(directory),
      holidays,
      clock: () => now,
      photoFetchers: { telegram: fetcher },
    });
    const result = await local.submit(draft({ photoRefs: ['ok', 'big', 'gone', 'boom'] }), now);
    const stored = await db.models.Complaint.findById(result.code).lean();
    expect(stored?.photos.map((p) => p.sourceRef)).toEqual(['ok', 'big', 'gone', 'boom']);
    expect(stored?.photos.filter((p) => p.photoId)).toHaveLength(1);
    const photo = await db.models.ComplaintPhoto.findOne({ complaintCode: result.code }).lean();
    expect(photo?.data.toString()).toBe('jpeg-bytes');
    const view = await local.getForAgency(result.code, 'ubnd-huyen-dak-ha');
    expect(view.ok && view.complaint.photoIds).toEqual([String(photo?._id)]);
  });
});

describe('planUnplanned (the re-planning job)', () => {
  it('finishes planning after a crash, once', async () => {
    const { code } = await service.submit(draft(), now);
    await db.models.Delivery.deleteMany({ complaintCode: code, transport: 'email' });
    await db.models.Complaint.updateOne({ _id: code }, { $set: { deliveriesPlanned: false } });
    expect(await service.planUnplanned()).toBeGreaterThanOrEqual(1);
    expect(await service.planUnplanned()).toBe(0);
    const keys = (await db.models.Delivery.find({ complaintCode: code }).lean()).map((d) => d.idempotencyKey).sort();
    expect(keys).toEqual([`${code}:forwarded:0:email`, `${code}:forwarded:0:telegram`]);
    expect((await db.models.Complaint.findOne({ code }).lean())?.deliveriesPlanned).toBe(true);
  });
});

describe('agency actions', () => {
  it('lets only the responsible agency act, records history and notifies the citizen', async () => {
    const { code } = await service.submit(draft(), now);
    expect(await service.acknowledge(code, SO_XAY_DUNG)).toMatchObject({ ok: false, error: 'forbidden' });
    expect(await service.acknowledge(code, { kind: 'citizen', id: 'x' })).toMatchObject({ ok: false, error: 'forbidden' });
    expect(await service.acknowledge('PA-ZZZZZZ', DAK_HA)).toMatchObject({ ok: false, error: 'not_found' });
    expect(await service.getForAgency(code, 'so-xay-dung')).toMatchObject({ ok: false, error: 'forbidden' });
    // The coordinating agency reads every complaint (and acts on all; see the re-assignment test).
    expect(await service.getForAgency(code, 'so-noi-vu')).toMatchObject({ ok: true });

    const ack = await service.acknowledge(code, DAK_HA, 'Đã nhận');
    expect(ack.ok && ack.complaint.status).toBe('acknowledged');
    expect(await service.acknowledge(code, DAK_HA)).toMatchObject({ ok: false, error: 'invalid_state' });
    await service.answer(code, DAK_HA, 'Trả lời thứ nhất');
    const second = await service.answer(code, DAK_HA, 'Trả lời thứ hai');
    expect(second.ok && second.complaint.answers.map((a) => a.text)).toEqual(['Trả lời thứ nhất', 'Trả lời thứ hai']);
    expect(second.ok && second.complaint.history.map((h) => h.action)).toEqual(['submitted', 'acknowledged', 'answered', 'answered']);
    expect(second.ok && second.complaint.history[1].actor).toEqual({ kind: 'officer', id: '100000001', agencyId: 'ubnd-huyen-dak-ha' });
    expect(await service.answer(code, DAK_HA, '   ')).toMatchObject({ ok: false, error: 'invalid_input' });

    const notifications = await db.models.Notification.find({ complaintCode: code }).sort({ idempotencyKey: 1 }).lean();
    expect(notifications.map((n) => n.idempotencyKey)).toEqual([`${code}:acknowledged:1`, `${code}:answer:1`, `${code}:answer:2`]);
    expect(notifications[2]).toMatchObject({
      kind: 'answer',
      channel: 'telegram',
      state: 'pending',
      params: { code, answer: 'Trả lời thứ hai', agencyName: 'UBND huyện Đăk Hà' },
    });
    // The same command twice at once: one wins each version, the other decides again and is refused.
    const both = await Promise.all([service.resolve(code, DAK_HA, 'Xong'), service.resolve(code, DAK_HA, 'Xong')]);
    expect(both.filter((r) => r.ok)).toHaveLength(1);
    expect(both.find((r) => !r.ok)).toMatchObject({ error: 'invalid_state' });
    expect(await db.models.Notification.countDocuments({ complaintCode: code, kind: 'resolved' })).toBe(1);
  });

  it('transfer moves the complaint, its deadline, its deliveries and the access to the new agency', async () => {
    const { code, dueAt } = await service.submit(draft(), now);
    expect(await service.transfer(code, DAK_HA, 'no-such-agency')).toMatchObject({ ok: false, error: 'unknown_agency' });
    expect(await service.transfer(code, DAK_HA, 'ubnd-huyen-dak-ha')).toMatchObject({ ok: false, error: 'invalid_input' });
    now = new Date(MONDAY_10AM.getTime() + 24 * 3600 * 1000);
    const moved = await service.transfer(code, DAK_HA, 'so-noi-vu', 'Thuộc thẩm quyền Sở Nội vụ');
    expect(moved.ok && moved.complaint).toMatchObject({ agencyId: 'so-noi-vu', status: 'forwarded', agencyName: 'Sở Nội vụ' });
    expect(moved.ok && moved.complaint.dueAt.getTime()).toBeGreaterThan(dueAt.getTime());

    expect(await service.getForAgency(code, 'ubnd-huyen-dak-ha')).toMatchObject({ ok: false, error: 'forbidden' });
    expect(await service.answer(code, DAK_HA, 'muộn')).toMatchObject({ ok: false, error: 'forbidden' });
    expect((await service.listForAgency('ubnd-huyen-dak-ha')).some((c) => c.code === code)).toBe(false);
    expect((await service.listForAgency('so-noi-vu', { status: 'forwarded' })).some((c) => c.code === code)).toBe(true);
    expect(await service.acknowledge(code, SO_NOI_VU)).toMatchObject({ ok: true });

    const forwarded = await db.models.Delivery.find({ complaintCode: code, agencyId: 'so-noi-vu' }).lean();
    expect(forwarded.map((d) => d.idempotencyKey).sort()).toEqual([`${code}:forwarded:1:email`, `${code}:forwarded:1:telegram`]);
    expect(forwarded[0].note).toBe('Thuộc thẩm quyền Sở Nội vụ');
    const told = await db.models.Notification.findOne({ idempotencyKey: `${code}:transferred:1` }).lean();
    expect(told?.params).toMatchObject({ agencyName: 'Sở Nội vụ', fromAgencyName: 'UBND huyện Đăk Hà' });
  });

  it('resolve asks for a rating; only the filer can rate, once; 1–2 reopens and tells the agency', async () => {
    const d = draft();
    const { code } = await service.submit(d, now);
    expect(await service.rate(code, 'telegram', d.userId, 5)).toMatchObject({ ok: false, error: 'invalid_state' });
    await service.resolve(code, DAK_HA, 'Đã xử lý');
    const kinds = (await db.models.Notification.find({ complaintCode: code }).lean()).map((n) => n.kind).sort();
    expect(kinds).toEqual(['rating_request', 'resolved']);
    expect(await service.answer(code, DAK_HA, 'sau khi xong')).toMatchObject({ ok: false, error: 'invalid_state' });

    expect(await service.rate(code, 'telegram', 'someone-else', 1)).toMatchObject({ ok: false, error: 'not_found' });
    expect(await service.rate(code, 'zalo', d.userId, 1)).toMatchObject({ ok: false, error: 'not_found' });
    expect(await service.rate(code, 'telegram', d.userId, 6)).toMatchObject({ ok: false, error: 'invalid_input' });

    const rated = await service.rate(code, 'telegram', d.userId, 1);
    expect(rated.ok && rated.complaint).toMatchObject({ status: 'reopened', rating: { score: 1 } });
    expect(await service.rate(code, 'telegram', d.userId, 4)).toMatchObject({ ok: false, error: 'invalid_state' });
    const reopened = await db.models.Delivery.find({ complaintCode: code, event: 'complaint.reopened' }).lean();
    expect(reopened).toHaveLength(2);
    expect(reopened[0].notices).toEqual([{ key: 'agency.note.reopened', params: { score: '1' } }]);

    // The agency answers again; a new resolution can be rated anew.
    await service.answer(code, DAK_HA, 'Đã xem xét lại');
    await service.resolve(code, DAK_HA);
    const again = await service.rate(code, 'telegram', d.userId, 4, 'Cảm ơn');
    expect(again.ok && again.complaint).toMatchObject({ status: 'resolved', rating: { score: 4, comment: 'Cảm ơn' } });
    expect(await db.models.Notification.countDocuments({ complaintCode: code, kind: 'rating_request' })).toBe(2);
  });
});

describe('citizen views', () => {
  it('flags an overdue complaint and lists the citizen’s own, newest first', async () => {
    const d = draft({ userId: 'lister' });
    const first = await service.submit(d, now);
    now = new Date(MONDAY_10AM.getTime() + 3600 * 1000);
    const second = await service.submit({ ...d, text: `${d.text} (lần hai)` }, now);
    expect((await service.listForCitizen('telegram', 'lister')).map((c) => c.code)).toEqual([second.code, first.code]);
    const stranger = await service.lookUp({ code: first.code, channel: 'telegram', userId: 'other' });
    expect(stranger).toMatchObject({ ok: true, access: 'public', reason: 'no_secret' });
    expect(stranger.ok && Object.keys(stranger.complaint).sort()).toEqual(['code', 'createdAt', 'dueAt', 'overdue', 'status']);
    now = new Date(first.dueAt.getTime() + 1000);
    const late = await service.lookUp({ code: first.code, channel: 'telegram', userId: 'lister' });
    expect(late.ok && late.access === 'full' && late.complaint.overdue).toBe(true);
    expect(late.ok && 'text' in late.complaint).toBe(false);
    expect(await service.lookUp({ code: 'PA-ZZZZZZ', channel: 'telegram', userId: 'lister' })).toEqual({ ok: false, error: 'not_found' });
  });

  it('from another device: the PIN or the phone’s last 4 digits open the details; wrong secrets are limited per code, across processes', async () => {
    const pins = ['048213'];
    const filer = createComplaintService({
      db,
      directory: fixed(directory),
      holidays,
      clock: () => now,
      newPin: () => pins.shift() ?? '999999',
    });
    const { code, pin } = await filer.submit(draft({ userId: 'pin-owner', contact: { phone: '0912 345 678' } }), now);
    expect(pin).toBe('048213');
    await filer.answer(code, DAK_HA, 'Đã cử cán bộ kiểm tra');
    const web = (userId: string, secret?: string) => ({ code, channel: 'web' as const, userId, ...(secret ? { secret } : {}) });
    const full = await filer.lookUp(web('browser-1', '048213'));
    expect(full.ok && full.access === 'full' && full.complaint.answers.map((a) => a.text)).toEqual(['Đã cử cán bộ kiểm tra']);
    expect(await filer.lookUp(web('browser-1', '5678'))).toMatchObject({ access: 'full' });
    const wrong = await filer.lookUp(web('browser-2', '111111'));
    expect(wrong).toMatchObject({ ok: true, access: 'public', reason: 'wrong_secret' });
    expect(JSON.stringify(wrong)).not.toContain('kiểm tra');
    // A second process (its own connection to the same database) shares the counters: five wrong PINs from new sessions lock the code.
    const shared = await openDatabase({ uri: testMongoUri(), dbName: db.connection.name, embeddedDataDir: '', logger: silentLogger() });
    try {
      const remote = createComplaintService({
        db: shared,
        directory: fixed(directory),
        holidays,
        clock: () => now,
        owner: 'second-process',
      });
      for (let i = 3; i < 7; i++) expect(await remote.lookUp(web(`browser-${i}`, `22222${i}`))).toMatchObject({ reason: 'wrong_secret' });
      expect(await remote.lookUp(web('browser-9', '048213'))).toMatchObject({ access: 'public', reason: 'locked' });
      expect(await filer.lookUp(web('browser-10', '048213'))).toMatchObject({ access: 'public', reason: 'locked' });
      // The filer, on the channel they used, still sees everything.
      expect(await filer.lookUp({ code, channel: 'telegram', userId: 'pin-owner' })).toMatchObject({ access: 'full' });
    } finally {
      await shared.close();
    }
  });
});

describe('forgetCitizen', () => {
  it('blanks text, contact and photos, deletes notifications and conversation, keeps the statistics', async () => {
    const d = draft({ userId: 'forget-me', contact: { phone: '0987654321' } });
    const fetcher: PhotoFetcher = { fetch: async () => ({ bytes: Buffer.from('x'), contentType: 'image/png' }) };
    const local = createComplaintService({
      db,
      directory: fixed(directory),
      holidays,
      clock: () => now,
      photoFetchers: { telegram: fetcher },
    });
    const { code } = await local.submit({ ...d, photoRefs: ['p1'] }, now);
    await local.resolve(code, DAK_HA);
    await local.rate(code, 'telegram', 'forget-me', 2, 'bình luận riêng tư');
    await db.models.Conversation.create({ _id: conversationKey('telegram', 'forget-me'), locale: 'vi' });

    expect(await local.forgetCitizen('telegram', 'forget-me')).toBe(1);
    const stored = await db.models.Complaint.findOne({ code }).lean();
    expect(stored).toMatchObject({ text: '', photos: [], status: 'reopened', agencyId: 'ubnd-huyen-dak-ha', rating: { score: 2 } });
    expect(stored?.contact?.phone ?? undefined).toBeUndefined();
    expect(stored?.rating?.comment ?? undefined).toBeUndefined();
    expect(JSON.stringify(stored)).not.toContain('bình luận riêng tư');
    expect(JSON.stringify(await db.models.Delivery.find({ complaintCode: code }).lean())).not.toContain('bình luận riêng tư');
    expect(await db.models.ComplaintPhoto.countDocuments({ complaintCode: code })).toBe(0);
    expect(await db.models.Notification.countDocuments({ userId: 'forget-me' })).toBe(0);
    expect(await db.models.Conversation.countDocuments({ _id: conversationKey('telegram', 'forget-me') })).toBe(0);
    expect(await local.listForCitizen('telegram', 'forget-me')).toEqual([]);
    // The same text again is a new complaint, not a "duplicate" of the blanked one.
    expect((await local.submit({ ...d, photoRefs: [] }, now)).duplicate).toBe(false);
  });
});
