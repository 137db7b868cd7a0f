/**
 * The whole service end to end, started exactly as `npm start` starts it (tsx src/main.ts,
 * configured by environment variables only), driven from outside the way Telegram, Zalo,
 * agencies' systems and mail servers would drive it. See support/e2e-world.ts for the
 * setting. The tests run in order and share one service; the last one restarts it.
 */
import { computeZaloSignature } from '../../src/channels/zalo/webhook-signature';
import { isTrackingCode } from '../../src/complaints/tracking-code';
import { TEXT_NOT_ALLOWED } from '../../src/channels/telegram/telegram-officer';
import { privateChatOf, type Message, type User } from '../fakes/telegram-bot-api';
import { AGENCY_GROUP, E2eWorld, OFFICER, OUTSIDER } from './support/e2e-world';
import { eventually, postRaw, sleep } from './support/service-process';
import { mailHeader } from './support/smtp-sink';
import { WebhookReceiver } from './support/webhook-receiver';

jest.setTimeout(240_000);

const TG_TEXT = 'can bo xa Dak Ha doi tien moi giai quyet ho so dat';
const ZALO_TEXT = 'can bo xa Dak Ha doi tien moi giai quyet ho so dat cho gia dinh toi';
const CITIZEN_NAME = 'Nguyen Van A';
const CITIZEN_PHONE = '0905123456';
const TG_ANSWER = 'Doan kiem tra se lam viec voi can bo xa vao thu Nam tuan nay.';
const ZALO_ANSWER = 'UBND huyen da xac minh va xu ly can bo vi pham.';
/** Strings that must never appear in the service's logs (the answers too: logs carry no message texts). */
const PERSONAL = [TG_TEXT, ZALO_TEXT, CITIZEN_NAME, CITIZEN_PHONE, TG_ANSWER, ZALO_ANSWER];
const CODE_PATTERN = /PA-[A-Z0-9]{6}/;

const citizen: User = { id: 880001, is_bot: false, first_name: 'Lan', language_code: 'vi' };
const stranger: User = { id: 880002, is_bot: false, first_name: 'Minh', language_code: 'vi' };
const restartCitizen: User = { id: 880003, is_bot: false, first_name: 'Hoa', language_code: 'vi' };

const world = new E2eWorld({ complaintText: TG_TEXT });

function buttons(message: Message | undefined): string[] {
  return (message?.reply_markup?.inline_keyboard ?? []).flat().map((b) => String(b.callback_data));
}

function codeIn(text: string): string {
  const code = CODE_PATTERN.exec(text)?.[0];
  if (!code || !isTrackingCode(code)) throw new Error(`no tracking code in ${JSON.stringify(text)}`);
  return code;
}

/** Runs a test body; on failure the error carries the tail of the service's log. */
function withLog(name: string, body: () => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await body();
    } catch (error) {
      const log = await world.dumpLog(name);
      if (error instanceof Error) {
        error.message = `${error.message}\n\n${log}`;
        throw error;
      }
      throw new Error(`${String(error)}\n\n${log}`);
    }
  };
}

async function healthz(): Promise<number> {
  return (await fetch(`${world.baseUrl}/healthz`)).status;
}

/** Deliveries of a complaint as stored (raw collection: the test reads what the service wrote). */
async function deliveriesOf(code: string): Promise<{ idempotencyKey: string; transport: string; state: string }[]> {
  return world.db
    .collection('deliveries')
    .find({ complaintCode: code })
    .project<{ idempotencyKey: string; transport: string; state: string }>({ _id: 0, idempotencyKey: 1, transport: 1, state: 1 })
    .toArray();
}

/** Waits until every transport of the agency has a `sent` delivery for the complaint. */
async function allDelivered(code: string, timeoutMs = 60_000): Promise<{ idempotencyKey: string; transport: string; state: string }[]> {
  return eventually(
    `deliveries of ${code} sent on telegram, email and webhook`,
    async () => {
      const list = await deliveriesOf(code);
      const sent = new Set(list.filter((d) => d.state === 'sent').map((d) => d.transport));
      return ['telegram', 'email', 'webhook'].every((t) => sent.has(t)) ? list : undefined;
    },
    timeoutMs,
  );
}

/** Files a complaint on Telegram up to the confirmation; returns the code and the confirmation. */
async function fileOnTelegram(user: User, contact: string): Promise<{ code: string; confirmation: Message }> {
  const chat = privateChatOf(user);
  let since = world.telegram.sent.length;
  world.telegram.userSendsText(user, chat, TG_TEXT);
  const askContact = await world.botMessage(user.id, (_t, m) => buttons(m).includes('#pa:skip'), since);
  expect(askContact.text).toContain('số điện thoại');

  since = world.telegram.sent.length;
  if (contact === 'skip') world.telegram.userPressesButton(user, askContact, '#pa:skip');
  else world.telegram.userSendsText(user, chat, contact);
  const summary = await world.botMessage(user.id, (_t, m) => buttons(m).includes('#pa:confirm'), since);

  since = world.telegram.sent.length;
  world.telegram.userPressesButton(user, summary, '#pa:confirm');
  const confirmation = await world.botMessage(user.id, (t) => CODE_PATTERN.test(t), since);
  return { code: codeIn(confirmation.text ?? ''), confirmation };
}

beforeAll(async () => {
  try {
    await world.start();
  } catch (error) {
    console.error(`service did not start:\n${world.service?.log ?? '(no log)'}`);
    throw error;
  }
}, 240_000);

afterAll(async () => {
  await world.close();
}, 60_000);

describe('the service started by npm start', () => {
  it(
    'Telegram: a citizen files a complaint; the agency gets it by Telegram, e-mail and webhook; officers act; the citizen rates',
    withLog('telegram', async () => {
      const chat = privateChatOf(citizen);
      let since = world.telegram.sent.length;
      world.telegram.userSendsText(citizen, chat, TG_TEXT);
      const askContact = await world.botMessage(citizen.id, (_t, m) => buttons(m).includes('#pa:skip'), since);
      expect(askContact.text).toContain('số điện thoại');

      since = world.telegram.sent.length;
      world.telegram.userSendsText(citizen, chat, `${CITIZEN_NAME} ${CITIZEN_PHONE}`);
      const summary = await world.botMessage(citizen.id, (_t, m) => buttons(m).includes('#pa:confirm'), since);
      expect(summary.text).toContain(TG_TEXT);
      expect(summary.text).toContain(CITIZEN_PHONE);
      expect(summary.text).toContain('Huyện Đăk Hà');

      since = world.telegram.sent.length;
      world.telegram.userPressesButton(citizen, summary, '#pa:confirm');
      const confirmation = await world.botMessage(citizen.id, (t) => CODE_PATTERN.test(t), since);
      const code = codeIn(confirmation.text ?? '');
      expect(confirmation.text).toContain('UBND huyện Đăk Hà');

      // The card in the agency's group, with the officers' buttons.
      const card = await world.botMessage(AGENCY_GROUP.id, (t, m) => t.includes(code) && buttons(m).includes(`ack:${code}`), 0, 30_000);
      expect(buttons(card)).toEqual([`ack:${code}`, `trm:${code}:0`, `res:${code}`]);
      expect(card.text).toContain(TG_TEXT);

      // One mail and one signed webhook, each exactly once.
      const deliveries = await allDelivered(code);
      expect(deliveries).toHaveLength(3);
      const mail = await eventually('the mail', () => world.smtp.mailsFor(code)[0]);
      expect(mail.to).toEqual(['dak-ha@test.local']);
      expect(mailHeader(mail.raw, 'Subject') ?? '').not.toBe('');
      const hook = await eventually('the webhook', () => world.hooks.requestsFor(code)[0]);
      expect(hook.signatureValid).toBe(true);
      expect(JSON.parse(hook.body)).toMatchObject({ event: 'complaint.forwarded', complaint: { code } });
      await sleep(1500); // anything sent twice would have arrived by now
      expect(world.smtp.mailsFor(code)).toHaveLength(1);
      expect(WebhookReceiver.distinctKeys(world.hooks.requestsFor(code))).toHaveLength(1);
      expect(world.hooks.requestsFor(code).every((r) => r.signatureValid)).toBe(true);

      // A group member who is not a listed officer is refused; nothing changes.
      const before = await world.complaint(code);
      expect(before.status).not.toBe('acknowledged');
      const refused = world.telegram.userPressesButton(OUTSIDER, card, `ack:${code}`);
      expect(await world.callbackAnswer(refused.callback_query?.id)).toBe(TEXT_NOT_ALLOWED);
      await sleep(500);
      const after = await world.complaint(code);
      expect(after.status).toBe(before.status);
      expect(after.history).toHaveLength(before.history.length);

      // The officer acknowledges: status changes and the citizen is told.
      since = world.telegram.sent.length;
      const ack = world.telegram.userPressesButton(OFFICER, card, `ack:${code}`);
      expect(await world.callbackAnswer(ack.callback_query?.id)).toContain('đã tiếp nhận');
      await eventually('status acknowledged', async () => ((await world.complaint(code)).status === 'acknowledged' ? true : undefined));
      const told = await world.botMessage(citizen.id, (t) => t.includes(code) && t.includes('tiếp nhận xử lý'), since);
      expect(told.text).toContain('UBND huyện Đăk Hà');

      // The officer answers by replying to the card: the citizen receives the answer.
      since = world.telegram.sent.length;
      world.telegram.userSendsText(OFFICER, AGENCY_GROUP, TG_ANSWER, { replyToMessageId: card.message_id });
      const relayed = await world.botMessage(citizen.id, (t) => t.includes(TG_ANSWER), since);
      expect(relayed.text).toContain(code);
      const answered = await world.complaint(code);
      expect(answered.status).toBe('answered');
      expect(answered.answers.at(-1)?.text).toBe(TG_ANSWER);

      // The officer resolves: the citizen is asked for a rating, presses 4, the rating is recorded.
      since = world.telegram.sent.length;
      const resolve = world.telegram.userPressesButton(
        OFFICER,
        world.telegram.getMessage(AGENCY_GROUP.id, card.message_id) ?? card,
        `res:${code}`,
      );
      await world.callbackAnswer(resolve.callback_query?.id);
      const ratingQuestion = await world.botMessage(citizen.id, (_t, m) => buttons(m).includes(`/danhgia ${code} 4`), since);
      expect(buttons(ratingQuestion)).toEqual([1, 2, 3, 4, 5].map((s) => `/danhgia ${code} ${s}`));
      expect((await world.complaint(code)).status).toBe('resolved');

      since = world.telegram.sent.length;
      world.telegram.userPressesButton(citizen, ratingQuestion, `/danhgia ${code} 4`);
      const thanks = await world.botMessage(citizen.id, (t) => t.includes('4/5'), since);
      expect(thanks.text).toContain(code);
      const rated = await eventually('the rating', async () => (await world.complaint(code)).rating);
      expect(rated.score).toBe(4);

      // /tracuu: the citizen sees the status; another user does not.
      since = world.telegram.sent.length;
      world.telegram.userSendsText(citizen, chat, `/tracuu ${code}`);
      const status = await world.botMessage(citizen.id, (t) => t.includes(code) && t.includes('Trạng thái'), since);
      expect(status.text).toContain('Đã giải quyết xong');
      since = world.telegram.sent.length;
      world.telegram.userSendsText(stranger, privateChatOf(stranger), `/tracuu ${code}`);
      // A stranger with the code alone sees status and dates, never the agency or the answers.
      const publicView = await world.botMessage(stranger.id, (t) => t.includes(code), since);
      expect(publicView.text).toContain('Trạng thái');
      expect(publicView.text).toContain('PIN');
      expect(publicView.text).not.toContain('UBND huyện Đăk Hà');
    }),
  );

  it(
    'Zalo: a complaint by numbered menus; an answer outside the 7-day window is held and delivered when the citizen writes again',
    withLog('zalo', async () => {
      const user = '8800000000000000001';
      let since = world.zalo.sent.length;
      expect((await world.zalo.userSendsText(user, ZALO_TEXT)).status).toBe(200);
      const askContact = await world.zaloMessage(user, (t) => t.includes('số điện thoại') && /Trả lời 1\s*$/.test(t), since);
      expect(askContact.text).toContain('1. Không để lại liên hệ');

      since = world.zalo.sent.length;
      await world.zalo.userSendsText(user, '1');
      const summary = await world.zaloMessage(user, (t) => t.includes('1. Gửi phản ánh'), since);
      expect(summary.text).toContain(ZALO_TEXT);

      since = world.zalo.sent.length;
      await world.zalo.userSendsText(user, '1');
      const confirmation = await world.zaloMessage(user, (t) => CODE_PATTERN.test(t), since);
      const code = codeIn(confirmation.text ?? '');
      const filed = await world.complaint(code); // 404 unless routed to the test agency
      expect(filed.text).toBe(ZALO_TEXT);
      expect(filed.contact).toBeUndefined();

      // Eight days of silence: Zalo refuses (-230), the answer is held.
      world.zalo.setLastInteraction(user, new Date(Date.now() - 8 * 24 * 3600 * 1000));
      since = world.zalo.sent.length;
      const refusalsBefore = world.zalo.calls.filter((c) => c.error === -230).length;
      const answer = await world.agencyApi('POST', `/complaints/${code}/answer`, { text: ZALO_ANSWER });
      expect(answer.status).toBe(200);
      expect(answer.json.complaint?.status).toBe('answered');
      const notifications = world.db.collection('notifications');
      await eventually(
        'the answer notification held',
        async () => (await notifications.findOne({ complaintCode: code, kind: 'answer', state: 'held' })) ?? undefined,
      );
      expect(world.zalo.calls.filter((c) => c.error === -230).length).toBeGreaterThan(refusalsBefore);
      expect(world.zalo.sent.slice(since).filter((m) => m.userId === user)).toEqual([]);

      // The citizen writes again: the held answer goes out.
      since = world.zalo.sent.length;
      await world.zalo.userSendsText(user, 'cho toi hoi phan anh cua toi the nao roi');
      const delivered = await world.zaloMessage(user, (t) => t.includes(ZALO_ANSWER), since, 30_000);
      expect(delivered.text).toContain(code);
      await eventually(
        'the answer notification sent',
        async () => (await notifications.findOne({ complaintCode: code, kind: 'answer', state: 'sent' })) ?? undefined,
      );
      await sleep(1000);
      expect(world.zalo.sent.filter((m) => m.userId === user && (m.text ?? '').includes(ZALO_ANSWER))).toHaveLength(1);
    }),
  );

  it(
    'bad input is refused and the process stays up',
    withLog('bad-input', async () => {
      expect(await healthz()).toBe(200);

      // A forged Zalo signature.
      const user = '8800000000000000002';
      const event = {
        app_id: world.zalo.appId,
        event_name: 'user_send_text',
        timestamp: String(Date.now()),
        sender: { id: user },
        recipient: { id: world.zalo.oaId },
        message: { text: 'xin chao', msg_id: 'e2e-forged-1' },
      };
      const raw = JSON.stringify(event);
      const forged = computeZaloSignature(world.zalo.appId, raw, event.timestamp, 'not-the-oa-secret');
      expect((await world.zalo.sendRaw(raw, { 'x-zevent-signature': `mac=${forged}` })).status).toBe(401);
      expect(await healthz()).toBe(200);

      // The same Zalo event delivered twice is answered once.
      const replayUser = '8800000000000000003';
      let since = world.zalo.sent.length;
      const first = await world.zalo.userSendsText(replayUser, 'cho toi xin so duong day nong', { msgId: 'e2e-replayed-1' });
      expect(first.status).toBe(200);
      await world.zaloMessage(replayUser, () => true, since);
      await sleep(2000);
      const answered = world.zalo.sent.slice(since).filter((m) => m.userId === replayUser).length;
      since = world.zalo.sent.length;
      const second = await world.zalo.userSendsText(replayUser, 'cho toi xin so duong day nong', { msgId: 'e2e-replayed-1' });
      expect(second.status).toBe(200);
      expect(JSON.parse(second.body)).toMatchObject({ duplicate: true });
      await sleep(2000);
      expect(world.zalo.sent.slice(since).filter((m) => m.userId === replayUser)).toHaveLength(0);
      expect(answered).toBeGreaterThan(0);
      expect(await world.db.collection<{ _id: string }>('pipeline_slots').countDocuments({ _id: 'in:zalo:e2e-replayed-1' })).toBe(1);
      expect(await healthz()).toBe(200);

      // Malformed JSON to the web chat.
      const chat = await fetch(`${world.baseUrl}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"sessionId": "abc", "text": ',
      });
      expect(chat.status).toBe(400);
      expect(await healthz()).toBe(200);

      // 10 MB to the Zalo webhook.
      const big = Buffer.alloc(10 * 1024 * 1024, 0x20);
      const status = await postRaw(`${world.baseUrl}/zalo/webhook`, big, {
        'content-type': 'application/json',
        'x-zevent-signature': `mac=${'0'.repeat(64)}`,
      });
      expect(status).toBe(413);
      expect(await healthz()).toBe(200);

      // The agency API with a forged key.
      const forgedKey = await world.agencyApi('GET', '/complaints', undefined, `${world.apiKey.slice(0, -4)}beef`);
      expect(forgedKey.status).toBe(401);
      expect(forgedKey.json.complaints).toBeUndefined();
      expect((await world.agencyApi('GET', '/complaints')).status).toBe(200);
      expect(await healthz()).toBe(200);
      expect(world.service.running).toBe(true);
    }),
  );

  it(
    'a crash right after a complaint is confirmed loses nothing; after the restart every delivery completes exactly once',
    withLog('restart', async () => {
      // The agency's webhook and mail server are down when the complaint comes in: their
      // deliveries fail once and wait for a retry that the crashed process will not make.
      world.hooks.down = true;
      world.smtp.down = true;
      const { code } = await fileOnTelegram(restartCitizen, 'skip');
      await eventually('a first failed attempt of the e-mail and the webhook', async () => {
        const list = await world.db
          .collection('deliveries')
          .find({ complaintCode: code, transport: { $in: ['email', 'webhook'] } })
          .toArray();
        return list.length === 2 && list.every((d) => d.state === 'pending' && Number(d.attempts) >= 1) ? true : undefined;
      });
      await world.service.kill();
      expect(world.hooks.requestsFor(code).filter((r) => r.accepted)).toEqual([]);
      expect(world.smtp.mailsFor(code)).toEqual([]);
      const telegramSentAtCrash = (await deliveriesOf(code)).some((d) => d.transport === 'telegram' && d.state === 'sent');
      const cardsAtCrash = world
        .botMessages(AGENCY_GROUP.id)
        .filter((m) => (m.text ?? '').includes(code) && buttons(m).includes(`ack:${code}`)).length;

      world.hooks.down = false;
      world.smtp.down = false;
      await world.service.start();
      expect((await world.complaint(code)).text).toBe(TG_TEXT);
      const deliveries = await allDelivered(code, 120_000); // the first retry comes 15–30 s after the failure
      await sleep(1500);

      const accepted = world.hooks.requestsFor(code).filter((r) => r.accepted);
      expect(accepted).toHaveLength(1);
      expect(world.hooks.requestsFor(code).every((r) => r.signatureValid)).toBe(true);
      const mails = world.smtp.mailsFor(code);
      expect(mails).toHaveLength(1);
      const keys = [...WebhookReceiver.distinctKeys(accepted), mailHeader(mails[0].raw, 'X-Idempotency-Key') ?? ''];
      for (const key of keys) {
        expect(deliveries.filter((d) => d.idempotencyKey === key)).toEqual([expect.objectContaining({ state: 'sent' })]);
      }
      const cards = world
        .botMessages(AGENCY_GROUP.id)
        .filter((m) => (m.text ?? '').includes(code) && buttons(m).includes(`ack:${code}`)).length;
      expect(cards).toBe(telegramSentAtCrash ? cardsAtCrash : 1);

      // The restarted bot still serves the citizen.
      const since = world.telegram.sent.length;
      world.telegram.userSendsText(restartCitizen, privateChatOf(restartCitizen), `/tracuu ${code}`);
      const status = await world.botMessage(restartCitizen.id, (t) => t.includes(code) && t.includes('Trạng thái'), since, 30_000);
      expect(status.text).toContain('UBND huyện Đăk Hà');
    }),
  );

  it('stops gracefully on SIGTERM (exit code 0, within the 10 s grace)', async () => {
    const started = Date.now();
    expect(await world.service.stop(10_000)).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(world.service.log).toContain('"msg":"stopped"');
  });

  it('never wrote a citizen’s text, name or phone number, nor an answer, to its logs', () => {
    const log = world.service.log;
    expect(log.length).toBeGreaterThan(0);
    for (const personal of PERSONAL) expect(log.includes(personal)).toBe(false);
  });

  it('never wrote a secret (API key, tokens, webhook and OA secrets) to its logs', () => {
    const log = world.service.log;
    for (const [i, secret] of world.secrets.entries())
      expect({ secret: i, logged: log.includes(secret) }).toEqual({ secret: i, logged: false });
  });
});
