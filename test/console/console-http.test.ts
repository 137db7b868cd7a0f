/**
 * The console over real HTTP against the whole service: who may open what, CSRF, the
 * login limits, and an officer's answer reaching the citizen's notification outbox —
 * through the same use cases as Telegram (one history).
 */
import { MongoPhotoStore } from '../../src/storage/mongo/mongo-photo-store';
import { ConsoleClient, DAK_HA, startConsoleService, TAX, type ConsoleService } from './console-world';

jest.setTimeout(120_000);

describe('console over HTTP', () => {
  let s: ConsoleService;
  let dakHaCode: string;
  let taxCode: string;

  beforeAll(async () => {
    s = await startConsoleService();
    const submit = (text: string, sector: 'land' | 'tax', userId: string, localityId?: string) =>
      s.app.complaints.submit({ channel: 'web', userId, locale: 'vi', text, sector, photoRefs: [], ...(localityId ? { localityId } : {}) });
    dakHaCode = (
      await submit('Đất nhà tôi ở xã Hà Mòn bị lấn chiếm, đề nghị xem xét giải quyết', 'land', 'citizen-session-0001', 'xa-ha-mon')
    ).code;
    taxCode = (await submit('Hoàn thuế thu nhập cá nhân của tôi đã quá hạn ba tháng', 'tax', 'citizen-session-0002')).code;
    expect((await s.app.complaints.getForAgency(dakHaCode, DAK_HA)).ok).toBe(true);
    expect((await s.app.complaints.getForAgency(taxCode, TAX)).ok).toBe(true);
  }, 180_000);
  afterAll(() => s?.close());

  it('refuses unauthenticated requests: pages send to the login form, the API answers 401, a post is refused', async () => {
    const anonymous = new ConsoleClient(s.base);
    const page = await anonymous.get('/console/complaints');
    expect(page.status).toBe(303);
    expect(page.location).toBe('/console/login');
    expect((await anonymous.get(`/console/api/complaints/${dakHaCode}`)).status).toBe(401);
    const post = await anonymous.request('POST', `/console/complaints/${dakHaCode}/answer`, { text: 'trả lời giả' });
    expect(post.status).toBe(401);
    expect(
      (await s.app.complaints.getForAgency(dakHaCode, DAK_HA)).ok && (await s.app.db.models.Complaint.findById(dakHaCode).lean())?.status,
    ).not.toBe('answered');
  });

  it('signs in with an HttpOnly cookie for /console only (Secure needs HTTPS), and a new session id at login', async () => {
    const client = new ConsoleClient(s.base);
    await client.get('/console/login');
    const before = client.cookie('cchc_console');
    const login = await client.post('/console/login', { username: 'canbo.dakha', password: 'mật-khẩu-thử-nghiệm-đủ-dài' });
    expect(login.status).toBe(303);
    expect(login.location).toBe('/console/complaints');
    const setCookie = login.headers.getSetCookie().join('\n');
    expect(setCookie).toMatch(/cchc_console=.*HttpOnly/i);
    // `auto` over plain HTTP: not Secure, and @fastify/session lowers SameSite to Lax; over HTTPS both are strict.
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).not.toMatch(/;\s*Secure/i);
    expect(setCookie).toMatch(/Path=\/console/);
    expect(client.cookie('cchc_console')).not.toBe(before);
    const root = await client.get('/console');
    expect(root.status).toBe(303);
    expect(root.location).toBe('/console/complaints');
    const list = await client.get('/console/complaints');
    expect(list.status).toBe(200);
    expect(list.body).toContain(dakHaCode);
    expect(list.body).not.toContain(taxCode);
    expect(list.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it("an officer cannot open another agency's complaint: page and API both answer 404, and the refusal is audited", async () => {
    const officer = new ConsoleClient(s.base);
    await officer.login('canbo.thue');
    const page = await officer.get(`/console/complaints/${dakHaCode}`);
    expect(page.status).toBe(404);
    expect(page.body).not.toContain('lấn chiếm');
    const api = await officer.get(`/console/api/complaints/${dakHaCode}`);
    expect(api.status).toBe(404);
    expect(api.body).not.toContain('lấn chiếm');
    const act = await officer.post(`/console/complaints/${dakHaCode}/answer`, { text: 'Tôi không phải cơ quan này' });
    expect(act.status).toBe(404);
    const stored = await s.app.db.models.Complaint.findById(dakHaCode).lean();
    expect(stored?.history.some((h) => h.note === 'Tôi không phải cơ quan này')).toBe(false);
    const refusals = await s.app.db.models.AuditEntry.find({ actor: 'canbo.thue', target: dakHaCode, outcome: 'refused' }).lean();
    expect(refusals.map((r) => r.action).sort()).toEqual(['complaint.answer', 'complaint.open', 'complaint.open']);
    // Its own complaint opens.
    expect((await officer.get(`/console/api/complaints/${taxCode}`)).status).toBe(200);
  });

  it('refuses a form post without its CSRF token (403, nothing done, audited)', async () => {
    const officer = new ConsoleClient(s.base);
    await officer.login('canbo.dakha');
    const forged = await officer.request('POST', `/console/complaints/${dakHaCode}/acknowledge`, {});
    expect(forged.status).toBe(403);
    const wrong = await officer.request('POST', `/console/complaints/${dakHaCode}/acknowledge`, { _csrf: 'forged-token' });
    expect(wrong.status).toBe(403);
    expect((await s.app.db.models.Complaint.findById(dakHaCode).lean())?.status).not.toBe('acknowledged');
    expect(await s.app.db.models.AuditEntry.countDocuments({ actor: 'canbo.dakha', action: 'csrf', outcome: 'refused' })).toBe(2);
  });

  it("an officer answers through the use cases: one history with Telegram, and the citizen's notification is queued", async () => {
    const officer = new ConsoleClient(s.base);
    await officer.login('canbo.dakha');
    await officer.get(`/console/complaints/${dakHaCode}`);
    const answer = 'UBND huyện đã cử cán bộ địa chính kiểm tra hiện trạng, sẽ làm việc với hai hộ trong tuần này.';
    const done = await officer.post(`/console/complaints/${dakHaCode}/answer`, { text: answer });
    expect(done.status).toBe(303);
    expect(done.location).toBe(`/console/complaints/${dakHaCode}?done=answer`);
    const stored = await s.app.db.models.Complaint.findById(dakHaCode).lean();
    expect(stored?.status).toBe('answered');
    expect(stored?.history.at(-1)).toMatchObject({
      action: 'answered',
      note: answer,
      actor: { kind: 'officer', id: 'console:canbo.dakha', agencyId: DAK_HA },
    });
    expect(stored?.respondedOnTime).toBe(true);
    const notification = await s.app.db.models.Notification.findOne({ complaintCode: dakHaCode, kind: 'answer' }).lean();
    expect(notification).toMatchObject({ channel: 'web', userId: 'citizen-session-0001' });
    expect(
      await s.app.db.models.AuditEntry.countDocuments({
        actor: 'canbo.dakha',
        action: 'complaint.answer',
        target: dakHaCode,
        outcome: 'ok',
      }),
    ).toBe(1);
  });

  it('keeps roles apart: an officer has no reports, deliveries or accounts; an editor has no complaints', async () => {
    const officer = new ConsoleClient(s.base);
    await officer.login('canbo.dakha');
    for (const path of ['/console/reports', '/console/deliveries', '/console/accounts', '/console/audit'])
      expect((await officer.get(path)).status).toBe(403);
    const editor = new ConsoleClient(s.base);
    const login = await editor.login('bientap');
    expect(login.location).toBe('/console/account');
    expect((await editor.get('/console/complaints')).status).toBe(403);
    expect((await editor.get(`/console/api/complaints/${taxCode}`)).status).toBe(403);
    const coordinator = new ConsoleClient(s.base);
    await coordinator.login('dieuphoi');
    const all = await coordinator.get('/console/complaints');
    expect(all.body).toContain(dakHaCode);
    expect(all.body).toContain(taxCode);
    expect((await coordinator.get('/console/reports')).status).toBe(200);
  });

  it('limits login attempts per account whatever the X-Forwarded-For header says (not a trusted proxy)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const client = new ConsoleClient(s.base, { 'x-forwarded-for': `203.0.113.${i + 1}` });
      statuses.push((await client.login('canbo.khoa', 'sai-mật-khẩu-lần-' + i)).status);
    }
    expect(statuses.slice(0, 8)).toEqual(Array(8).fill(401));
    expect(statuses.slice(8)).toEqual([429, 429]);
    // The right password is refused too until the window ends.
    expect((await new ConsoleClient(s.base).login('canbo.khoa')).status).toBe(429);
    expect(await s.app.db.models.AuditEntry.countDocuments({ actor: 'canbo.khoa', action: 'login', detail: 'limit_account' })).toBe(3);
  });

  it('refuses a wrong password and an unknown account with the same answer', async () => {
    const wrong = await new ConsoleClient(s.base).login('dieuphoi', 'không-đúng-mật-khẩu');
    const unknown = await new ConsoleClient(s.base).login('khong.ton.tai', 'không-đúng-mật-khẩu');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const message = (body: string) => /role="alert">([^<]*)</.exec(body)?.[1];
    expect(message(wrong.body)).toBe(message(unknown.body));
  });

  it('lets the coordinator re-assign any complaint (an officer cannot), recorded for the coordinating agency', async () => {
    const officer = new ConsoleClient(s.base);
    await officer.login('canbo.thue');
    await officer.get(`/console/complaints/${taxCode}`);
    const refused = await officer.post(`/console/complaints/${taxCode}/reassign`, { agencyId: 'so-y-te' });
    // Not an officer's action: refused like any complaint outside the account's reach.
    expect(refused.status).toBe(404);
    expect((await s.app.db.models.Complaint.findById(taxCode).lean())?.agencyId).toBe(TAX);
    const coordinator = new ConsoleClient(s.base);
    await coordinator.login('dieuphoi');
    await coordinator.get(`/console/complaints/${taxCode}`);
    const done = await coordinator.post(`/console/complaints/${taxCode}/reassign`, { agencyId: 'so-y-te', note: 'Thuộc lĩnh vực y tế' });
    expect(done.location).toBe(`/console/complaints/${taxCode}?done=reassign`);
    const stored = await s.app.db.models.Complaint.findById(taxCode).lean();
    expect(stored?.agencyId).toBe('so-y-te');
    expect(stored?.history.at(-1)).toMatchObject({
      action: 'reassigned',
      actor: { kind: 'officer', id: 'console:dieuphoi', agencyId: 'so-noi-vu' },
    });
    // The tax officer no longer sees it.
    expect((await officer.get(`/console/api/complaints/${taxCode}`)).status).toBe(404);
  });

  it('keeps the admin rules: officers need an agency of the directory, the last admin cannot be locked out, changes are audited', async () => {
    const admin = new ConsoleClient(s.base);
    await admin.login('quantri');
    await admin.get('/console/accounts');
    const noAgency = await admin.post('/console/accounts', {
      username: 'canbo.x',
      displayName: 'X',
      role: 'officer',
      agencyId: 'khong-co',
      password: 'mật-khẩu-đủ-dài-1',
    });
    expect(noAgency.status).toBe(400);
    const created = await admin.post('/console/accounts', {
      username: 'canbo.y',
      displayName: 'Y',
      role: 'officer',
      agencyId: DAK_HA,
      password: 'mật-khẩu-đủ-dài-2',
    });
    expect(created.status).toBe(303);
    await admin.get('/console/accounts');
    const selfLock = await admin.post('/console/accounts/quantri', { disabled: '1' });
    expect(selfLock.status).toBe(409);
    await admin.get('/console/accounts');
    expect((await admin.post('/console/accounts/canbo.y', { disabled: '1' })).status).toBe(303);
    const locked = await new ConsoleClient(s.base).login('canbo.y', 'mật-khẩu-đủ-dài-2');
    expect(locked.status).toBe(401);
    expect(
      await s.app.db.models.AuditEntry.countDocuments({ actor: 'quantri', action: 'account.update', outcome: 'ok', target: 'canbo.y' }),
    ).toBe(1);
    expect(await s.app.db.models.AuditEntry.countDocuments({ actor: 'canbo.y', action: 'login', detail: 'disabled' })).toBe(1);
  });

  it("shows a complaint's photos to its agency only", async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    const photoId = await new MongoPhotoStore(s.app.db).save(dakHaCode, { bytes: png, contentType: 'image/png' });
    await s.app.db.models.Complaint.updateOne(
      { _id: dakHaCode },
      { $set: { photos: [{ sourceRef: 'web:1', photoId, contentType: 'image/png', size: png.length }] } },
    );
    const officer = new ConsoleClient(s.base);
    await officer.login('canbo.dakha');
    const page = await officer.get(`/console/complaints/${dakHaCode}`);
    expect(page.body).toContain(`/console/complaints/${dakHaCode}/photos/${photoId}`);
    const photo = await officer.get(`/console/complaints/${dakHaCode}/photos/${photoId}`);
    expect(photo.status).toBe(200);
    expect(photo.headers.get('content-type')).toBe('image/png');
    const other = new ConsoleClient(s.base);
    await other.login('dieuphoi');
    expect((await other.get(`/console/complaints/${dakHaCode}/photos/${photoId}`)).status).toBe(200);
    const outsider = new ConsoleClient(s.base);
    await outsider.login('canbo.thue');
    expect((await outsider.get(`/console/complaints/${dakHaCode}/photos/${photoId}`)).status).toBe(404);
  });

  // Last: it uses up this address's login forms for the minute.
  it('serves at most 60 login forms a minute to one address (each starts a session)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 62; i++) statuses.push((await new ConsoleClient(s.base).get('/console/login')).status);
    expect(statuses.filter((st) => st === 429).length).toBeGreaterThanOrEqual(2);
    expect(statuses.at(-1)).toBe(429);
  });
});
