/**
 * The console in a real browser (Debian's chromium, playwright-core, headless), one role
 * after the other, against the whole service: an officer answers a complaint and the
 * citizen's web chat receives the answer; an officer cannot open another agency's
 * complaint (page and API); requests without a CSRF token or without a session are
 * refused; the coordinator's charts render with seeded data; the admin's account list.
 * Screenshots at phone (390×844) and desktop (1280×900) widths go to test-artifacts/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { questionRecord } from '../../src/core/question-record';
import { MongoQuestionLog } from '../../src/storage/mongo/mongo-question-log';
import { DAK_HA, PASSWORD, startConsoleService, TAX, type ConsoleService } from '../console/console-world';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const CITIZEN_SESSION = 'citizen_web_session_0001';

jest.setTimeout(240_000);

describe('console in Chromium, per role', () => {
  let s: ConsoleService;
  let browser: Browser;
  let dakHaCode: string;
  let taxCode: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    mkdirSync(ARTIFACTS, { recursive: true });
    s = await startConsoleService();
    const { complaints } = s.app;
    const submit = async (userId: string, text: string, sector: 'land' | 'tax' | 'health' | 'transport', localityId?: string) =>
      (
        await complaints.submit({
          channel: 'web',
          userId,
          locale: 'vi',
          text,
          sector,
          photoRefs: [],
          ...(localityId ? { localityId } : {}),
        })
      ).code;
    dakHaCode = await submit(CITIZEN_SESSION, 'Đất nhà tôi ở thôn 3 xã Hà Mòn bị lấn chiếm, đề nghị giải quyết sớm', 'land', 'xa-ha-mon');
    taxCode = await submit('citizen_web_session_0002', 'Hoàn thuế thu nhập cá nhân của tôi đã quá hạn ba tháng', 'tax');
    // More data for the charts: answered, resolved and rated complaints of several agencies.
    const officers = { [DAK_HA]: 'seed-dak-ha', [TAX]: 'seed-thue', 'so-y-te': 'seed-y-te' } as Record<string, string>;
    const seeds: [string, 'land' | 'tax' | 'health' | 'transport', string | undefined, number][] = [
      ['Xã Hà Mòn chậm trả kết quả chuyển mục đích sử dụng đất', 'land', 'xa-ha-mon', 5],
      ['Trạm y tế xã không có thuốc cho người bệnh mãn tính', 'health', undefined, 4],
      ['Không nộp được tờ khai thuế môn bài qua mạng', 'tax', undefined, 2],
      ['Trạm y tế thu thêm tiền khám ngoài quy định', 'health', undefined, 3],
      ['Đường vào thôn 5 xã Hà Mòn bị sạt lở chưa sửa', 'transport', 'xa-ha-mon', 0],
    ];
    for (const [i, [text, sector, locality, score]] of seeds.entries()) {
      const code = await submit(`citizen_seed_session_${i}0000`, text, sector, locality);
      const agencyId = (await s.app.db.models.Complaint.findById(code).lean())!.agencyId;
      if (score === 0) continue;
      const actor = { kind: 'officer' as const, id: officers[agencyId] ?? 'seed', agencyId };
      expect((await complaints.answer(code, actor, 'Cơ quan đã kiểm tra và trả lời ông/bà.')).ok).toBe(true);
      expect((await complaints.resolve(code, actor)).ok).toBe(true);
      expect((await complaints.rate(code, 'web', `citizen_seed_session_${i}0000`, score)).ok).toBe(true);
    }
    // One delivery that could not be made, for the coordinator's page.
    await s.app.db.models.Delivery.updateOne(
      { complaintCode: taxCode },
      { $set: { state: 'dead', lastError: 'SMTP 550 mailbox unavailable' } },
    );
    // Questions of the last three weeks.
    const log = new MongoQuestionLog(s.app.db);
    const day = 86_400_000;
    const asks: [number, string, number, string?][] = [
      [20, 'proc_birth_registration', 6],
      [20, 'proc_land_certificate', 3],
      [20, 'fallback', 2, 'xin mẫu đơn ly hôn ở đâu'],
      [13, 'proc_birth_registration', 4],
      [13, 'online_payment', 5],
      [13, 'fallback', 3, 'giá vé xe buýt đi Kon Tum'],
      [6, 'proc_business_registration', 7],
      [6, 'proc_birth_registration', 2],
      [6, 'fallback', 1, 'xin mẫu đơn ly hôn ở đâu'],
    ];
    for (const [ago, intent, times, text] of asks)
      for (let i = 0; i < times; i++)
        log.record(
          questionRecord({
            at: new Date(Date.now() - ago * day),
            channel: 'web',
            locale: 'vi',
            intent,
            fallback: intent === 'fallback',
            text: text ?? '',
          }),
        );
    await log.flush(); // the log group-commits its records
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
    });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  const open = async (viewport = PHONE): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await browser.newContext({ viewport, deviceScaleFactor: 1, locale: 'vi-VN', baseURL: s.base });
    return { context, page: await context.newPage() };
  };
  const login = async (page: Page, username: string): Promise<void> => {
    await page.goto('/console/login');
    await page.fill('input[name="username"]', username);
    await page.fill('input[name="password"]', PASSWORD);
    await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
  };
  const shot = (page: Page, name: string, fullPage = true) => page.screenshot({ path: join(ARTIFACTS, `console-${name}.png`), fullPage });
  const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

  it("officer: answers a complaint on a phone, and the citizen's web chat receives the answer", async () => {
    const { context, page } = await open(PHONE);
    await page.goto('/console/login');
    await shot(page, 'login-phone');
    await login(page, 'canbo.dakha');
    expect(page.url()).toMatch(/\/console\/complaints$/);
    expect(await page.locator('.card .code').allTextContents()).toContain(dakHaCode);
    expect(await page.locator('.card .code').allTextContents()).not.toContain(taxCode);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await shot(page, 'officer-list-phone');

    await page.click(`text=${dakHaCode}`);
    await page.locator('h1', { hasText: dakHaCode }).waitFor();
    const answer = 'UBND huyện Đăk Hà đã cử cán bộ địa chính kiểm tra hiện trạng; hẹn làm việc với hai hộ vào thứ Năm.';
    await page.fill('textarea[name="text"]', answer);
    await Promise.all([page.waitForNavigation(), page.click('form[action$="/answer"] button')]);
    expect(await page.locator('.alert.ok').textContent()).toContain('Đã gửi trả lời');
    expect(await page.locator('.history').textContent()).toContain(answer);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await shot(page, 'officer-answered-phone');

    // The citizen's page polls its updates: the answer arrives through the notification outbox.
    let received = '';
    for (let i = 0; i < 50 && !received.includes(answer); i++) {
      const res = await fetch(`${s.base}/api/chat/updates?sessionId=${CITIZEN_SESSION}`);
      received += JSON.stringify(await res.json());
      if (!received.includes(answer)) await new Promise((r) => setTimeout(r, 200));
    }
    expect(received).toContain(answer);
    expect(received).toContain(dakHaCode);
    await context.close();
  });

  it("officer: another agency's complaint is refused by direct URL and by the API; a post without CSRF token is refused", async () => {
    const { context, page } = await open(PHONE);
    await login(page, 'canbo.dakha');
    const direct = await page.goto(`/console/complaints/${taxCode}`);
    expect(direct?.status()).toBe(404);
    expect(await page.locator('.alert.error').textContent()).toContain('Không tìm thấy');
    expect(await page.content()).not.toContain('Hoàn thuế');
    await shot(page, 'officer-refused-phone');
    const api = await page.request.get(`/console/api/complaints/${taxCode}`);
    expect(api.status()).toBe(404);
    expect(await api.text()).not.toContain('Hoàn thuế');
    // The session cookie goes along (same browser context), but no CSRF token.
    const forged = await page.request.post(`/console/complaints/${dakHaCode}/resolve`, { form: { note: 'giả mạo' } });
    expect(forged.status()).toBe(403);
    expect((await s.app.db.models.Complaint.findById(dakHaCode).lean())?.status).toBe('answered');
    await context.close();

    const anonymous = await open(PHONE);
    const noSession = await anonymous.page.request.post(`/console/complaints/${dakHaCode}/resolve`, {
      form: { note: 'x' },
      maxRedirects: 0,
    });
    expect(noSession.status()).toBe(401);
    expect((await anonymous.page.request.get(`/console/api/complaints/${dakHaCode}`)).status()).toBe(401);
    await anonymous.page.goto(`/console/complaints/${dakHaCode}`);
    expect(anonymous.page.url()).toMatch(/\/console\/login$/);
    await anonymous.context.close();
  });

  it('coordinator: every chart of the reports renders with the seeded data, on a desktop and on a phone', async () => {
    for (const [name, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      const { context, page } = await open(viewport);
      await login(page, 'dieuphoi');
      await page.goto('/console/reports');
      const charts = await page.locator('canvas[data-chart]').count();
      expect(charts).toBe(8); // seven complaint and question sections, and the campaign's subscribers
      await page.waitForFunction((n) => document.querySelectorAll('canvas[data-drawn="true"]').length === n, charts);
      // Each canvas has pixels drawn (not blank).
      const painted = await page.$$eval('canvas[data-chart]', (canvases) =>
        canvases.map((c) => {
          const canvas = c as HTMLCanvasElement;
          const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
          let ink = 0;
          for (let i = 3; i < data.length; i += 4) if (data[i] > 0) ink++;
          return ink;
        }),
      );
      expect(painted.every((ink) => ink > 500)).toBe(true);
      expect(await page.locator('#report-on-time table').textContent()).toContain('Tổng cộng');
      expect(await overflow(page)).toBeLessThanOrEqual(0);
      await shot(page, `reports-${name}`);
      await page.locator('#report-questions').screenshot({ path: join(ARTIFACTS, `console-reports-questions-${name}.png`) });
      await page.locator('#report-on-time').screenshot({ path: join(ARTIFACTS, `console-reports-on-time-${name}.png`) });
      if (name === 'desktop') {
        const csv = await page.request.get(
          await page
            .locator('#report-by-agency a', { hasText: 'CSV' })
            .getAttribute('href')
            .then((h) => h!),
        );
        expect(csv.headers()['content-type']).toContain('text/csv');
        expect(await csv.text()).toContain('UBND huyện Đăk Hà');
        await page.goto('/console/complaints?overdue=1');
        await shot(page, 'coordinator-overdue-desktop');
        await page.goto('/console/deliveries');
        expect(await page.locator('.card .code').allTextContents()).toContain(taxCode);
        await shot(page, 'coordinator-deliveries-desktop');
        await Promise.all([
          page.waitForNavigation(),
          page.locator('.card', { hasText: taxCode }).locator('button', { hasText: 'Gửi lại' }).click(),
        ]);
        expect(await page.locator('.alert.ok').textContent()).toContain('Đã gửi lại');
        const month = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 7);
        await page.goto(`/console/reports/monthly?month=${month}`);
        // Every chart of the month drawn (the seven of the complaints and questions, and the campaign's).
        await page.waitForFunction(() => document.querySelectorAll('canvas[data-drawn="true"]').length === 8);
        await page.emulateMedia({ media: 'print' });
        await shot(page, 'monthly-print');
        await page.pdf({ path: join(ARTIFACTS, 'console-monthly.pdf'), format: 'A4', printBackground: true });
      }
      await context.close();
    }
  });

  it('admin: sees and creates accounts; editor: lands on their account page', async () => {
    const { context, page } = await open(DESKTOP);
    await login(page, 'quantri');
    expect(page.url()).toMatch(/\/console\/accounts$/);
    await page.fill('form[action="/console/accounts"] input[name="username"]', 'canbo.moi');
    await page.fill('form[action="/console/accounts"] input[name="displayName"]', 'Cán Bộ Mới');
    await page.selectOption('form[action="/console/accounts"] select[name="role"]', 'officer');
    await page.selectOption('form[action="/console/accounts"] select[name="agencyId"]', DAK_HA);
    await page.fill('form[action="/console/accounts"] input[name="password"]', 'một-mật-khẩu-mới-dài');
    await Promise.all([page.waitForNavigation(), page.click('form[action="/console/accounts"] button')]);
    expect(await page.locator('table').first().textContent()).toContain('canbo.moi');
    await shot(page, 'admin-accounts-desktop');
    await page.setViewportSize(PHONE);
    await page.goto('/console/audit');
    expect(await page.locator('table').textContent()).toContain('account.create');
    await shot(page, 'admin-audit-phone');
    await context.close();

    const editor = await open(PHONE);
    await login(editor.page, 'bientap');
    expect(editor.page.url()).toMatch(/\/console\/account$/);
    expect([...(await editor.page.locator('nav.menu a').allTextContents())].sort()).toEqual([
      'Khảo sát',
      'Tin cải cách hành chính',
      'Tài khoản của tôi',
    ]);
    await editor.context.close();
  });
});
