/**
 * Walk-through in a real browser at phone size (Debian's chromium, playwright-core): a
 * complaint interrupted by a question, a language switch in the middle, and a corrected
 * phone number, then sent; then a second browser (another session) looks it up with the code
 * alone (status and dates only) and with the PIN. Screenshots of each moment go to
 * test-artifacts/ for a person to look at.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { webChatRoutes } from '../../src/channels/web/web-chat-routes';
import type { Database } from '../../src/storage/mongo/database';
import { createStoryWorld, type StoryWorld } from '../../src/stories/story-world';
import { dropTestDatabase, openTestDatabase } from '../support/database';
import { webChatTestDeps } from '../channels/support/web';

const ROOT = join(__dirname, '..', '..');
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'test-artifacts');

jest.setTimeout(180_000);

describe('web chat walk-through (360×640): interruption, language switch, edited contact', () => {
  let db: Database;
  let world: StoryWorld;
  let app: FastifyInstance;
  let context: BrowserContext;
  let page: Page;
  let profileDir: string;
  let baseUrl: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    db = await openTestDatabase('walkthrough_web');
    world = await createStoryWorld(db, ROOT);
    world.now = new Date();
    const content = world.content({ hotline: true });
    app = Fastify();
    await app.register(
      webChatRoutes,
      webChatTestDeps({ db, engine: world.engine({ hotline: true }), content, botName: 'Trợ lý CCHC', takeHeld: async () => [] }),
    );
    await app.listen({ host: '127.0.0.1', port: 0 });
    profileDir = mkdtempSync(join(tmpdir(), 'cchc-walkthrough-'));
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
      ],
      viewport: { width: 360, height: 640 },
      deviceScaleFactor: 2,
      locale: 'vi-VN',
    });
    page = context.pages()[0] ?? (await context.newPage());
    baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    await page.goto(baseUrl);
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await context?.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
    await app?.close();
    if (db) await dropTestDatabase(db);
  });

  const t = (locale: 'vi' | 'en', key: string): string => world.content({ hotline: true }).translator.t(locale, key);
  const send = async (text: string, on: Page = page): Promise<void> => {
    const before = await on.locator('#messages .message.bot:not(.typing)').count();
    await on.fill('#input', text);
    await on.press('#input', 'Enter');
    await on.waitForFunction((n) => document.querySelectorAll('#messages .message.bot:not(.typing)').length > n, before);
  };
  const click = async (label: string): Promise<void> => {
    const before = await page.locator('#messages .message.bot:not(.typing)').count();
    await page.locator('#quick-replies button', { hasText: label }).click();
    await page.waitForFunction((n) => document.querySelectorAll('#messages .message.bot:not(.typing)').length > n, before);
  };
  const lastBot = async (on: Page = page): Promise<string> =>
    (await on.locator('#messages .message.bot .bubble').allTextContents()).join('\n');
  const latestBot = async (on: Page): Promise<string> =>
    (await on.locator('#messages .message.bot .bubble').allTextContents()).at(-1) ?? '';
  const shot = (name: string, on: Page = page) => on.screenshot({ path: join(ARTIFACTS, `walkthrough-web-${name}.png`) });

  it('files a complaint through an interruption, a language switch and a corrected phone number', async () => {
    await page.locator('#messages .message.bot:not(.typing)').first().waitFor(); // the greeting, not its "replying…" placeholder
    await send('đường vào thôn 3 xã Hà Mòn bị sạt lở nửa năm rồi chưa ai sửa');
    expect(await lastBot()).toContain(t('vi', 'complaint.ack_described'));
    expect(await page.locator('#quick-replies button').allTextContents()).toEqual([t('vi', 'complaint.button.no_contact')]);
    await shot('1-acknowledged');

    await send('làm giấy khai sinh cho con cần giấy tờ gì');
    expect(await lastBot()).toContain('Đăng ký khai sinh');
    expect(await lastBot()).toContain(t('vi', 'conversation.continue_offer.complaint'));
    await shot('2-interrupted');

    await click(t('vi', 'conversation.button.continue'));
    expect(await lastBot()).toContain(t('vi', 'complaint.ask_contact').slice(0, 40));
    await send('Nguyễn Văn Bình 0905 123 456');
    expect(await lastBot()).toContain('Nguyễn Văn Bình, 0905123456');
    expect(await lastBot()).toContain('Giao thông, đường sá');

    await page.click('.lang-switch button[data-locale="en"]');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    await page.waitForFunction(() => /Please check your complaint/.test(document.querySelector('#messages')?.textContent ?? ''));
    expect(await lastBot()).toContain(t('en', 'conversation.language_switched'));
    expect(await lastBot()).toContain('Roads and transport');
    await shot('3-english-read-back');

    await send('change the phone number');
    await send('0260 3862 345');
    const readBack = await lastBot();
    expect(readBack).toContain('Nguyễn Văn Bình, 02603862345');
    expect(await page.locator('#quick-replies button').count()).toBeLessThanOrEqual(6);
    await shot('4-phone-corrected');

    await click(t('en', 'complaint.button.confirm'));
    const done = await lastBot();
    expect(done).toMatch(/PA-(?!XXXXXX)[A-Z0-9]{6}/);
    expect(done).toContain('Ha Mon');
    const stored = await db.models.Complaint.findOne({ channel: 'web' }).lean();
    expect(stored).toMatchObject({
      sector: 'transport',
      localityId: 'xa-ha-mon',
      contact: { name: 'Nguyễn Văn Bình', phone: '02603862345' },
    });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot('5-sent');

    // Another browser, another session: the code alone shows status and dates, the PIN the rest.
    const receipt = await latestBot(page);
    const code = /PA-(?!XXXXXX)[A-Z0-9]{6}/.exec(receipt)![0];
    const pin = /\b(\d{6})\b/.exec(receipt.replace(/PA-[A-Z0-9]{6}/g, ''))![1];
    // (A persistent context has one storage: clearing it gives the second page a session of its own.)
    const second = await context.newPage();
    await second.goto(baseUrl);
    await second.evaluate(() => (localStorage.clear(), sessionStorage.clear()));
    await second.reload();
    await second.locator('#messages .message.bot:not(.typing)').first().waitFor(); // the greeting, not its "replying…" placeholder
    await send(`/tracuu ${code}`, second);
    const codeOnly = await latestBot(second);
    expect(codeOnly).toContain(code);
    expect(codeOnly).toContain(t('vi', 'complaint.status.secret_hint').slice(0, 30));
    for (const secret of ['Nguyễn Văn Bình', '02603862345', 'sạt lở']) expect(codeOnly).not.toContain(secret);
    await shot('6-lookup-code-only', second);
    await send(`/tracuu ${code} ${pin}`, second);
    const withPin = await latestBot(second);
    expect(withPin).not.toContain(t('vi', 'complaint.status.secret_hint').slice(0, 30));
    expect(withPin).toMatch(/Hà Mòn/);
    await shot('7-lookup-with-pin', second);
    await second.close();
  });
});
