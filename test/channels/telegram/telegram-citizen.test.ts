/**
 * Citizens on Telegram, end to end: the bot under test talks real HTTP to the fake Bot API,
 * in long-polling mode and in webhook mode, with the real content, engine and FerretDB.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { freePort } from '../../../src/storage/embedded-ferretdb';
import type { Directory } from '../../../src/complaints/directory/directory';
import type { BotContent } from '../../../src/core/bot-content';
import type { Database } from '../../../src/storage/mongo/database';
import { loadSampleDirectory } from '../../complaints/sample-directory';
import { FakeTelegramServer, privateChatOf, type Message, type Update, type User } from '../../fakes/telegram-bot-api';
import { dropTestDatabase, openTestDatabase } from '../../support/database';
import { createHarness, loadTestContent, PNG_BYTES, SETUP_TIMEOUT_MS, type TelegramHarness } from './telegram-harness';

const HOTLINE_QUESTION = 'cho tôi xin số đường dây nóng';
const SECRET = 'test-webhook-secret-0123456789';

let content: BotContent;
let directory: Directory;

beforeAll(async () => {
  [content, directory] = await Promise.all([loadTestContent(), loadSampleDirectory()]);
}, SETUP_TIMEOUT_MS);

function citizen(id: number): User {
  return { id, is_bot: false, first_name: `Citizen ${id}`, language_code: 'vi' };
}

function buttons(message: Message): string[] {
  return (message.reply_markup?.inline_keyboard ?? []).flat().map((b) => String(b.callback_data));
}

describe('Telegram channel, long polling', () => {
  let fake: FakeTelegramServer;
  let db: Database;
  let h: TelegramHarness;

  beforeAll(async () => {
    fake = new FakeTelegramServer();
    await fake.start();
    db = await openTestDatabase('telegram_citizen');
    h = await createHarness({ fake, db, content, directory });
    await h.channel.start();
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await h?.channel.stop(1000);
    await fake?.close();
    if (db) await dropTestDatabase(db);
  });

  it('answers a citizen’s question with an inline keyboard of suggestions', async () => {
    const user = citizen(501);
    fake.userSendsText(user, privateChatOf(user), HOTLINE_QUESTION);
    const [answer] = await fake.waitForMessages(user.id, 1, 5000);
    expect(answer.text).toBe(content.translator.t('vi', 'intent.hotline.answer'));
    expect(buttons(answer)).toEqual(['#intent:complaint_submit', '#intent:feedback_channels', '#intent:one_stop_center']);
    expect(answer.reply_markup?.inline_keyboard[0][0].text).toBe(content.translator.t('vi', 'menu.complaint_submit'));
    expect(h.seen.at(-1)).toMatchObject({ channel: 'telegram', userId: '501', text: HOTLINE_QUESTION });
  });

  it('feeds a pressed button’s payload to the engine as text and answers the callback', async () => {
    const user = citizen(502);
    fake.userSendsText(user, privateChatOf(user), '/start');
    const [menu] = await fake.waitForMessages(user.id, 1, 5000);
    expect(buttons(menu)).toContain('#intent:hotline');
    const press = fake.userPressesButton(user, menu, '#intent:hotline');
    const messages = await fake.waitForMessages(user.id, 2, 5000);
    expect(messages[1].text).toBe(content.translator.t('vi', 'intent.hotline.answer'));
    const answered = await fake.waitFor(
      (c) => c.method === 'answerCallbackQuery' && c.params.callback_query_id === press.callback_query?.id,
    );
    expect(answered.params.text).toBeUndefined();
    expect(h.seen.at(-1)).toMatchObject({ text: '#intent:hotline', messageId: String(press.update_id) });
  });

  it('handles the language commands', async () => {
    const user = citizen(503);
    fake.userSendsText(user, privateChatOf(user), '/en');
    fake.userSendsText(user, privateChatOf(user), 'hotline'); // no language of its own: the chosen one holds
    const messages = await fake.waitForMessages(user.id, 2, 6000);
    expect(messages[1].text).toBe(content.translator.t('en', 'intent.hotline.answer'));
  });

  it('passes photos (largest size, by file_id) and locations to the engine as attachments', async () => {
    const user = citizen(504);
    const update = fake.userSendsPhoto(user, privateChatOf(user), { bytes: PNG_BYTES, caption: 'ổ gà trên đường' });
    fake.userSendsLocation(user, privateChatOf(user), { latitude: 14.35, longitude: 108.0 });
    await fake.waitForMessages(user.id, 2, 6000);
    const fileId = update.message?.photo?.at(-1)?.file_id;
    const mine = h.seen.filter((m) => m.userId === '504');
    expect(mine[0]).toMatchObject({ text: 'ổ gà trên đường', attachments: [{ kind: 'image', ref: fileId, caption: 'ổ gà trên đường' }] });
    expect(mine[1]).toMatchObject({ attachments: [{ kind: 'location', latitude: 14.35, longitude: 108.0 }] });
  });

  it('downloads a citizen’s photo through getFile and the apiRoot file URL', async () => {
    const user = citizen(505);
    const update = fake.userSendsPhoto(user, privateChatOf(user), { bytes: PNG_BYTES });
    const fileId = String(update.message?.photo?.at(-1)?.file_id);
    await expect(h.channel.photoFetcher.fetch(fileId)).resolves.toEqual({ bytes: PNG_BYTES, contentType: 'image/png' });
    await expect(h.channel.photoFetcher.fetch('no-such-file')).resolves.toBeUndefined();
    await fake.waitForMessages(user.id, 1, 5000); // the bot's answer to the photo, before the next test counts sends
  });

  it('waits out a 429 (retry_after) and delivers the reply later; none is dropped under real flood limits', async () => {
    const user = citizen(506);
    fake.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 1', retry_after: 1 });
    const t0 = Date.now();
    fake.userSendsText(user, privateChatOf(user), HOTLINE_QUESTION);
    const [late] = await fake.waitForMessages(user.id, 1, 6000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(late.text).toBe(content.translator.t('vi', 'intent.hotline.answer'));

    fake.setRateLimits(true);
    try {
      for (let i = 0; i < 3; i++) fake.userSendsText(user, privateChatOf(user), HOTLINE_QUESTION);
      const all = await fake.waitForMessages(user.id, 4, 8000);
      expect(all).toHaveLength(4);
    } finally {
      fake.setRateLimits(false);
    }
  });

  it('sends notifications through the ChannelSender, and reports a blocked citizen as permanent', async () => {
    const user = citizen(507);
    fake.addChat(privateChatOf(user));
    await expect(
      h.channel.sender.send('507', [
        { text: 'Phản ánh đã được tiếp nhận', quickReplies: [{ label: '5', payload: '/danhgia PA-ABCDEF 5' }] },
      ]),
    ).resolves.toEqual({ ok: true });
    const [sent] = await fake.waitForMessages(user.id, 1);
    expect(buttons(sent)).toEqual(['/danhgia PA-ABCDEF 5']);
    fake.failNext('sendMessage', { error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    await expect(h.channel.sender.send('507', [{ text: 'x' }])).resolves.toMatchObject({ ok: false, kind: 'permanent' });
    await expect(h.channel.sender.send('not-an-id', [{ text: 'x' }])).resolves.toMatchObject({ ok: false, kind: 'permanent' });
  });
});

describe('Telegram channel, webhook', () => {
  let fake: FakeTelegramServer;
  let db: Database;
  let h: TelegramHarness;
  let app: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    fake = new FakeTelegramServer();
    await fake.start();
    db = await openTestDatabase('telegram_webhook');
    app = Fastify();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    url = `${base}/telegram/webhook`;
    h = await createHarness({
      fake,
      db,
      content,
      directory,
      http: app,
      config: { mode: 'webhook', webhookSecret: SECRET, publicUrl: base },
    });
    await app.listen({ port, host: '127.0.0.1' });
    await h.channel.start();
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await h?.channel.stop(1000);
    await app?.close();
    await fake?.close();
    if (db) await dropTestDatabase(db);
  });

  function post(body: string, secret?: string): Promise<Response> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (secret !== undefined) headers['x-telegram-bot-api-secret-token'] = secret;
    return fetch(url, { method: 'POST', headers, body });
  }

  function privateUpdate(updateId: number, user: User, text: string): Update {
    return {
      update_id: updateId,
      message: { message_id: updateId, from: user, chat: privateChatOf(user), date: Math.floor(Date.now() / 1000), text },
    };
  }

  it('registers the webhook with its secret and answers updates Telegram delivers', async () => {
    const setWebhook = await fake.waitFor((c) => c.method === 'setWebhook');
    expect(setWebhook.params).toMatchObject({ url, secret_token: SECRET });
    const user = citizen(601);
    const update = fake.userSendsText(user, privateChatOf(user), HOTLINE_QUESTION);
    const [answer] = await fake.waitForMessages(user.id, 1, 5000);
    expect(buttons(answer)).toContain('#intent:feedback_channels');
    expect(fake.deliveredUpdateIds).toContain(update.update_id);
  });

  it('refuses a missing or forged secret with 401 and processes nothing', async () => {
    const user = citizen(602);
    fake.addChat(privateChatOf(user));
    const body = JSON.stringify(privateUpdate(900_000_001, user, HOTLINE_QUESTION));
    expect((await post(body)).status).toBe(401);
    expect((await post(body, `${SECRET}x`)).status).toBe(401);
    expect((await post(body, 'short')).status).toBe(401);
    await h.channel.idle();
    await new Promise((r) => setTimeout(r, 200));
    expect(await db.connection.collection('pipeline_slots').findOne({ _id: 'in:telegram:900000001' as never })).toBeNull();
    expect(h.seen.some((m) => m.userId === '602')).toBe(false);
    expect(fake.sent.some((c) => c.params.chat_id === user.id)).toBe(false);
  });

  it('answers 400 to a body that is not an update', async () => {
    expect((await post('{"hello":1}', SECRET)).status).toBe(400);
    expect((await post('not json', SECRET)).status).toBe(400);
  });

  it('handles the same update delivered twice only once', async () => {
    const user = citizen(603);
    fake.addChat(privateChatOf(user));
    const body = JSON.stringify(privateUpdate(900_000_002, user, HOTLINE_QUESTION));
    const [first, second] = await Promise.all([post(body, SECRET), post(body, SECRET)]);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect((await post(body, SECRET)).status).toBe(200);
    await h.channel.idle();
    await fake.waitForMessages(user.id, 1, 5000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(h.seen.filter((m) => m.userId === '603')).toHaveLength(1);
    expect(await fake.waitForMessages(user.id, 1)).toHaveLength(1);
    expect(await db.connection.collection('pipeline_slots').findOne({ _id: 'in:telegram:900000002' as never })).not.toBeNull();
  });
});
