/**
 * The complaint conversation end to end: ConversationEngine with the real content
 * (trained matcher, locales), the sample directory, a Mongo-backed conversation store
 * and MongoComplaintService on the test FerretDB.
 */
import { ConversationEngine } from '../../src/core/conversation-engine';
import type { BotContent } from '../../src/core/bot-content';
import type { Reply } from '../../src/core/messages';
import { conversationKey } from '../../src/core/messages';
import { ComplaintFlow } from '../../src/complaints/complaint-flow';
import type { ComplaintUseCases } from '../../src/complaints/use-cases/complaint-use-cases';
import { createComplaintService } from '../support/complaint-service';
import type { Directory } from '../../src/complaints/directory/directory';
import type { HolidayCalendar } from '../../src/complaints/holiday-calendar';
import { renderNotification } from '../../src/complaints/notification-texts';
import { RatingFlow } from '../../src/complaints/rating-flow';
import { ComplaintStatusHandler } from '../../src/complaints/status-handler';
import { addWorkingDays } from '../../src/complaints/working-days';
import type { Database } from '../../src/storage/mongo/database';
import { MongoConversationStore } from '../../src/storage/mongo/mongo-conversation-store';
import { dropTestDatabase, openTestDatabase } from '../support/database';
import {
  MONDAY_10AM,
  fixed,
  loadSampleDirectory,
  loadTestContent,
  loadTestHolidays,
  message,
  SETUP_TIMEOUT_MS,
} from './complaint-test-kit';

const DAK_HA_TRIGGER = 'can bo xa dak ha doi tien moi giai quyet ho so dat';
const DAK_HA_OFFICER = { kind: 'officer', id: '100000001', agencyId: 'ubnd-huyen-dak-ha' } as const;

let db: Database;
let content: BotContent;
let directory: Directory;
let holidays: HolidayCalendar;
let service: ComplaintUseCases;
let store: MongoConversationStore;
let engine: ConversationEngine;
let now: Date;

beforeAll(async () => {
  [db, content, directory, holidays] = await Promise.all([
    openTestDatabase('conversation'),
    loadTestContent(),
    loadSampleDirectory(),
    loadTestHolidays(),
  ]);
  now = MONDAY_10AM;
  service = createComplaintService({ db, directory: fixed(directory), holidays, clock: () => now });
  store = new MongoConversationStore(db);
  engine = new ConversationEngine({
    content: fixed(content),
    store,
    flows: [new ComplaintFlow({ service, directory: fixed(directory) }), new RatingFlow({ service })],
    intentHandlers: { complaint_status: new ComplaintStatusHandler({ service }) },
    clock: () => now,
  });
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await dropTestDatabase(db);
});

beforeEach(() => {
  now = MONDAY_10AM;
});

const t = (key: string, vars?: Record<string, string | number>): string => content.translator.t('vi', key, vars);
const say = (userId: string, text: string, extra = {}): Promise<Reply> => engine.handle(message(userId, text, extra));
const lastText = (reply: Reply): string => reply.messages[reply.messages.length - 1].text;
const codeIn = (reply: Reply): string => {
  const match = /PA-[A-Z0-9]{6}/.exec(reply.messages.map((m) => m.text).join('\n'));
  if (!match) throw new Error(`no code in ${JSON.stringify(reply.messages)}`);
  return match[0];
};

/** The one-message path: trigger → contact → skip → summary → confirm. */
async function fileDakHaComplaint(userId: string): Promise<{ code: string; replies: Reply[] }> {
  const replies = [await say(userId, DAK_HA_TRIGGER), await say(userId, '#pa:skip'), await say(userId, '#pa:confirm')];
  return { code: codeIn(replies[2]), replies };
}

describe('a message that already describes the problem', () => {
  it('asks only for the contact, reads the summary back, stores and routes the complaint', async () => {
    const first = await say('u-main', DAK_HA_TRIGGER);
    expect(first.intent).toBe('complaint:contact');
    expect(first.messages[0].text).toBe(t('complaint.ack_described')); // acknowledged at once, in one sentence
    expect(lastText(first)).toBe(t('complaint.ask_contact'));
    expect(lastText(first)).toContain('chỉ cơ quan chịu trách nhiệm');

    const summary = await say('u-main', '#pa:skip');
    expect(summary.intent).toBe('complaint:summary');
    expect(lastText(summary)).toContain(DAK_HA_TRIGGER);
    expect(lastText(summary)).toContain('Thái độ, trách nhiệm của cán bộ');
    expect(lastText(summary)).toContain('Huyện Đăk Hà');
    expect(summary.messages[0].quickReplies?.map((q) => q.payload)).toEqual([
      '#pa:confirm',
      '#pa:edit:text',
      '#pa:edit:sector',
      '#pa:edit:place',
      '#pa:edit:contact',
      '#pa:more',
    ]);

    const done = await say('u-main', '#pa:confirm');
    expect(done.intent).toBe('complaint:submitted');
    const code = codeIn(done);
    const due = addWorkingDays(MONDAY_10AM, 7, holidays);
    expect(lastText(done)).toContain('UBND huyện Đăk Hà');
    expect(lastText(done)).toContain('19/03/2025'); // Monday 10 March + 7 working days
    expect(lastText(done)).toContain(t('complaint.followup.telegram'));

    const stored = await db.models.Complaint.findOne({ code }).lean();
    expect(stored).toMatchObject({
      agencyId: 'ubnd-huyen-dak-ha',
      sector: 'officer_conduct',
      localityId: 'huyen-dak-ha',
      status: 'received',
      deliveriesPlanned: true,
      channel: 'telegram',
      userId: 'u-main',
      text: DAK_HA_TRIGGER,
    });
    expect(stored?.dueAt.toISOString()).toBe(due.toISOString());
    expect(stored?.contact?.phone ?? undefined).toBeUndefined();
    const deliveries = await db.models.Delivery.find({ complaintCode: code }).lean();
    expect(deliveries.map((d) => d.idempotencyKey).sort()).toEqual([`${code}:forwarded:0:email`, `${code}:forwarded:0:telegram`]);
    expect(deliveries.every((d) => d.agencyId === 'ubnd-huyen-dak-ha' && d.event === 'complaint.forwarded' && d.state === 'pending')).toBe(
      true,
    );

    const state = await store.get(conversationKey('telegram', 'u-main'));
    expect(state?.flow).toBeUndefined();
  });

  it('tells Zalo citizens about the 7-day window and to check back with /tracuu', async () => {
    const user = 'zalo-1';
    await engine.handle(message(user, DAK_HA_TRIGGER, {}, 'zalo'));
    const notUnderstood = await engine.handle(message(user, '2', {}, 'zalo')); // numbered menus: "1" is "no contact"
    expect(lastText(notUnderstood)).toBe(t('complaint.contact_not_understood'));
    const summary = await engine.handle(message(user, 'bo qua', {}, 'zalo'));
    expect(summary.intent).toBe('complaint:summary');
    const done = await engine.handle(message(user, '1', {}, 'zalo'));
    expect(done.intent).toBe('complaint:submitted');
    expect(lastText(done)).toContain('7 ngày');
    expect(lastText(done)).toContain(`/tracuu ${codeIn(done)}`);
  });
});

describe('a short trigger', () => {
  it('asks what happened, then the field, then the place, then the contact', async () => {
    const user = 'u-short';
    const first = await say(user, 'tôi muốn phản ánh');
    expect(first.intent).toBe('complaint:text');
    expect(lastText(first)).toBe(t('complaint.ask_text', { maxPhotos: 5 }));

    expect((await say(user, 'chậm quá')).intent).toBe('complaint:text'); // under 10 characters
    const sector = await say(user, 'Hồ sơ nộp từ tháng trước mà đến nay vẫn chưa có kết quả, hỏi thì không ai trả lời');
    expect(sector.intent).toBe('complaint:sector');
    expect(sector.messages[0].quickReplies).toHaveLength(6); // five sectors and "more": a phone screen
    expect(sector.messages[0].quickReplies?.at(-1)?.payload).toBe('#pa:more');

    const more = await say(user, '6'); // numbered answer: "more sectors"
    expect(more.intent).toBe('complaint:sector');
    expect(more.messages[0].quickReplies?.[0]).toEqual({ label: 'Hộ tịch', payload: '#pa:sector:civil_status' });
    const place = await say(user, '1'); // the first sector of the second page, civil status
    expect(place.intent).toBe('complaint:place');
    const notFound = await say(user, 'thôn Xa Lắc');
    expect(notFound.intent).toBe('complaint:place');
    expect(lastText(notFound)).toBe(t('complaint.place_not_found'));
    const location = await say(user, '', { attachments: [{ kind: 'location', latitude: 14.6, longitude: 107.9 }] });
    expect(lastText(location)).toBe(t('complaint.place_location_received'));

    const contact = await say(user, 'o xa Dak Mar');
    expect(contact.intent).toBe('complaint:contact');
    const badPhone = await say(user, 'Nguyễn Văn A 12345');
    expect(lastText(badPhone)).toBe(t('complaint.contact_invalid_phone'));
    const summary = await say(user, 'Nguyễn Văn A, sđt 0905 123 456');
    expect(summary.intent).toBe('complaint:summary');
    expect(lastText(summary)).toContain('Nguyễn Văn A, 0905123456');
    expect(lastText(summary)).toContain('Xã Đăk Mar, Huyện Đăk Hà');
    expect(lastText(summary)).toContain('Hộ tịch');

    const code = codeIn(await say(user, 'đồng ý'));
    const stored = await db.models.Complaint.findOne({ code }).lean();
    expect(stored).toMatchObject({
      sector: 'civil_status',
      localityId: 'xa-dak-mar',
      agencyId: 'ubnd-xa-dak-mar',
      contact: { name: 'Nguyễn Văn A', phone: '0905123456' },
    });
    expect(await db.models.Delivery.countDocuments({ complaintCode: code })).toBe(1); // the commune has a Telegram group only
  });

  it('keeps photos sent during the conversation', async () => {
    const user = 'u-photo';
    await say(user, '/phananh');
    const ack = await say(user, '', { attachments: [{ kind: 'image', ref: 'file-1' }] });
    expect(ack.messages[0].text).toBe(t('complaint.photo_received', { count: 1, max: 5 }));
    expect(ack.intent).toBe('complaint:text');
    // A road landslide is a road, not "other": the field and the place are read from the text.
    const contact = await say(user, 'Đường vào thôn 3 xã Hà Mòn sạt lở nửa năm chưa ai sửa', {
      attachments: [{ kind: 'image', ref: 'file-2' }],
    });
    expect(contact.intent).toBe('complaint:contact');
    const summary = await say(user, 'ko cần');
    expect(lastText(summary)).toMatch(/Ảnh kèm theo: 2/);
    expect(lastText(summary)).toContain('Giao thông, đường sá');
    const code = codeIn(await say(user, 'dung roi gui di'));
    const stored = await db.models.Complaint.findOne({ code }).lean();
    expect(stored?.photos.map((p) => p.sourceRef)).toEqual(['file-1', 'file-2']);
    expect(stored).toMatchObject({ localityId: 'xa-ha-mon', sector: 'transport', agencyId: 'ubnd-xa-ha-mon' });
  });
});

describe('cancelling', () => {
  const steps: Array<[string, string[]]> = [
    ['text', ['/phananh']],
    ['sector', ['/phananh', 'Hồ sơ nộp từ tháng trước mà đến nay vẫn chưa có kết quả gì cả']],
    ['place', ['/phananh', 'Hồ sơ nộp từ tháng trước mà đến nay vẫn chưa có kết quả gì cả', '1']],
    ['contact', [DAK_HA_TRIGGER]],
    ['summary', [DAK_HA_TRIGGER, '#pa:skip']],
    ['summary_more', [DAK_HA_TRIGGER, '#pa:skip', '6']],
  ];
  const cancelWords: Record<string, string> = {
    text: 'hủy',
    sector: 'huy',
    place: 'thôi, không gửi nữa',
    contact: 'thoi khong gui nua',
    summary: 'Thôi không gửi nữa.',
    summary_more: '2', // numbered: "Cancel complaint" on the "Photos, cancel…" page
  };
  it.each(steps)('leaves at the %s step without storing anything', async (step, inputs) => {
    const user = `u-cancel-${step}`;
    let reply: Reply | undefined;
    for (const input of inputs) reply = await say(user, input);
    expect(reply?.intent).toBe(`complaint:${step}`);
    const cancelled = await say(user, cancelWords[step]);
    expect(lastText(cancelled)).toBe(t('system.cancelled'));
    expect((await store.get(conversationKey('telegram', user)))?.flow).toBeUndefined();
    expect(await db.models.Complaint.countDocuments({ userId: user })).toBe(0);
    const nothing = await say(user, '/huy');
    expect(lastText(nothing)).toBe(t('system.nothing_to_cancel'));
  });
});

describe('editing from the summary', () => {
  it('changes place, field and text, then submits what the citizen confirmed', async () => {
    const user = 'u-edit';
    await say(user, DAK_HA_TRIGGER);
    await say(user, '#pa:skip');
    expect((await say(user, '#pa:edit:place')).intent).toBe('complaint:place');
    const afterPlace = await say(user, 'phuong quyet thang');
    expect(afterPlace.intent).toBe('complaint:summary');
    expect(lastText(afterPlace)).toContain('Phường Quyết Thắng, Thành phố Kon Tum');

    expect((await say(user, 'sửa lĩnh vực')).intent).toBe('complaint:sector'); // the label typed without the button
    const afterSector = await say(user, '#pa:sector:other');
    expect(lastText(afterSector)).toContain('Lĩnh vực khác');

    expect((await say(user, '2')).intent).toBe('complaint:text'); // numbered: "Sửa nội dung"
    const newText = 'Cán bộ một cửa phường Quyết Thắng bắt tôi công chứng cả chục bộ giấy tờ không cần thiết';
    const afterText = await say(user, newText);
    expect(afterText.intent).toBe('complaint:summary');
    expect(lastText(afterText)).toContain(newText);
    expect(lastText(afterText)).toContain('Lĩnh vực khác'); // a field the citizen chose is not re-guessed

    const code = codeIn(await say(user, '#pa:confirm'));
    const stored = await db.models.Complaint.findOne({ code }).lean();
    expect(stored).toMatchObject({ text: newText, sector: 'other', localityId: 'p-quyet-thang', agencyId: 'ubnd-p-quyet-thang' });
  });

  it('asks to choose when the citizen types something else at the summary', async () => {
    const user = 'u-summary-other';
    await say(user, DAK_HA_TRIGGER);
    await say(user, '#pa:skip');
    const reply = await say(user, 'ừm để tôi nghĩ đã');
    expect(reply.intent).toBe('complaint:summary');
    expect(reply.messages[0].text).toBe(t('complaint.summary_choose'));
  });
});

describe('idempotence and expiry', () => {
  it('a second identical submission returns the same code and creates nothing', async () => {
    const first = await fileDakHaComplaint('u-dup');
    const second = await fileDakHaComplaint('u-dup');
    expect(second.replies[2].intent).toBe('complaint:duplicate');
    expect(second.code).toBe(first.code);
    expect(lastText(second.replies[2])).toContain(
      t('complaint.duplicate', { code: first.code, agency: 'UBND huyện Đăk Hà', dueDate: '19/03/2025' }),
    );
    expect(await db.models.Complaint.countDocuments({ userId: 'u-dup' })).toBe(1);
    expect(await db.models.Delivery.countDocuments({ complaintCode: first.code })).toBe(2);
  });

  it('drops a draft left for more than 24 hours', async () => {
    const user = 'u-expire';
    await say(user, DAK_HA_TRIGGER);
    const state = await store.get(conversationKey('telegram', user));
    expect(state?.flow?.expiresAt).toBe(new Date(MONDAY_10AM.getTime() + 24 * 3600 * 1000).toISOString());
    now = new Date(MONDAY_10AM.getTime() + 25 * 3600 * 1000);
    const later = await say(user, '#pa:skip');
    expect(later.intent).not.toMatch(/^complaint:/);
    expect(await db.models.Complaint.countDocuments({ userId: user })).toBe(0);
  });

  it('a button of a draft left for hours still works (the draft was kept)', async () => {
    const user = 'u-keep';
    await say(user, DAK_HA_TRIGGER);
    now = new Date(MONDAY_10AM.getTime() + 23 * 3600 * 1000);
    expect((await say(user, '#pa:skip')).intent).toBe('complaint:summary');
  });
});

describe('status lookup', () => {
  it('shows the details to the citizen who filed it; anyone else sees status and dates, and the details only with the PIN', async () => {
    const { code, replies } = await fileDakHaComplaint('u-status');
    const pin = /PIN\D*(\d{6})/.exec(lastText(replies[2]))?.[1];
    expect(pin).toMatch(/^\d{6}$/);
    const mine = await say('u-status', `/tracuu ${code.toLowerCase().replace('-', '')}`);
    expect(mine.intent).toBe('complaint_status');
    expect(lastText(mine)).toContain(code);
    expect(lastText(mine)).toContain('UBND huyện Đăk Hà');
    expect(lastText(mine)).toContain(t('complaint.status_label.received'));
    expect(lastText(mine)).toContain(t('complaint.status.no_answer'));

    const theirs = await say('u-stranger', `/tracuu ${code}`);
    const unknown = await say('u-stranger', '/tracuu PA-ZZZZZZ');
    expect(theirs.intent).toBe('complaint_status:public');
    expect(lastText(theirs)).toContain(t('complaint.status_label.received'));
    expect(lastText(theirs)).toContain(t('complaint.status.secret_hint', { code }));
    expect(lastText(unknown)).toBe(t('complaint.status.not_found', { code: 'PA-ZZZZZZ' }));
    expect(lastText(theirs)).not.toContain('Đăk Hà');
    const wrong = await say('u-stranger', `/tracuu ${code} ${pin === '000000' ? '000001' : '000000'}`);
    expect(wrong.intent).toBe('complaint_status:wrong_secret');
    expect(lastText(wrong)).not.toContain('Đăk Hà');
    // From another device or channel, the PIN given at submission opens the details.
    const withPin = await engine.handle(message('browser-2', `/tracuu ${code} ${pin}`, {}, 'web'));
    expect(withPin.intent).toBe('complaint_status');
    expect(lastText(withPin)).toContain('UBND huyện Đăk Hà');

    expect(lastText(await say('u-stranger', '/tracuu PA-0OOOOO'))).toBe(t('complaint.status.invalid_code'));
    expect(lastText(await say('u-stranger', '/tracuu'))).toBe(t('complaint.status.ask_code'));
    const list = await say('u-status', '/tracuu');
    expect(list.intent).toBe('complaint_status:list');
    expect(list.messages[0].quickReplies?.map((q) => q.payload)).toEqual([`/tracuu ${code}`]);
  });

  it('shows the answers and the overdue flag', async () => {
    const { code } = await fileDakHaComplaint('u-answers');
    await service.answer(code, DAK_HA_OFFICER, 'Huyện đã xác minh và yêu cầu cán bộ hoàn trả tiền.');
    const answered = await say('u-answers', `/tracuu ${code}`);
    expect(lastText(answered)).toContain('Huyện đã xác minh và yêu cầu cán bộ hoàn trả tiền.');
    expect(lastText(answered)).toContain(t('complaint.status_label.answered'));

    const late = await fileDakHaComplaint('u-late');
    now = new Date(MONDAY_10AM.getTime() + 20 * 24 * 3600 * 1000);
    expect(lastText(await say('u-late', `/tracuu ${late.code}`))).toContain(t('complaint.status.overdue'));
  });
});

describe('rating through the notification buttons', () => {
  it('a 2 reopens the complaint, tells the agency, then records the comment', async () => {
    const { code } = await fileDakHaComplaint('u-rate');
    const resolved = await service.resolve(code, DAK_HA_OFFICER, 'Đã xử lý kỷ luật cán bộ.');
    expect(resolved.ok).toBe(true);
    const request = await db.models.Notification.findOne({ complaintCode: code, kind: 'rating_request' }).lean();
    expect(request).not.toBeNull();
    const [rendered] = renderNotification('rating_request', request!.params as Record<string, unknown>, 'vi', content.translator);
    const two = rendered.quickReplies?.[1].payload;
    expect(two).toBe(`/danhgia ${code} 2`);

    const rated = await say('u-rate', two!);
    expect(rated.intent).toBe('rating:reopened');
    expect(rated.messages.map((m) => m.text).join('\n')).toContain(t('complaint.rating.thanks', { code, score: 2 }));
    expect(rated.messages[1].text).toContain('UBND huyện Đăk Hà');
    const reopened = await db.models.Complaint.findOne({ code }).lean();
    expect(reopened).toMatchObject({ status: 'reopened', rating: { score: 2 }, deliveriesPlanned: true });
    const agencyTold = await db.models.Delivery.find({ complaintCode: code, event: 'complaint.reopened' }).lean();
    expect(agencyTold.map((d) => d.idempotencyKey).sort()).toEqual([`${code}:reopened:1:email`, `${code}:reopened:1:telegram`]);

    const comment = await say('u-rate', 'Cán bộ vẫn chưa trả lại tiền cho tôi');
    expect(comment.intent).toBe('rating:comment');
    expect((await db.models.Complaint.findOne({ code }).lean())?.rating?.comment).toBe('Cán bộ vẫn chưa trả lại tiền cho tôi');
    expect(await db.models.Delivery.countDocuments({ complaintCode: code, idempotencyKey: `${code}:reopened:1:comment:telegram` })).toBe(1);
  });

  it('asks for the score when only the code is given, accepts a typed number, and refuses a second rating', async () => {
    const { code } = await fileDakHaComplaint('u-rate-5');
    await service.resolve(code, DAK_HA_OFFICER);
    expect((await say('u-rate-5', `/danhgia ${code}`)).intent).toBe('rating:score');
    expect((await say('u-rate-5', 'tuyệt vời')).intent).toBe('rating:score');
    const rated = await say('u-rate-5', '5');
    expect(rated.intent).toBe('rating:rated');
    expect((await say('u-rate-5', 'bỏ qua')).intent).toBe('rating:done');
    expect((await db.models.Complaint.findOne({ code }).lean())?.status).toBe('resolved');
    const again = await say('u-rate-5', `/danhgia ${code} 1`);
    expect(lastText(again)).toBe(t('complaint.rating.not_rateable', { code }));
    const stranger = await say('u-someone', `/danhgia ${code} 1`);
    expect(lastText(stranger)).toBe(t('complaint.rating.not_found', { code }));
  });
});

describe('forgetCitizen', () => {
  it('deletes the conversation and the personal data, keeps the statistics', async () => {
    const user = 'u-forget';
    const { code } = await fileDakHaComplaint(user);
    await say(user, '/phananh'); // a draft in progress
    expect((await store.get(conversationKey('telegram', user)))?.flow).toBeDefined();
    await service.acknowledge(code, DAK_HA_OFFICER);

    expect(await service.forgetCitizen('telegram', user)).toBe(1);
    expect(await store.get(conversationKey('telegram', user))).toBeUndefined();
    const stored = await db.models.Complaint.findOne({ code }).lean();
    expect(stored).toMatchObject({ text: '', status: 'acknowledged', agencyId: 'ubnd-huyen-dak-ha', sector: 'officer_conduct' });
    expect(stored?.userId).not.toBe(user);
    expect(await db.models.Notification.countDocuments({ userId: user })).toBe(0);
    const after = await say(user, `/tracuu ${code}`);
    expect(after.intent).toBe('complaint_status:public');
    expect(lastText(after)).not.toContain('Đăk Hà');
  });
});

describe('daily complaint limit', () => {
  it('refuses a sixth complaint on the same day politely, and accepts again the next day', async () => {
    const user = 'daily-limit-user';
    for (let i = 1; i <= 5; i++) {
      const replies = [await say(user, `${DAK_HA_TRIGGER} lan thu ${i}`), await say(user, '#pa:skip'), await say(user, '#pa:confirm')];
      expect(codeIn(replies[2])).toMatch(/^PA-/);
    }
    const refused = await say(user, `${DAK_HA_TRIGGER} lan thu 6`);
    expect(refused.intent).toBe('complaint:daily_limit');
    expect(lastText(refused)).toBe(t('complaint.daily_limit', { limit: 5 }));
    expect(await service.countToday('telegram', user, now)).toBe(5);

    now = new Date(MONDAY_10AM.getTime() + 25 * 3600 * 1000);
    const accepted = await say(user, `${DAK_HA_TRIGGER} lan thu 7`);
    expect(accepted.intent).not.toBe('complaint:daily_limit');
  });
});

describe("status in the citizen's current language", () => {
  it('names the agency in English after the citizen switched to English', async () => {
    const { code } = await fileDakHaComplaint('status-language-user');
    await say('status-language-user', '/en');
    const reply = await say('status-language-user', `/tracuu ${code}`);
    const english = directory.agencyById.get('ubnd-huyen-dak-ha')!.name.en;
    expect(lastText(reply)).toContain(english);
  });
});
