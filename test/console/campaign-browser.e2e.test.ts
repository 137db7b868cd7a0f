/**
 * The editor's and the coordinator's campaign pages in headless Chromium (playwright-core,
 * Debian's chromium) at phone and desktop widths: an editor publishes a news item through
 * the form, reads a survey campaign's results; the coordinator's report draws the
 * campaign charts. Screenshots go to test-artifacts/ for a human to look at.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { PASSWORD, startConsoleService, type ConsoleService } from './console-world';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');
const WIDTHS = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 900 } } as const;

jest.setTimeout(180_000);

let s: ConsoleService;
let browser: Browser;
let context: BrowserContext;
let campaignId: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  mkdirSync(ARTIFACTS, { recursive: true });
  s = await startConsoleService();
  // Subscribers on the web (never pushed to: counted "web") and survey answers to report.
  for (let i = 0; i < 6; i++) await s.app.campaign.subscribe('web', `web-session-browser-${i}`, 'vi', i % 2 ? ['land'] : undefined);
  const created = await s.app.campaign.createSurveyCampaign({
    surveyId: 'sipas-dich-vu-cong',
    name: 'Khảo sát quý I/2026',
    audience: { kind: 'survey', subscribers: { topics: [] } },
    by: 'console:bientap',
  });
  if (!created.ok) throw new Error(created.error);
  campaignId = created.id;
  await s.app.campaign.launchSurveyCampaign(campaignId);
  const deadline = Date.now() + 30_000;
  for (let i = 0; i < 6; i++) {
    while (!(await s.app.campaign.startSurvey(campaignId, 'web', `web-session-browser-${i}`)).ok) {
      if (Date.now() > deadline) throw new Error('invitations not recorded');
      await new Promise((r) => setTimeout(r, 200));
    }
    await s.app.campaign.submitSurvey({
      campaignId,
      channel: 'web',
      userId: `web-session-browser-${i}`,
      answers: {
        overall: { kind: 'likert', score: 3 + (i % 3) },
        timeliness: { kind: 'likert', score: 2 + (i % 4) },
        channel: { kind: 'choice', choice: ['chat', 'portal', 'office'][i % 3] },
        ...(i % 2 ? { comment: { kind: 'text', text: `Góp ý số ${i}: cán bộ hướng dẫn tận tình` } } : {}),
      },
    });
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  context = await browser.newContext({ viewport: WIDTHS.phone, locale: 'vi-VN' });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await s?.close();
});

async function login(page: Page, username: string): Promise<void> {
  await context.clearCookies(); // one browser profile: the previous account's session goes
  await page.goto(`${s.base}/console/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
}

it('an editor publishes a news item through the form and reads a survey campaign’s results', async () => {
  const page = await context.newPage();
  await login(page, 'bientap');
  await page.goto(`${s.base}/console/news`);
  await page.fill('input[name=title]', 'Nộp hồ sơ đất đai trên Cổng Dịch vụ công quốc gia');
  await page.fill('textarea[name=summary]', 'Người dân có thể nộp hồ sơ đăng ký đất đai lần đầu trực tuyến, không phải đến trụ sở.');
  await page.fill('input[name=link]', 'https://dichvucong.gov.vn/');
  await page.check('input[name=topics][value=land]');
  await page.check('input[name=topics][value=online_services]');
  await Promise.all([page.waitForNavigation(), page.click('form[action="/console/news"] button[type=submit]')]);
  await page.waitForSelector('text=Đã đăng tin');
  const published = await s.app.db.models.News.findOne({}).lean();
  expect(published?.publishedBy).toBe('console:bientap');
  expect([...(published?.topics ?? [])].sort()).toEqual(['land', 'online_services']);
  // The web subscribers of those topics are counted "web" once the sender went through them.
  const newsId = (await s.app.campaign.listNews())[0].id;
  const until = Date.now() + 20_000;
  while (((await s.app.campaign.newsReach(newsId)).web?.skipped ?? 0) < 6 && Date.now() < until)
    await new Promise((r) => setTimeout(r, 200));
  await page.reload();
  expect(await page.locator('.card').first().innerText()).toContain('web 6');
  for (const [name, size] of Object.entries(WIDTHS)) {
    await page.setViewportSize(size);
    await page.screenshot({ path: join(ARTIFACTS, `console-news-${name}.png`), fullPage: true });
  }

  await page.goto(`${s.base}/console/surveys/${campaignId}`);
  expect(await page.locator('h1').innerText()).toContain('Khảo sát quý I/2026');
  expect(await page.locator('body').innerText()).toContain('Góp ý số 1: cán bộ hướng dẫn tận tình');
  expect(await page.locator('body').innerText()).not.toContain('web-session-browser');
  for (const [name, size] of Object.entries(WIDTHS)) {
    await page.setViewportSize(size);
    await page.screenshot({ path: join(ARTIFACTS, `console-survey-results-${name}.png`), fullPage: true });
  }
  await page.close();
});

it('the coordinator’s report draws the campaign charts', async () => {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && errors.push(`${r.status()} ${r.url()}`));
  await login(page, 'dieuphoi');
  await page.goto(`${s.base}/console/reports`);
  await page.waitForLoadState('load');
  expect(errors).toEqual([]);
  for (const id of ['subscribers', 'news-reach', 'survey-results']) {
    // Chart.js drew into the canvas (the page's script marks it), and some pixel is painted.
    await page.waitForSelector(`canvas[data-chart="chart-${id}"][data-drawn="true"]`, { state: 'attached', timeout: 15_000 });
    const drawn = await page.evaluate((chart) => {
      const canvas = document.querySelector<HTMLCanvasElement>(`canvas[data-chart="${chart}"]`);
      const data = canvas?.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data;
      return data ? data.some((v, i) => i % 4 === 3 && v > 0) : false;
    }, `chart-${id}`);
    expect(drawn).toBe(true);
  }
  for (const [name, size] of Object.entries(WIDTHS)) {
    await page.setViewportSize(size);
    for (const id of ['subscribers', 'survey-results'])
      await page
        .locator(`canvas[data-chart="chart-${id}"]`)
        .locator('xpath=ancestor::section[1]')
        .screenshot({ path: join(ARTIFACTS, `console-report-${id}-${name}.png`) });
  }
  await page.close();
});
