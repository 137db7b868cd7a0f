/**
 * Officers on Telegram, end to end: a complaint filed through the real MongoComplaintService
 * (on FerretDB) is posted as a card to its agency's group on the fake Bot API; officers
 * press its buttons and reply to it. The sample directory routes a land complaint in Đăk Hà
 * to ubnd-huyen-dak-ha, whose group is -1001000000102 and whose officers are 100000001 and
 * 100000002 only.
 */
import { sampleAgencyTexts } from '../../support/locale-texts';
import { TEXT_NOT_ALLOWED } from '../../../src/channels/telegram/telegram-officer';
import type { Agency, Directory } from '../../../src/complaints/directory/directory';
import { renderNotification, isNotificationKind } from '../../../src/complaints/notification-texts';
import type { BotContent } from '../../../src/core/bot-content';
import type { AgencyMessage } from '../../../src/forwarding/transport';
import type { Database } from '../../../src/storage/mongo/database';
import { loadSampleDirectory } from '../../complaints/sample-directory';
import { FakeTelegramServer, privateChatOf, type Chat, type Message, type User } from '../../fakes/telegram-bot-api';
import { dropTestDatabase, openTestDatabase } from '../../support/database';
import { createHarness, loadTestContent, PNG_BYTES, SETUP_TIMEOUT_MS, type TelegramHarness } from './telegram-harness';

const DAK_HA_GROUP: Chat = { id: -1001000000102, type: 'supergroup', title: 'UBND huyện Đăk Hà — PAKN' };
const KON_TUM_GROUP: Chat = { id: -1001000000101, type: 'supergroup', title: 'UBND TP Kon Tum — PAKN' };
const officer: User = { id: 100000001, is_bot: false, first_name: 'Hùng' };
const outsider: User = { id: 100000999, is_bot: false, first_name: 'Khách' };
const konTumOfficer: User = { id: 100000555, is_bot: false, first_name: 'Mai' };
const citizen: User = { id: 7001, is_bot: false, first_name: 'Lan' };

let content: BotContent;
let directory: Directory;
let fake: FakeTelegramServer;
let db: Database;
let h: TelegramHarness;
let dakHa: Agency;
let code: string;
let card: Message;

function buttons(message: Message | undefined): string[] {
  return (message?.reply_markup?.inline_keyboard ?? []).flat().map((b) => String(b.callback_data));
}

async function agencyMessage(forAgency: Agency, key: string): Promise<AgencyMessage> {
  const view = await h.complaints.getForAgency(code, forAgency.id);
  if (!view.ok) throw new Error(view.message);
  const c = view.complaint;
  return {
    event: 'complaint.forwarded',
    idempotencyKey: key,
    texts: sampleAgencyTexts('complaint.forwarded', key, c.status),
    complaint: {
      code: c.code,
      agencyId: c.agencyId,
      agencyName: c.agencyName,
      sector: c.sector,
      sectorLabel: 'Đất đai',
      localityName: 'Huyện Đăk Hà',
      text: c.text,
      ...(c.contact ? { contact: c.contact } : {}),
      photos: [],
      createdAt: c.createdAt.toISOString(),
      dueAt: c.dueAt.toISOString(),
      status: c.status,
    },
  };
}

async function history(): Promise<{ action: string; actor: { id?: string | null; kind: string } }[]> {
  const doc = await db.models.Complaint.findOne({ code }).lean();
  return doc?.history ?? [];
}

/** Waits for the callback answer of one press. */
async function callbackAnswer(queryId: string | undefined): Promise<unknown> {
  const call = await fake.waitFor((c) => c.method === 'answerCallbackQuery' && c.params.callback_query_id === queryId, 5000);
  return call.params.text;
}

beforeAll(async () => {
  [content, directory] = await Promise.all([loadTestContent(), loadSampleDirectory()]);
  dakHa = directory.agencyById.get('ubnd-huyen-dak-ha')!;
  fake = new FakeTelegramServer();
  await fake.start();
  fake.addChat(DAK_HA_GROUP);
  fake.addChat(KON_TUM_GROUP);
  db = await openTestDatabase('telegram_officer');
  h = await createHarness({ fake, db, content, directory });
  await h.channel.bot.start();

  const photo = fake.userSendsPhoto(citizen, privateChatOf(citizen), { bytes: PNG_BYTES });
  const submitted = await h.complaints.submit({
    channel: 'telegram',
    userId: String(citizen.id),
    locale: 'vi',
    text: 'Đất nhà tôi ở Đăk Hà bị hàng xóm lấn chiếm, đề nghị kiểm tra.',
    sector: 'land',
    localityId: 'huyen-dak-ha',
    photoRefs: [String(photo.message?.photo?.at(-1)?.file_id)],
  });
  code = submitted.code;
  expect(submitted.agencyId).toBe('ubnd-huyen-dak-ha');
  await fake.waitForMessages(citizen.id, 1, 5000); // the bot's answer to the photo
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await h?.channel.bot.stop(1000);
  await fake?.close();
  if (db) await dropTestDatabase(db);
});

describe('TelegramTransport', () => {
  it('posts the card with its buttons and the stored photo to the agency’s group, and records it', async () => {
    const result = await h.channel.transport.deliver(dakHa, await agencyMessage(dakHa, `${code}.forwarded.1`));
    expect(result).toMatchObject({ ok: true });
    const [posted, photo] = await fake.waitForMessages(DAK_HA_GROUP.id, 2, 5000);
    card = posted;
    expect(card.text).toContain(code);
    expect(card.text).toContain('Đất đai');
    expect(card.text).toContain('lấn chiếm');
    expect(card.text).not.toContain('Người phản ánh');
    expect(buttons(card)).toEqual([`ack:${code}`, `trm:${code}:0`, `res:${code}`]);
    expect(photo.photo).toBeDefined();
    expect(photo.caption).toContain(code);
    await expect(h.store.codeForMessage(DAK_HA_GROUP.id, photo.message_id)).resolves.toBe(code);
    const upload = fake.sent.find((c) => c.method === 'sendPhoto');
    expect(upload?.uploads.photo.data.equals(PNG_BYTES)).toBe(true);
    const doc = await db.models.Complaint.findOne({ code }).lean();
    expect(doc?.telegramCard).toMatchObject({ chatId: String(DAK_HA_GROUP.id), messageId: card.message_id });
  });

  it('does not post a second card for the same idempotency key', async () => {
    const before = (await fake.waitForMessages(DAK_HA_GROUP.id, 2)).length;
    await expect(h.channel.transport.deliver(dakHa, await agencyMessage(dakHa, `${code}.forwarded.1`))).resolves.toMatchObject({
      ok: true,
    });
    await new Promise((r) => setTimeout(r, 200));
    expect((await fake.waitForMessages(DAK_HA_GROUP.id, 2)).length).toBe(before);
  });

  it('fails without retry for an agency that has no Telegram group', async () => {
    const noChat: Agency = { ...dakHa, delivery: { email: 'x@example.org' } };
    await expect(h.channel.transport.deliver(noChat, await agencyMessage(dakHa, `${code}.forwarded.9`))).resolves.toMatchObject({
      ok: false,
      retryable: false,
    });
  });
});

describe('officer buttons and replies', () => {
  it('refuses a group member who is not a listed officer; nothing changes', async () => {
    const before = await history();
    const press = fake.userPressesButton(outsider, card, `ack:${code}`);
    expect(await callbackAnswer(press.callback_query?.id)).toBe(TEXT_NOT_ALLOWED);
    await h.channel.bot.idle();
    expect(await history()).toEqual(before);
    const view = await h.complaints.getForAgency(code, dakHa.id);
    expect(view.ok && view.complaint.status).toBe('received');
  });

  it('refuses a button pressed in another agency’s group for a complaint not routed to it', async () => {
    // A card with buttons in Kon Tum's group, as a stale card would be (posted when the complaint was Kon Tum's).
    const konTum = directory.agencyById.get('ubnd-tp-kon-tum')!;
    const stale = await agencyMessage(dakHa, `${code}.stale.1`);
    const sent = await h.channel.transport.deliver(konTum, { ...stale, complaint: { ...stale.complaint, agencyId: konTum.id } });
    expect(sent.ok).toBe(true);
    const [staleCard] = await fake.waitForMessages(KON_TUM_GROUP.id, 1, 5000);
    expect(buttons(staleCard)).toContain(`ack:${code}`);
    const before = await history();
    const press = fake.userPressesButton(konTumOfficer, staleCard, `ack:${code}`);
    expect(await callbackAnswer(press.callback_query?.id)).toBe(TEXT_NOT_ALLOWED);
    await h.channel.bot.idle();
    expect(await history()).toEqual(before);
  });

  it('lets a listed officer acknowledge: status changes, history names the officer, the card and the group are updated', async () => {
    const press = fake.userPressesButton(officer, card, `ack:${code}`);
    expect(await callbackAnswer(press.callback_query?.id)).toContain('đã tiếp nhận');
    await h.channel.bot.idle();
    const view = await h.complaints.getForAgency(code, dakHa.id);
    expect(view.ok && view.complaint.status).toBe('acknowledged');
    expect((await history()).at(-1)).toMatchObject({ action: 'acknowledged', actor: { kind: 'officer', id: String(officer.id) } });
    await fake.waitFor((c) => c.method === 'editMessageReplyMarkup', 5000);
    expect(buttons(fake.getMessage(DAK_HA_GROUP.id, card.message_id))).toEqual([`trm:${code}:0`, `res:${code}`]);
    const messages = await fake.waitForMessages(DAK_HA_GROUP.id, 3, 5000);
    expect(messages.at(-1)?.text).toContain(`${code}: đã tiếp nhận`);
    const notification = await db.models.Notification.findOne({ complaintCode: code, kind: 'acknowledged' }).lean();
    expect(notification).toMatchObject({ channel: 'telegram', userId: String(citizen.id) });
  });

  it('records an officer’s reply to the card as the answer and relays it to the citizen', async () => {
    const answerText = 'Đoàn kiểm tra sẽ đến hiện trường vào thứ Năm.';
    const reply = fake.userSendsText(officer, DAK_HA_GROUP, answerText, { replyToMessageId: card.message_id });
    const confirmation = await fake.waitFor(
      (c) =>
        c.method === 'sendMessage' &&
        (c.params.reply_parameters as { message_id?: number } | undefined)?.message_id === reply.message?.message_id,
      5000,
    );
    expect(confirmation.params.text as string).toContain(`Đã ghi nhận trả lời cho phản ánh ${code}`);
    const view = await h.complaints.getForAgency(code, dakHa.id);
    expect(view.ok && view.complaint.status).toBe('answered');
    expect(view.ok && view.complaint.answers.at(-1)?.text).toBe(answerText);
    expect((await history()).at(-1)).toMatchObject({ action: 'answered', actor: { kind: 'officer', id: String(officer.id) } });

    // The notification worker is not written yet: relay the outbox entry as it will, through the ChannelSender.
    const notification = await db.models.Notification.findOne({ complaintCode: code, kind: 'answer' }).lean();
    expect(notification && isNotificationKind(notification.kind)).toBe(true);
    const messages = renderNotification('answer', notification!.params as Record<string, unknown>, 'vi', content.translator);
    await expect(h.channel.channelSender.send(notification!.userId, messages)).resolves.toEqual({ ok: true });
    const received = await fake.waitForMessages(citizen.id, 2, 5000);
    expect(received.at(-1)?.text).toContain(answerText);
    expect(received.at(-1)?.text).toContain(code);
  });

  it('refuses a reply to the card from an outsider', async () => {
    const before = await history();
    const reply = fake.userSendsText(outsider, DAK_HA_GROUP, 'tôi trả lời thay', { replyToMessageId: card.message_id });
    const refusal = await fake.waitFor(
      (c) =>
        c.method === 'sendMessage' &&
        (c.params.reply_parameters as { message_id?: number } | undefined)?.message_id === reply.message?.message_id,
      5000,
    );
    expect(refusal.params.text).toBe(TEXT_NOT_ALLOWED);
    expect(await history()).toEqual(before);
  });

  it('transfers through the second keyboard; the old group can no longer act', async () => {
    const open = fake.userPressesButton(officer, card, `trm:${code}:0`);
    await callbackAnswer(open.callback_query?.id);
    await h.channel.bot.idle();
    await fake.waitFor((c) => c.method === 'editMessageReplyMarkup' && JSON.stringify(c.params.reply_markup).includes(`tr:${code}:`), 5000);
    const edited = fake.getMessage(DAK_HA_GROUP.id, card.message_id)!;
    const target =
      buttons(edited).find((d) => d === `tr:${code}:so-tai-nguyen-moi-truong`) ?? buttons(edited).find((d) => d.startsWith(`tr:${code}:`))!;
    const targetId = target.split(':')[2];
    const press = fake.userPressesButton(officer, edited, target);
    expect(await callbackAnswer(press.callback_query?.id)).toContain('đã chuyển đến');
    await h.channel.bot.idle();
    expect((await h.complaints.getForAgency(code, targetId)).ok).toBe(true);
    expect((await history()).some((e) => e.action === 'transferred' && e.actor.id === String(officer.id))).toBe(true);
    await fake.waitFor(
      (c) => c.method === 'editMessageReplyMarkup' && buttons(fake.getMessage(DAK_HA_GROUP.id, card.message_id)).length === 0,
      5000,
    );

    const before = await history();
    fake.userSendsText(officer, DAK_HA_GROUP, 'trả lời muộn', { replyToMessageId: card.message_id });
    await fake.waitFor(
      (c) => c.method === 'sendMessage' && c.params.text === TEXT_NOT_ALLOWED && c.params.chat_id === DAK_HA_GROUP.id,
      5000,
    );
    expect(await history()).toEqual(before);
  });
});
