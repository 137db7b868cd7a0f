import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Markup, Telegraf, TelegramError } from 'telegraf';
import { FakeTelegramServer, privateChatOf, type Chat, type Update, type User } from './telegram-bot-api';

const alice: User = { id: 111_222_333, is_bot: false, first_name: 'Alice', language_code: 'vi' };
const bob: User = { id: 444_555_666, is_bot: false, first_name: 'Bob' };
const aliceChat = privateChatOf(alice);
const group: Chat = { id: -1001234567890, type: 'supergroup', title: 'Tổ phản ánh kiến nghị' };

/** A PNG header is enough for the fake to read width and height. */
function tinyPng(width: number, height: number): Buffer {
  const png = Buffer.alloc(45);
  png.writeUInt32BE(0x89504e47, 0);
  png.writeUInt32BE(0x0d0a1a0a, 4);
  png.writeUInt32BE(13, 8);
  png.write('IHDR', 12, 'latin1');
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  return png;
}

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function listen(handler: RequestListener): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

async function rejection(promise: Promise<unknown>): Promise<TelegramError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof TelegramError)) throw new Error(`expected a TelegramError, got ${String(error)}`);
  return error;
}

describe('FakeTelegramServer', () => {
  let fake: FakeTelegramServer;
  let apiRoot: string;

  beforeEach(async () => {
    fake = new FakeTelegramServer({ webhookRetryDelayMs: 20 });
    ({ apiRoot } = await fake.start());
  });
  afterEach(() => fake.close());

  const newBot = (token = fake.token): Telegraf => new Telegraf(token, { telegram: { apiRoot } });

  /** Launches long polling, waits until the bot really holds a poll, runs `body`, then stops. */
  async function polling(bot: Telegraf, body: () => Promise<void>): Promise<void> {
    const launched = bot.launch();
    try {
      await until(() => fake.longPollWaiting);
      await body();
    } finally {
      bot.stop('test over');
      await launched;
    }
  }

  const api = (method: string, init?: RequestInit, token = fake.token): Promise<Response> =>
    fetch(`${apiRoot}/bot${token}/${method}`, init);
  const postJson = (method: string, body: object): Promise<Response> =>
    api(method, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  describe('with telegraf', () => {
    it('answers getMe with the bot user derived from the token', async () => {
      const me = await newBot().telegram.getMe();
      expect(me).toMatchObject({ id: 7000000001, is_bot: true, username: 'fake_test_bot' });
    });

    it('rejects a wrong token with 401 Unauthorized', async () => {
      const error = await rejection(newBot('123456:wrong-token').telegram.getMe());
      expect(error.code).toBe(401);
      expect(error.description).toBe('Unauthorized');
    });

    it('delivers a text update to a polling bot and records ctx.reply', async () => {
      const bot = newBot();
      bot.command('start', (ctx) => ctx.reply(`Chào ${ctx.from.first_name}`));
      bot.on('text', (ctx) => ctx.reply(`Echo: ${ctx.message.text}`, { reply_parameters: { message_id: ctx.message.message_id } }));
      await polling(bot, async () => {
        const first = fake.userSendsText(alice, aliceChat, '/start');
        await fake.waitForMessages(alice.id, 1);
        const second = fake.userSendsText(alice, aliceChat, 'xin chào');
        const replies = await fake.waitForMessages(alice.id, 2);
        expect(replies.map((m) => m.text)).toEqual(['Chào Alice', 'Echo: xin chào']);
        expect(replies.map((m) => m.message_id)).toEqual([2, 4]);
        expect(replies[1].reply_to_message?.message_id).toBe(second.message?.message_id);
        expect(first.message?.entities).toEqual([{ type: 'bot_command', offset: 0, length: 6 }]);
      });
      const call = fake.sent.find((c) => c.method === 'sendMessage' && c.params.text === 'Echo: xin chào');
      expect(call?.params.chat_id).toBe(alice.id);
      expect(call?.via).toBe('http');
      expect(fake.pendingUpdateIds).toEqual([]);
    });

    it('round-trips an inline keyboard and a callback query', async () => {
      const bot = newBot();
      bot.command('menu', (ctx) => ctx.reply('Chọn lĩnh vực', Markup.inlineKeyboard([Markup.button.callback('Đất đai', 'field:land')])));
      bot.action('field:land', async (ctx) => {
        await ctx.answerCbQuery('Đã chọn');
        await ctx.editMessageText('Lĩnh vực: Đất đai');
      });
      await polling(bot, async () => {
        fake.userSendsText(alice, aliceChat, '/menu');
        const [menu] = await fake.waitForMessages(alice.id, 1);
        expect(menu.reply_markup?.inline_keyboard[0][0]).toEqual({ text: 'Đất đai', callback_data: 'field:land' });
        expect(() => fake.userPressesButton(alice, menu, 'field:other')).toThrow(/no inline button/);
        const press = fake.userPressesButton(alice, menu, 'field:land');
        const answer = await fake.waitFor((c) => c.method === 'answerCallbackQuery');
        expect(answer.params).toMatchObject({ callback_query_id: press.callback_query?.id, text: 'Đã chọn' });
        await fake.waitFor((c) => c.method === 'editMessageText');
        const edited = fake.getMessage(alice.id, menu.message_id);
        expect(edited?.text).toBe('Lĩnh vực: Đất đai');
        expect(edited?.reply_markup).toBeUndefined();
        const again = await rejection(bot.telegram.answerCbQuery(press.callback_query?.id ?? ''));
        expect(again.description).toMatch(/query is too old/);
      });
    });

    it('uploads a photo as multipart and serves a user photo through getFile', async () => {
      const bot = newBot();
      const png = tinyPng(3, 2);
      const missing = await rejection(bot.telegram.sendPhoto(alice.id, { source: png }));
      expect(missing.description).toBe('Bad Request: chat not found');

      fake.addChat(aliceChat);
      const sent = await bot.telegram.sendPhoto(alice.id, { source: png, filename: 'ban-do.png' }, { caption: 'Bản đồ' });
      expect(sent.photo[0]).toMatchObject({ width: 3, height: 2, file_size: png.length });
      expect(sent.caption).toBe('Bản đồ');
      const call = fake.sent.find((c) => c.method === 'sendPhoto');
      expect(call?.uploads.photo.filename).toBe('ban-do.png');
      expect(call?.uploads.photo.data.equals(png)).toBe(true);
      expect(call?.params).toMatchObject({ chat_id: alice.id, caption: 'Bản đồ' });
      const resent = await bot.telegram.sendPhoto(alice.id, sent.photo[0].file_id);
      expect(resent.photo[0].file_id).toBe(sent.photo[0].file_id);

      const bytes = randomBytes(70_000);
      const update = fake.userSendsPhoto(alice, aliceChat, { bytes, caption: 'Ổ gà trên đường' });
      const photo = update.message?.photo ?? [];
      const link = await bot.telegram.getFileLink(photo[photo.length - 1].file_id);
      const download = await fetch(link);
      expect(download.status).toBe(200);
      expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
    });

    it('answers 429 with retry_after when rate limits are on, and injects errors', async () => {
      fake.setRateLimits({ perChatPerSecond: 1, perGroupPerMinute: 2 });
      fake.addChat(aliceChat);
      fake.addChat(privateChatOf(bob));
      fake.addChat(group);
      const bot = newBot();
      await bot.telegram.sendMessage(alice.id, 'một');
      const flood = await rejection(bot.telegram.sendMessage(alice.id, 'hai'));
      expect(flood.code).toBe(429);
      expect(flood.description).toBe('Too Many Requests: retry after 1');
      expect(flood.parameters?.retry_after).toBe(1);
      await expect(bot.telegram.sendMessage(bob.id, 'một')).resolves.toMatchObject({ text: 'một' });
      await bot.telegram.sendMessage(group.id, '1');
      await bot.telegram.sendMessage(group.id, '2');
      const groupFlood = await rejection(bot.telegram.sendMessage(group.id, '3'));
      expect(groupFlood.parameters?.retry_after).toBeGreaterThan(50);

      fake.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 7', retry_after: 7 });
      const injected = await rejection(bot.telegram.sendMessage(bob.id, 'x'));
      expect(injected.parameters?.retry_after).toBe(7);
      fake.setRateLimits(false);
      await expect(bot.telegram.sendMessage(alice.id, 'ba')).resolves.toMatchObject({ text: 'ba' });
    });
  });

  describe('webhook mode', () => {
    let hook: { server: Server; url: string } | undefined;
    afterEach(async () => {
      if (hook) await closeServer(hook.server);
      hook = undefined;
    });

    it('POSTs updates with the secret header, in order, and redelivers after a 500', async () => {
      const bot = newBot();
      bot.on('text', async (ctx) => {
        await ctx.sendChatAction('typing');
        await ctx.reply(`ok:${ctx.message.text}`);
      });
      const handle = bot.webhookCallback('/hook', { secretToken: 'bi-mat_123' });
      const secrets: (string | string[] | undefined)[] = [];
      let failures = 1;
      hook = await listen((req: IncomingMessage, res: ServerResponse) => {
        secrets.push(req.headers['x-telegram-bot-api-secret-token']);
        if (failures-- > 0) {
          req.resume();
          res.writeHead(500).end();
        } else void handle(req, res);
      });
      await bot.telegram.setWebhook(`${hook.url}/hook`, { secret_token: 'bi-mat_123' });
      const polled = await rejection(bot.telegram.getUpdates(0, 100, 0, undefined));
      expect(polled.code).toBe(409);

      const updates: Update[] = ['1', '2', '3'].map((text) => fake.userSendsText(alice, aliceChat, text));
      const replies = await fake.waitForMessages(alice.id, 3);
      expect(replies.map((m) => m.text)).toEqual(['ok:1', 'ok:2', 'ok:3']);
      const ids = updates.map((u) => u.update_id);
      expect(fake.deliveredUpdateIds).toEqual(ids);
      expect(ids.map((id) => fake.deliveryAttempts.get(id))).toEqual([2, 1, 1]);
      expect(secrets).toEqual(Array(4).fill('bi-mat_123'));
      const typing = await fake.waitFor((c) => c.method === 'sendChatAction');
      expect(typing).toMatchObject({ via: 'webhook-response', params: { action: 'typing', chat_id: alice.id } });

      const info = await bot.telegram.getWebhookInfo();
      expect(info).toMatchObject({ url: `${hook.url}/hook`, pending_update_count: 0 });
      expect(info.last_error_message).toMatch(/500/);
      await bot.telegram.deleteWebhook();
      expect((await bot.telegram.getWebhookInfo()).url).toBe('');
    });

    it('gives up on an update after the maximum number of failed attempts', async () => {
      await fake.close();
      fake = new FakeTelegramServer({ webhookRetryDelayMs: 10, webhookMaxAttempts: 3 });
      ({ apiRoot } = await fake.start());
      const dead = await listen(() => undefined);
      await closeServer(dead.server); // nothing listens there any more: connection refused
      await newBot().telegram.setWebhook(`${dead.url}/hook`);
      const update = fake.userSendsText(alice, aliceChat, 'có ai không?');
      await until(() => fake.droppedUpdateIds.length === 1);
      expect(fake.droppedUpdateIds).toEqual([update.update_id]);
      expect(fake.deliveryAttempts.get(update.update_id)).toBe(3);
      expect(fake.deliveredUpdateIds).toEqual([]);
    });

    it('refuses webhook URLs that are not loopback', async () => {
      const error = await rejection(newBot().telegram.setWebhook('http://192.0.2.1/hook'));
      expect(error.code).toBe(400);
    });
  });

  describe('raw protocol', () => {
    it('answers unknown methods with 404 and accepts case-insensitive names and GET', async () => {
      const unknown = await api('sendCarrierPigeon');
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toEqual({ ok: false, error_code: 404, description: 'Not Found: method not found' });
      const wrongToken = await api('getMe', undefined, '1:nope');
      expect(await wrongToken.json()).toEqual({ ok: false, error_code: 401, description: 'Unauthorized' });
      const me = await api('GETME');
      expect(await me.json()).toMatchObject({ ok: true, result: { is_bot: true } });
    });

    it('accepts query-string, urlencoded and multipart parameters alike', async () => {
      fake.addChat(aliceChat);
      const byQuery = await api(`sendMessage?chat_id=${alice.id}&text=${encodeURIComponent('Hỏi đáp')}`);
      expect(await byQuery.json()).toMatchObject({ ok: true, result: { message_id: 1, text: 'Hỏi đáp' } });

      const keyboard = { inline_keyboard: [[{ text: 'Có', callback_data: 'yes' }]] };
      const form = new URLSearchParams({ chat_id: String(alice.id), text: 'Xác nhận?', reply_markup: JSON.stringify(keyboard) });
      const byForm = await api('sendMessage', { method: 'POST', body: form });
      expect(await byForm.json()).toMatchObject({ ok: true, result: { message_id: 2, reply_markup: keyboard } });
      expect(fake.sent[1].params).toEqual({ chat_id: alice.id, text: 'Xác nhận?', reply_markup: keyboard });

      const bytes = randomBytes(2048);
      const multipart = new FormData();
      multipart.append('chat_id', String(alice.id));
      multipart.append('caption', 'ảnh "có" ngoặc\r\n--');
      multipart.append('photo', new Blob([bytes]), 'anh.jpg');
      const byMultipart = await api('sendPhoto', { method: 'POST', body: multipart });
      expect(byMultipart.status).toBe(200);
      expect(fake.sent[2].params.caption).toBe('ảnh "có" ngoặc\r\n--');
      expect(fake.sent[2].uploads.photo.data.equals(bytes)).toBe(true);
    });

    it('implements getUpdates offsets, long polling and the single-poller conflict', async () => {
      const a = fake.userSendsText(alice, aliceChat, 'a');
      const b = fake.userSendsText(alice, aliceChat, 'b');
      const both = (await (await postJson('getUpdates', { offset: 0 })).json()) as { result: Update[] };
      expect(both.result.map((u) => u.update_id)).toEqual([a.update_id, b.update_id]);
      const rest = (await (await postJson('getUpdates', { offset: b.update_id })).json()) as { result: Update[] };
      expect(rest.result.map((u) => u.message?.text)).toEqual(['b']);
      expect(fake.pendingUpdateIds).toEqual([b.update_id]);

      const started = Date.now();
      const held = postJson('getUpdates', { offset: b.update_id + 1, timeout: 5 });
      await until(() => fake.longPollWaiting);
      const conflicting = postJson('getUpdates', { offset: b.update_id + 1, timeout: 5 });
      const first = await held;
      expect(first.status).toBe(409);
      await until(() => fake.longPollWaiting);
      const c = fake.userSendsText(alice, aliceChat, 'c');
      const second = (await (await conflicting).json()) as { result: Update[] };
      expect(second.result.map((u) => u.update_id)).toEqual([c.update_id]);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(fake.pendingUpdateIds).toEqual([c.update_id]);
    });

    it('validates messages like Telegram does', async () => {
      fake.addChat(aliceChat);
      const cases: [object, number, string][] = [
        [{ chat_id: alice.id, text: '  ' }, 400, 'Bad Request: message text is empty'],
        [{ chat_id: alice.id, text: 'x'.repeat(4097) }, 400, 'Bad Request: message is too long'],
        [{ chat_id: 999, text: 'hi' }, 400, 'Bad Request: chat not found'],
        [
          { chat_id: alice.id, text: '1 < 2', parse_mode: 'HTML' },
          400,
          'Bad Request: can\'t parse entities: Unsupported start tag "" at byte offset 2',
        ],
        [
          { chat_id: alice.id, text: 'hi', reply_markup: { inline_keyboard: [[{ text: 'Thủ tục', callback_data: 'đ'.repeat(33) }]] } },
          400,
          'Bad Request: BUTTON_DATA_INVALID',
        ],
        [{ chat_id: alice.id, text: 'hi', reply_parameters: { message_id: 42 } }, 400, 'Bad Request: message to be replied not found'],
      ];
      for (const [params, status, description] of cases) {
        const res = await postJson('sendMessage', params);
        expect({ status: res.status, body: await res.json() }).toEqual({ status, body: { ok: false, error_code: status, description } });
      }
      const html = await postJson('sendMessage', {
        chat_id: alice.id,
        text: '<b>Hồ sơ</b> &amp; <a href="https://x.test">link</a>',
        parse_mode: 'HTML',
      });
      expect(await html.json()).toMatchObject({
        result: {
          text: 'Hồ sơ & link',
          entities: [
            { type: 'bold', offset: 0, length: 5 },
            { type: 'text_link', offset: 8, length: 4, url: 'https://x.test' },
          ],
        },
      });
    });

    it('tracks group membership, per-chat message ids and replies to bot messages', async () => {
      fake.addUser(bob);
      fake.addChatMember(group.id, alice.id, 'creator');
      fake.userSendsText(alice, group, 'Chào nhóm');
      const bot = newBot();
      expect((await bot.telegram.getChatMember(group.id, alice.id)).status).toBe('creator');
      expect((await bot.telegram.getChatMember(group.id, bob.id)).status).toBe('left');
      fake.addChatMember(group.id, bob.id, 'administrator');
      expect((await bot.telegram.getChatMember(group.id, bob.id)).status).toBe('administrator');

      const forwarded = await bot.telegram.sendMessage(group.id, 'Phản ánh #12: đường hỏng');
      expect(forwarded.message_id).toBe(2);
      const answer = fake.userSendsText(bob, group, 'Đã chuyển xử lý', { replyToMessageId: forwarded.message_id });
      expect(answer.message?.message_id).toBe(3);
      expect(answer.message?.reply_to_message).toMatchObject({ message_id: 2, from: { id: fake.botUser.id } });
      expect(fake.userSendsText(alice, aliceChat, 'riêng').message?.message_id).toBe(1);
      // chat_member updates are opt-in, as on Telegram: only the two messages and the private one are queued.
      expect(fake.pendingUpdateIds).toHaveLength(3);
    });
  });
});
