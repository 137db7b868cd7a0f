/**
 * The web chat in a real browser (Debian's chromium driven by playwright-core) at phone
 * size, against the real server pieces: the fastify routes, the conversation engine with
 * the real content, the complaint flow with MongoComplaintService, and the test FerretDB.
 * Leaves a screenshot in test-artifacts/ for a human to look at.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { mongoTakeHeld } from '../../../src/channels/web/held-notifications';
import { webChatRoutes } from '../../../src/channels/web/web-chat-routes';
import { ComplaintFlow } from '../../../src/complaints/complaint-flow';
import { createComplaintService } from '../../support/complaint-service';
import { loadDirectory } from '../../../src/complaints/directory/directory-loader';
import { loadHolidays } from '../../../src/complaints/holiday-calendar';
import { COMPLAINT_TEXT_KEYS, isNotificationKind, renderNotification } from '../../../src/complaints/notification-texts';
import { RatingFlow } from '../../../src/complaints/rating-flow';
import { ComplaintStatusHandler } from '../../../src/complaints/status-handler';
import { loadBotContent } from '../../../src/content/content-loader';
import type { BotContent } from '../../../src/core/bot-content';
import { ConversationEngine } from '../../../src/core/conversation-engine';
import type { Database } from '../../../src/storage/mongo/database';
import { MongoConversationStore } from '../../../src/storage/mongo/mongo-conversation-store';
import { dropTestDatabase, openTestDatabase } from '../../support/database';
import { webChatTestDeps } from '../support/web';

const ROOT = join(__dirname, '..', '..', '..');
const CHROMIUM = '/usr/bin/chromium';
const BOT_NAME = 'Trợ lý CCHC tỉnh Kon Tum';
const ARTIFACTS = join(ROOT, 'test-artifacts');
const COMPLAINT = 'can bo xa dak ha doi tien moi giai quyet ho so dat';

jest.setTimeout(120_000);

async function loadContent(): Promise<BotContent> {
  const result = await loadBotContent(
    {
      intentsDir: join(ROOT, 'intents'),
      localesDir: join(ROOT, 'locales'),
      abbreviationsFile: join(ROOT, 'config', 'abbreviations.yaml'),
      root: ROOT,
    },
    { requiredTextKeys: COMPLAINT_TEXT_KEYS, textGlobals: { hotline: '0260 1022', botName: BOT_NAME } },
  );
  if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('\n'));
  return result.value;
}

describe('web chat in a browser (360×640)', () => {
  let db: Database;
  let content: BotContent;
  let app: FastifyInstance;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  let profileDir: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    const [database, loaded, directory, holidays] = await Promise.all([
      openTestDatabase('web_e2e'),
      loadContent(),
      loadDirectory(join(ROOT, 'config', 'directory', 'kontum-2021.yaml')),
      loadHolidays(join(ROOT, 'config', 'holidays.yaml')),
    ]);
    if (!directory.ok || !holidays.ok) throw new Error('sample directory or holidays invalid');
    db = database;
    content = loaded;
    const service = createComplaintService({ db, directory: { current: () => directory.value }, holidays: holidays.value });
    const engine = new ConversationEngine({
      content: { current: () => content },
      store: new MongoConversationStore(db),
      flows: [new ComplaintFlow({ service, directory: { current: () => directory.value } }), new RatingFlow({ service })],
      intentHandlers: { complaint_status: new ComplaintStatusHandler({ service }) },
    });
    app = Fastify();
    await app.register(
      webChatRoutes,
      webChatTestDeps({
        db,
        engine,
        content,
        botName: BOT_NAME,
        takeHeld: mongoTakeHeld({
          models: db.models,
          claims: db.claims,
          render: (n, locale) => (isNotificationKind(n.kind) ? renderNotification(n.kind, n.params, locale, content.translator) : []),
        }),
      }),
    );
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

    profileDir = mkdtempSync(join(tmpdir(), 'cchc-chromium-'));
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 360, height: 640 },
      deviceScaleFactor: 2,
      locale: 'vi-VN',
    });
    page = context.pages()[0] ?? (await context.newPage());
  });

  afterAll(async () => {
    await context?.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
    await app?.close();
    if (db) await dropTestDatabase(db);
  });

  const botMessages = () => page.locator('#messages .message.bot .bubble, #messages .message.notification .bubble');
  const send = async (text: string) => {
    await page.fill('#input', text);
    await page.press('#input', 'Enter');
  };
  const waitForBot = (pattern: RegExp) =>
    page.waitForFunction(
      (source) => {
        const bubbles = Array.from(
          document.querySelectorAll('#messages .message.bot:not(.typing) .bubble, #messages .message.notification .bubble'),
        );
        return bubbles.some((b) => new RegExp(source).test(b.textContent ?? ''));
      },
      pattern.source,
      { timeout: 15_000 },
    );
  const t = (key: string) => content.translator.t('vi', key);

  it('greets in Vietnamese with the bot’s name, answers a question, files a complaint, switches to English', async () => {
    await page.goto(base);
    await expect(page.title()).resolves.toBe(BOT_NAME);
    await expect(page.locator('h1').textContent()).resolves.toBe(BOT_NAME);
    await waitForBot(/Xin chào/);
    expect(await page.getAttribute('html', 'lang')).toBe('vi');
    expect(await page.getAttribute('#messages', 'aria-live')).toBe('polite');
    expect(await page.locator('label[for="input"]').textContent()).toBeTruthy();
    expect(await page.locator('#quick-replies button').count()).toBeGreaterThan(0);

    // A question typed without diacritics, sent with Enter.
    await send('lam giay khai sinh o dau');
    await waitForBot(/Ủy ban nhân dân cấp xã/);
    expect(await page.locator('#messages .message.user .bubble').last().textContent()).toContain('lam giay khai sinh o dau');
    expect(await page.inputValue('#input')).toBe('');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('input');

    // A complaint through the conversation: the description, skip the contact, confirm.
    await send(COMPLAINT);
    await waitForBot(new RegExp(escapeRegExp(t('complaint.ask_contact')).slice(0, 40)));
    await page.locator('#quick-replies button', { hasText: t('complaint.button.no_contact') }).click();
    await page.locator('#quick-replies button', { hasText: t('complaint.button.confirm') }).waitFor({ timeout: 15_000 });
    await page.locator('#quick-replies button', { hasText: t('complaint.button.confirm') }).click();
    // The greeting mentions the placeholder "PA-XXXXXX": wait for a real code.
    const realCode = /PA-(?!XXXXXX)[A-Z0-9]{6}/;
    await waitForBot(realCode);
    const code = realCode.exec((await botMessages().allTextContents()).join('\n'))?.[0];
    expect(code).toBeDefined();
    const sessionId = (await page.evaluate(() => localStorage.getItem('cchc-chat-session'))) ?? '';
    expect(sessionId).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
    expect(await db.models.Complaint.countDocuments({ code, channel: 'web', userId: sessionId })).toBe(1);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'web-chat-vi.png') });

    // The language switch: the page's own texts and the bot's answers in English.
    await page.click('.lang-switch button[data-locale="en"]');
    await waitForBot(/I can help/);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.getAttribute('#input', 'placeholder')).toBe('Type your question…');
    expect(await page.getAttribute('.lang-switch button[data-locale="en"]', 'aria-pressed')).toBe('true');
    await send(`/tracuu ${code}`);
    await waitForBot(new RegExp(`${code}[\\s\\S]*(Received|received|Status|status)`));

    // A notification held for this session arrives when the page polls.
    await db.models.Notification.create({
      idempotencyKey: `${code}:acknowledged:1`,
      complaintCode: code,
      channel: 'web',
      userId: sessionId,
      kind: 'acknowledged',
      params: {
        code,
        agencyName: 'UBND huyện Đăk Hà',
        agencyNameEn: "Dak Ha District People's Committee",
        dueAt: new Date('2026-12-07T10:00:00Z').toISOString(),
      },
      state: 'held',
      nextAttemptAt: new Date(),
    });
    await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
    await page.locator('#messages .message.notification').waitFor({ timeout: 10_000 });
    expect(await page.locator('#messages .message.notification').allTextContents()).toEqual([
      expect.stringContaining(`${code} is now being handled by Dak Ha`),
    ]);
    expect(await db.models.Notification.countDocuments({ userId: sessionId, state: 'sent' })).toBe(1);

    // Nothing overflows the phone's width.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ARTIFACTS, 'web-chat.png') });
  });

  it('keeps the transcript across a reload', async () => {
    const before = await page.locator('#messages .message').count();
    // The hidden speaker labels ("Anh/Chị:", "You:") follow the current language: compare the rest.
    const withoutSpeaker = (texts: string[]) => texts.map((text) => text.replace(/^[^:]*: /, ''));
    const texts = withoutSpeaker(await page.locator('#messages .message').allTextContents());
    await page.reload();
    await page.locator('#messages .message').first().waitFor({ timeout: 10_000 });
    expect(withoutSpeaker(await page.locator('#messages .message').allTextContents())).toEqual(texts);
    expect(before).toBeGreaterThan(5);
  });

  it('lays out as a centred card on a desktop screen', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    const box = await page.locator('.app').boundingBox();
    expect(box?.width).toBeLessThanOrEqual(760);
    expect(box!.x).toBeGreaterThan(200);
    await page.screenshot({ path: join(ARTIFACTS, 'web-chat-desktop.png') });
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
