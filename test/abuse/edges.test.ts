/**
 * The edges: what comes in is cleaned the same way for every channel, and what goes out
 * fits its platform — a long transfer note or an absurd phone number must never make a
 * complaint's delivery go dead.
 */
import { sanitizeIncoming, MAX_PHONE_LENGTH } from '../../src/channels/pipeline/sanitize-incoming';
import { cardMessages } from '../../src/channels/telegram/officer-card';
import { TELEGRAM_TEXT_LIMIT } from '../../src/channels/telegram/telegram-render';
import type { Directory } from '../../src/complaints/directory/directory';
import type { BotContent } from '../../src/core/bot-content';
import type { AgencyMessage } from '../../src/forwarding/transport';
import type { Database } from '../../src/storage/mongo/database';
import { createHarness, loadTestContent, SETUP_TIMEOUT_MS, type TelegramHarness } from '../channels/telegram/telegram-harness';
import { loadSampleDirectory } from '../complaints/sample-directory';
import { FakeTelegramServer, type Chat } from '../fakes/telegram-bot-api';
import { dropTestDatabase, openTestDatabase } from '../support/database';
import { sampleAgencyTexts } from '../support/locale-texts';

describe('sanitizeIncoming', () => {
  it('removes bidi and control characters, markup and line breaks from single-line fields, and bounds them', () => {
    const cleaned = sanitizeIncoming({
      channel: 'zalo',
      userId: 'u1',
      text: 'Đường\r\nhỏng\u202E nặng<script>alert(1)</script>\u0007',
      contact: { name: 'Nguyễn\r\nHạn xử lý: hôm nay <b>A</b>\u202E', phone: `0905 123 456\nGhi chú: x${'9'.repeat(6001)}` },
    });
    expect(cleaned.text).toBe('Đường\nhỏng nặngalert(1)');
    expect(cleaned.contact?.name).toBe('Nguyễn Hạn xử lý: hôm nay A');
    expect(cleaned.contact?.phone?.length).toBeLessThanOrEqual(MAX_PHONE_LENGTH);
    expect(cleaned.contact?.phone).not.toMatch(/[\r\n]/);
    expect(cleaned.contact?.phone?.startsWith('0905 123 456')).toBe(true);
  });

  it('keeps what is valid and drops attachments that are not', () => {
    const cleaned = sanitizeIncoming({
      channel: 'telegram',
      userId: '1',
      text: 'ảnh',
      attachments: [
        { kind: 'location', latitude: 14.3, longitude: 108 },
        { kind: 'location', latitude: 400, longitude: 0 },
        { kind: 'image', ref: '  ', caption: 'x' },
        { kind: 'image', ref: 'file-id', caption: 'ổ gà\u202E' },
      ],
    });
    expect(cleaned.attachments).toEqual([
      { kind: 'location', latitude: 14.3, longitude: 108 },
      { kind: 'image', ref: 'file-id', caption: 'ổ gà' },
    ]);
  });
});

describe('agency cards within Telegram’s 4,096 characters', () => {
  const group: Chat = { id: -1001999000111, type: 'supergroup', title: 'PAKN (test)' };
  let fake: FakeTelegramServer;
  let db: Database;
  let h: TelegramHarness;
  let content: BotContent;
  let directory: Directory;

  beforeAll(async () => {
    [content, directory] = await Promise.all([loadTestContent(), loadSampleDirectory()]);
    fake = new FakeTelegramServer();
    await fake.start();
    fake.addChat(group);
    db = await openTestDatabase('edges');
    h = await createHarness({ fake, db, content, directory });
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await h?.channel.stop(1000);
    await fake?.close();
    if (db) await dropTestDatabase(db);
  });

  function transferred(note: string, phone: string): AgencyMessage {
    return {
      event: 'complaint.forwarded',
      idempotencyKey: `PA-LNGN0T.transfer.${note.length}.${phone.length}`,
      note,
      texts: sampleAgencyTexts(),
      complaint: {
        code: 'PA-LNGN0T',
        agencyId: 'ubnd-huyen-dak-ha',
        agencyName: 'UBND huyện Đăk Hà',
        sector: 'land',
        sectorLabel: 'Đất đai',
        localityName: 'Huyện Đăk Hà',
        text: 'Đất bị lấn chiếm. '.repeat(120),
        contact: { name: 'Nguyễn Văn A', phone },
        photos: [],
        createdAt: '2026-02-02T02:00:00Z',
        dueAt: '2026-02-11T10:00:00Z',
        status: 'forwarded',
      },
    };
  }

  it('a 3,990-character transfer note and a 6,001-character phone: a readable card, the full text after it, nothing dead', async () => {
    const note = `Chuyển vì thuộc thẩm quyền. ${'Chi tiết hồ sơ kèm theo. '.repeat(200)}`.slice(0, 3990);
    const phone = '9'.repeat(6001);
    const message = transferred(note, phone);
    const { card, followUps } = cardMessages(message);
    expect(card.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
    expect(card).toContain('PA-LNGN0T');
    expect(card).toContain('Nội dung phản ánh:');
    expect(followUps.every((part) => part.length <= TELEGRAM_TEXT_LIMIT)).toBe(true);
    const agency = { ...directory.agencies[0], delivery: { ...directory.agencies[0].delivery, telegramChatId: String(group.id) } };
    const result = await h.channel.transport.deliver(agency, message);
    expect(result.ok).toBe(true);
    const posted = await fake.waitForMessages(group.id, 1 + followUps.length, 15_000);
    expect(posted.every((m) => (m.text ?? '').length <= TELEGRAM_TEXT_LIMIT)).toBe(true);
    // Parts are cut at spaces where there are any, inside a 6,001-digit run where there are none.
    const everything = posted
      .map((m) => m.text ?? '')
      .join('')
      .replace(/\s+/g, '');
    expect(everything).toContain(note.replace(/\s+/g, ''));
    expect(everything).toContain(phone);
  }, 60_000);
});
