/**
 * The campaign in the chat, through the whole service (buildApp) on the test FerretDB,
 * with Telegram on the fake Bot API (polling), Zalo on the fake OA server (webhook) and
 * the web chat's HTTP API: subscribing with topic buttons and a place, and unsubscribing,
 * in one message on each channel; "có tin gì mới?"; a news item reaching subscribers;
 * a survey campaign end to end (invitation, answers with buttons, one answer per person,
 * results per agency and question with free texts apart from identities).
 */
import { randomBytes } from 'node:crypto';
import { FakeTelegramServer, privateChatOf, type Message, type User } from '../fakes/telegram-bot-api';
import { FakeZaloServer } from '../fakes/zalo-oa-server';
import { startTestService, type TestService } from '../support/test-service';

// Telegram replies settle at one message a second per chat; on a loaded machine a flow of ten steps needs the room.
jest.setTimeout(120_000);

const TOKEN = '7000000004:AAE2eTestTokenForCampaignChats_01';
const ZALO_OA_SECRET = 'campaign-chat-oa-secret';
const lan: User = { id: 910001, is_bot: false, first_name: 'Lan', language_code: 'vi' };
const minh: User = { id: 910002, is_bot: false, first_name: 'Minh', language_code: 'vi' };
const ZALO_USER = '8100000000000000001';
const WEB_SESSION = `s_${randomBytes(12).toString('hex')}`;

const telegram = new FakeTelegramServer({ token: TOKEN });
const zalo = new FakeZaloServer();
let s: TestService;

beforeAll(async () => {
  await telegram.start();
  await zalo.start();
  for (const u of [lan, minh]) telegram.addChat(privateChatOf(u));
  const tokens = zalo.issueTokens();
  s = await startTestService('campaign_chat', {
    TELEGRAM_MODE: 'polling',
    TELEGRAM_API_ROOT: telegram.apiRoot,
    TELEGRAM_BOT_TOKEN: TOKEN,
    ZALO_APP_ID: zalo.appId,
    ZALO_APP_SECRET: zalo.appSecret,
    ZALO_OA_SECRET_KEY: ZALO_OA_SECRET,
    ZALO_ACCESS_TOKEN: tokens.accessToken,
    ZALO_REFRESH_TOKEN: tokens.refreshToken,
    ZALO_OPENAPI_BASE: zalo.url,
    ZALO_OAUTH_BASE: zalo.url,
    OUTBOX_POLL_MS: '200',
  });
  zalo.configureWebhook(`${s.base}/zalo/webhook`, { appId: zalo.appId, oaSecretKey: ZALO_OA_SECRET });
}, 180_000);

afterAll(async () => {
  await s?.close();
  await telegram.close();
  await zalo.close();
});

// ------------------------------------------------------------------ channel drivers

/** The bot's reply to one update: its messages joined, and the last one (which carries the buttons). */
interface TgReply {
  readonly text: string;
  readonly last: Message;
}

async function tgReply(user: User, before: number): Promise<TgReply> {
  await telegram.waitForMessages(user.id, before + 1, 15_000);
  // The rest of a multi-part reply: Telegram allows one message a second per chat, and the send queue keeps it.
  let count = 0;
  while ((await telegram.waitForMessages(user.id, 0)).length !== count) {
    count = (await telegram.waitForMessages(user.id, 0)).length;
    await new Promise((r) => setTimeout(r, 1300));
  }
  const fresh = (await telegram.waitForMessages(user.id, 0)).slice(before);
  return { text: fresh.map((m) => m.text ?? '').join('\n'), last: fresh[fresh.length - 1] };
}

/** Sends a Telegram text and returns the bot's reply. */
async function tgSays(user: User, text: string): Promise<TgReply> {
  const before = (await telegram.waitForMessages(user.id, 0)).length;
  telegram.userSendsText(user, privateChatOf(user), text);
  return tgReply(user, before);
}

/** Presses the button labelled `label` on `message` and returns the bot's reply. */
async function tgPresses(user: User, message: Message, label: string | RegExp): Promise<TgReply> {
  const button = (message.reply_markup?.inline_keyboard ?? [])
    .flat()
    .find((b) => (typeof label === 'string' ? b.text === label : label.test(b.text)));
  if (!button)
    throw new Error(
      `no button ${String(label)} on ${JSON.stringify(message.text)}: ${JSON.stringify(message.reply_markup?.inline_keyboard ?? [])}`,
    );
  const before = (await telegram.waitForMessages(user.id, 0)).length;
  telegram.userPressesButton(user, message, String(button.callback_data));
  return tgReply(user, before);
}

/** Sends a Zalo text (signed webhook) and returns the texts the OA sent back. */
async function zaloSays(text: string): Promise<string> {
  const before = zalo.sent.length;
  await zalo.userSendsText(ZALO_USER, text);
  const deadline = Date.now() + 15_000;
  while (zalo.sent.length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 300)); // the rest of a multi-part reply
  return zalo.sent
    .slice(before)
    .filter((m) => m.userId === ZALO_USER)
    .map((m) => m.text ?? '')
    .join('\n');
}

async function webSays(text: string): Promise<{ text: string; quickReplies?: { label: string; payload: string }[] }[]> {
  const res = await fetch(`${s.base}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sessionId: WEB_SESSION, text }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { messages: { text: string; quickReplies?: { label: string; payload: string }[] }[] }).messages;
}

/** The number of the line "n. label" in a Zalo numbered menu. */
function menuNumber(reply: string, label: string): string {
  const line = reply.split('\n').find((l) => new RegExp(`^\\s*\\d+\\.\\s*(✓\\s*)?${label}`).test(l));
  if (!line) throw new Error(`no menu line '${label}' in ${JSON.stringify(reply)}`);
  return /\d+/.exec(line)![0];
}

const subscriber = (id: string) => s.app.db.models.Subscriber.findById(id).lean();

// ------------------------------------------------------------------ tests

it('Telegram: /dangky subscribes at once; topic buttons add and remove; a place is optional; one message unsubscribes', async () => {
  const first = await tgSays(lan, '/dangky');
  expect(first.text).toContain('đã đăng ký nhận tin');
  expect(await subscriber(`telegram:${lan.id}`)).toMatchObject({
    topics: ['online_services', 'land', 'civil_status', 'business', 'reform'],
  });
  // Pressing a topic removes it (every topic is on at first), pressing it again adds it back.
  const withoutLand = await tgPresses(lan, first.last, /Đất đai/);
  expect((await subscriber(`telegram:${lan.id}`))?.topics).not.toContain('land');
  const back = await tgPresses(lan, withoutLand.last, /Đất đai/);
  expect((await subscriber(`telegram:${lan.id}`))?.topics).toContain('land');
  const noBusiness = await tgPresses(lan, back.last, /Doanh nghiệp/);
  const askPlace = await tgPresses(lan, noBusiness.last, 'Xong');
  expect(askPlace.text).toContain('xã/phường');
  const done = await tgSays(lan, 'xã Đăk Mar');
  expect(done.text).toContain('Xã Đăk Mar');
  const saved = await subscriber(`telegram:${lan.id}`);
  expect([...(saved?.topics ?? [])].sort()).toEqual(['civil_status', 'land', 'online_services', 'reform']);
  // The commune and every place enclosing it: news for the district reaches it.
  expect(saved?.localityIds).toEqual(expect.arrayContaining(['xa-dak-mar', 'huyen-dak-ha']));

  const off = await tgSays(lan, 'hủy nhận tin');
  expect(off.text).toContain('ngừng nhận tin');
  expect(await subscriber(`telegram:${lan.id}`)).toBeNull();
  expect((await tgSays(lan, '/huydangky')).text).toContain('chưa đăng ký');
});

it('Zalo: subscribes with the numbered menu (no buttons on Zalo), skips the place, unsubscribes in one message', async () => {
  zalo.setLastInteraction(ZALO_USER, new Date());
  const first = await zaloSays('nhận tin cải cách hành chính');
  expect(first).toContain('đã đăng ký nhận tin');
  const removed = await zaloSays(menuNumber(first, 'Hộ tịch'));
  expect((await subscriber(`zalo:${ZALO_USER}`))?.topics).not.toContain('civil_status');
  const ask = await zaloSays(menuNumber(removed, 'Xong'));
  expect(ask).toContain('xã/phường');
  expect(await zaloSays(menuNumber(ask, 'Bỏ qua'))).toContain('Xong.');
  expect(await subscriber(`zalo:${ZALO_USER}`)).toMatchObject({
    topics: ['online_services', 'land', 'business', 'reform'],
    localityIds: [],
  });
  expect(await zaloSays('huy nhan tin')).toContain('ngừng nhận tin');
  expect(await subscriber(`zalo:${ZALO_USER}`)).toBeNull();
});

it('web chat: subscribes with the buttons\' payloads, asks "có tin gì mới?", unsubscribes', async () => {
  const first = await webSays('/dangky');
  const buttons = first.flatMap((m) => m.quickReplies ?? []);
  const land = buttons.find((b) => b.label.includes('Đất đai'));
  const done = buttons.find((b) => b.label === 'Xong');
  expect(land && done).toBeTruthy();
  await webSays(done!.payload);
  const finished = await webSays('không');
  expect(finished.map((m) => m.text).join('\n')).toContain('Xong.');
  expect(await subscriber(`web:${WEB_SESSION}`)).toMatchObject({ channel: 'web', localityIds: [] });

  expect((await webSays('có tin gì mới?')).map((m) => m.text).join('\n')).toContain('chưa có tin mới');
  const published = await s.app.campaign.publishNews(
    {
      id: 'dvc-chat-test',
      title: 'Nộp hồ sơ đăng ký đất đai trên Cổng Dịch vụ công quốc gia',
      summary: 'Người dân có thể nộp hồ sơ đăng ký đất đai lần đầu trực tuyến.',
      link: 'https://dichvucong.gov.vn/',
      topics: ['land'],
      localities: [],
    },
    'test',
  );
  expect(published).toEqual({ ok: true, id: 'dvc-chat-test' });
  const latest = (await webSays('có tin gì mới?')).map((m) => m.text).join('\n');
  expect(latest).toContain('Nộp hồ sơ đăng ký đất đai trên Cổng Dịch vụ công quốc gia');
  expect(latest).toContain('https://dichvucong.gov.vn/');
  expect((await webSays('hủy nhận tin')).map((m) => m.text).join('\n')).toContain('ngừng nhận tin');
  expect(await subscriber(`web:${WEB_SESSION}`)).toBeNull();
});

it('a survey campaign end to end: invitation, answers with buttons, one answer per person, results per agency and question', async () => {
  // Two Telegram subscribers are invited.
  for (const u of [lan, minh]) {
    const topics = await tgSays(u, '/dangky');
    await tgPresses(u, topics.last, 'Xong');
    await tgSays(u, 'không');
  }
  const created = await s.app.campaign.createSurveyCampaign({
    surveyId: 'sipas-dich-vu-cong',
    name: 'Khảo sát thử',
    audience: { kind: 'survey', subscribers: { topics: [] } },
    by: 'console:editor',
  });
  if (!created.ok) throw new Error(created.error);
  await s.app.campaign.launchSurveyCampaign(created.id);

  const answer = async (u: User, comment: string, scores: [string, string], channel: RegExp) => {
    await telegram.waitFor(
      (c) =>
        c.method === 'sendMessage' &&
        Number(c.params.chat_id) === u.id &&
        typeof c.params.text === 'string' &&
        c.params.text.includes('Khảo sát mức độ hài lòng'),
      20_000,
    );
    const messages = await telegram.waitForMessages(u.id, 1);
    const invite = [...messages].reverse().find((m) => m.text?.includes('Khảo sát mức độ hài lòng'))!;
    let q = await tgPresses(u, invite, 'Tham gia khảo sát');
    expect(q.text).toContain('Câu 1/4');
    q = await tgPresses(u, q.last, scores[0]);
    expect(q.text).toContain('Câu 2/4');
    q = await tgPresses(u, q.last, scores[1]);
    expect(q.text).toContain('Câu 3/4');
    q = await tgPresses(u, q.last, channel);
    expect(q.text).toContain('Câu 4/4');
    const thanks = await tgSays(u, comment);
    expect(thanks.text).toContain('Cảm ơn');
    return invite;
  };
  const invite = await answer(lan, 'Cán bộ xã nhiệt tình', ['5', '4'], /Nhắn tin/);
  await answer(minh, 'Nên trả lời nhanh hơn', ['3', '2'], /Cổng dịch vụ công/);

  // One answer per person: the invitation's button again is refused.
  const again = await tgPresses(lan, invite, 'Tham gia khảo sát');
  expect(again.text).toContain('đã trả lời');

  const results = await s.app.campaign.surveyResults(created.id);
  if (!results) throw new Error('no results');
  expect(results.respondents).toEqual({ '': 2 });
  const q = (id: string) => results.questions.find((x) => x.questionId === id)!.byAgency[''];
  expect(q('overall')).toMatchObject({ answers: 2, counts: { '5': 1, '3': 1 }, mean: 4 });
  expect(q('timeliness')).toMatchObject({ answers: 2, counts: { '4': 1, '2': 1 }, mean: 3 });
  expect(q('channel')).toMatchObject({ answers: 2, counts: { chat: 1, portal: 1 } });
  expect([...(q('comment').texts ?? [])].sort()).toEqual(['Cán bộ xã nhiệt tình', 'Nên trả lời nhanh hơn']);
  // Stored answers carry no platform id.
  const stored = JSON.stringify(await s.app.db.models.SurveyAnswer.find({ campaignId: created.id }).lean());
  expect(stored).not.toContain(String(lan.id));
  expect(stored).not.toContain(String(minh.id));
  expect(results.invitations.telegram?.sent).toBe(2);
});
