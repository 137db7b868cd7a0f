/**
 * The editor's console pages over HTTP on the whole service: publishing a news item
 * (refused with the reasons when invalid), its reach in the list; a survey campaign
 * created, launched, answered and its results per agency and question; the role and
 * CSRF checks; the coordinator's report with the campaign sections.
 */
import { ConsoleClient, DAK_HA, startConsoleService, TAX, type ConsoleService } from './console-world';

let s: ConsoleService;

beforeAll(async () => {
  s = await startConsoleService();
}, 180_000);
afterAll(() => s?.close());

async function signedIn(username: string): Promise<ConsoleClient> {
  const client = new ConsoleClient(s.base);
  expect((await client.login(username)).status).toBe(303);
  return client;
}

it('lets only editors in, and refuses a form without its CSRF token', async () => {
  const officer = await signedIn('canbo.dakha');
  for (const path of ['/console/news', '/console/surveys']) expect((await officer.get(path)).status).toBe(403);
  expect(
    (await officer.post('/console/news', { title: 'Tin giả mạo từ cán bộ', summary: 'x'.repeat(20), link: 'https://a.vn', topics: 'land' }))
      .status,
  ).toBe(403);
  const anonymous = new ConsoleClient(s.base);
  expect((await anonymous.get('/console/news')).location).toBe('/console/login');

  const editor = await signedIn('bientap');
  const page = await editor.get('/console/news');
  expect(page.status).toBe(200);
  expect(page.body).toContain('Đăng tin mới');
  const forged = await editor.request('POST', '/console/news', {
    title: 'Tin không có mã CSRF',
    summary: 'x'.repeat(20),
    link: 'https://a.vn',
    topics: 'land',
  });
  expect(forged.status).toBe(403);
  expect(await s.app.db.models.News.countDocuments({})).toBe(0);
});

it('publishes a news item from the form, says why an invalid one is refused, and shows the reach', async () => {
  await s.app.campaign.subscribe('web', 'web-session-subscriber-01', 'vi', ['land']);
  const editor = await signedIn('bientap');
  await editor.get('/console/news');
  const bad = await editor.post('/console/news', { title: 'Tin', summary: 'ngắn', link: 'ftp://x', topics: 'weather' });
  expect(bad.status).toBe(400);
  expect(bad.body).toContain('Chưa đăng được tin');
  expect(bad.body).toContain('title: a title needs at least 5 characters');
  expect(bad.body).toContain('link: must start with https://');

  const ok = await editor.post('/console/news', {
    title: 'Nộp hồ sơ đất đai trên Cổng Dịch vụ công quốc gia',
    summary: 'Người dân có thể nộp hồ sơ đăng ký đất đai lần đầu trực tuyến.',
    link: 'https://dichvucong.gov.vn/',
    topics: 'land',
    localities: 'huyen-dak-ha',
  });
  expect(ok).toMatchObject({ status: 303, location: '/console/news?done=published' });
  const stored = await s.app.db.models.News.findOne({}).lean();
  expect(stored).toMatchObject({ topics: ['land'], localityIds: ['huyen-dak-ha'], publishedBy: 'console:bientap' });
  const audit = await s.app.db.connection.collection('console_audit').findOne({ action: 'news.publish', outcome: 'ok' });
  expect(audit).toMatchObject({ actor: 'bientap', target: stored?._id });

  // The web subscriber has no place, so the item for Đăk Hà does not reach them; the page shows the reach.
  const list = await editor.get('/console/news?done=published');
  expect(list.body).toContain('Nộp hồ sơ đất đai trên Cổng Dịch vụ công quốc gia');
  expect(list.body).toContain('Đã đăng tin');
});

it('creates, launches and closes a survey campaign; its results page shows answers per agency and question without identities', async () => {
  await s.app.campaign.subscribe('web', 'web-session-respondent', 'vi');
  const editor = await signedIn('bientap');
  await editor.get('/console/surveys');
  expect((await editor.post('/console/surveys', { surveyId: 'sipas-dich-vu-cong', name: 'Đợt không mời ai' })).status).toBe(400);
  const created = await editor.post('/console/surveys', { surveyId: 'sipas-dich-vu-cong', name: 'Khảo sát quý I/2026', subscribers: '1' });
  expect(created).toMatchObject({ status: 303, location: '/console/surveys?done=created' });
  const [campaign] = await s.app.campaign.listSurveyCampaigns();
  expect(campaign).toMatchObject({ state: 'draft', createdBy: 'console:bientap' });

  await editor.get('/console/surveys');
  expect((await editor.post(`/console/surveys/${campaign.id}/launch`)).location).toBe('/console/surveys?done=launch');
  // A respondent answers (the chat flow's use case) once the dispatcher has recorded their invitation.
  const deadline = Date.now() + 20_000;
  while (!(await s.app.campaign.startSurvey(campaign.id, 'web', 'web-session-respondent')).ok) {
    if (Date.now() > deadline) throw new Error('the invitation was not recorded');
    await new Promise((r) => setTimeout(r, 200));
  }
  await s.app.campaign.submitSurvey({
    campaignId: campaign.id,
    channel: 'web',
    userId: 'web-session-respondent',
    answers: {
      overall: { kind: 'likert', score: 4 },
      timeliness: { kind: 'likert', score: 5 },
      channel: { kind: 'choice', choice: 'portal' },
      comment: { kind: 'text', text: 'Thủ tục nhanh gọn' },
    },
  });
  const results = await editor.get(`/console/surveys/${campaign.id}`);
  expect(results.status).toBe(200);
  expect(results.body).toContain('Khảo sát quý I/2026');
  expect(results.body).toContain('Cổng dịch vụ công: 1');
  expect(results.body).toContain('Thủ tục nhanh gọn');
  expect(results.body).not.toContain('web-session-respondent');
  await editor.get('/console/surveys');
  expect((await editor.post(`/console/surveys/${campaign.id}/close`)).location).toBe('/console/surveys?done=close');
  expect((await s.app.campaign.listSurveyCampaigns())[0].state).toBe('closed');

  // The coordinator's report has the campaign sections.
  const coordinator = await signedIn('dieuphoi');
  const report = await coordinator.get('/console/reports');
  expect(report.status).toBe(200);
  for (const title of ['Người đăng ký nhận tin', 'Tin đã đăng và số người nhận', 'Kết quả khảo sát theo cơ quan'])
    expect(report.body).toContain(title);
});

it('a campaign for citizens whose complaint was resolved: results per agency of their complaint', async () => {
  const officerOf = (agencyId: string) => ({ kind: 'officer' as const, id: `officer-${agencyId}`, agencyId });
  const citizens: { userId: string; agency: string; sector: 'land' | 'tax'; text: string; localityId?: string }[] = [
    {
      userId: 'web-session-closed-dakha',
      agency: DAK_HA,
      sector: 'land' as const,
      text: 'Đường vào thôn 3 xã Hà Mòn sạt lở chưa được sửa',
    },
    {
      userId: 'web-session-closed-thue',
      agency: TAX,
      sector: 'tax' as const,
      text: 'Hồ sơ hoàn thuế thu nhập cá nhân của tôi quá hạn',
      localityId: undefined,
    },
  ];
  for (const c of citizens) {
    const { code } = await s.app.complaints.submit({
      channel: 'web',
      userId: c.userId,
      locale: 'vi',
      text: c.text,
      sector: c.sector,
      photoRefs: [],
      ...(c.localityId ? { localityId: c.localityId } : {}),
    });
    // The agency routing chose: the one whose officer resolves it, the one the results count it under.
    c.agency = String((await s.app.db.models.Complaint.findById(code).lean())?.agencyId);
    expect(await s.app.complaints.resolve(code, officerOf(c.agency), 'Đã xử lý xong')).toMatchObject({ ok: true });
  }
  expect(citizens[0].agency).not.toBe(citizens[1].agency);
  const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
  const editor = await signedIn('bientap');
  await editor.get('/console/surveys');
  const created = await editor.post('/console/surveys', {
    surveyId: 'sipas-dich-vu-cong',
    name: 'Khảo sát người có phản ánh đã giải quyết',
    closedFrom: today,
    closedTo: today,
  });
  expect(created.status).toBe(303);
  const campaign = (await s.app.campaign.listSurveyCampaigns()).find((c) => c.name === 'Khảo sát người có phản ánh đã giải quyết')!;
  expect(campaign.audience.closedComplaints?.agencyIds).toEqual([]);
  await editor.get('/console/surveys');
  await editor.post(`/console/surveys/${campaign.id}/launch`);
  for (const [i, c] of citizens.entries()) {
    const deadline = Date.now() + 20_000;
    let start = await s.app.campaign.startSurvey(campaign.id, 'web', c.userId);
    while (!start.ok) {
      if (Date.now() > deadline) throw new Error(`${c.userId} was not invited`);
      await new Promise((r) => setTimeout(r, 200));
      start = await s.app.campaign.startSurvey(campaign.id, 'web', c.userId);
    }
    expect(start.agencyId).toBe(c.agency);
    await s.app.campaign.submitSurvey({
      campaignId: campaign.id,
      channel: 'web',
      userId: c.userId,
      agencyId: start.agencyId,
      answers: {
        overall: { kind: 'likert', score: i === 0 ? 5 : 2 },
        timeliness: { kind: 'likert', score: 3 },
        channel: { kind: 'choice', choice: 'chat' },
      },
    });
  }
  const results = await s.app.campaign.surveyResults(campaign.id);
  const [first, second] = citizens.map((c) => c.agency);
  expect(results?.respondents).toEqual({ [first]: 1, [second]: 1 });
  const overall = results?.questions.find((q) => q.questionId === 'overall')?.byAgency;
  expect(overall?.[first]).toMatchObject({ answers: 1, mean: 5 });
  expect(overall?.[second]).toMatchObject({ answers: 1, mean: 2 });
  const page = await editor.get(`/console/surveys/${campaign.id}`);
  const labels = s.app.directory.current();
  for (const agency of [first, second]) expect(page.body).toContain(labels.agencyById.get(agency)!.name.vi);
});
