import {
  cardKeyboard,
  cardText,
  parseOfficerCallback,
  resolveAgencyRef,
  transferKeyboard,
} from '../../../src/channels/telegram/officer-card';
import { fitsCallbackData, NumberedMenus, renderOutgoing } from '../../../src/channels/telegram/telegram-render';
import { parseUpdate, updateIdOf } from '../../../src/channels/telegram/telegram-updates';
import type { AgencyMessage } from '../../../src/forwarding/transport';
import { sampleAgencyTexts } from '../../support/locale-texts';
import { loadSampleDirectory } from '../../complaints/sample-directory';

const user = { id: 42, is_bot: false, first_name: 'Lan' };

describe('parseUpdate', () => {
  it('turns a private text, photo and location into a citizen message', () => {
    const photo = parseUpdate({
      update_id: 1,
      message: {
        message_id: 3,
        from: user,
        chat: { id: 42, type: 'private' },
        caption: 'ổ gà',
        photo: [
          { file_id: 'small', width: 90, height: 90 },
          { file_id: 'big', width: 800, height: 600 },
        ],
      },
    });
    expect(photo).toMatchObject({
      kind: 'citizen_message',
      userId: 42,
      text: 'ổ gà',
      attachments: [{ kind: 'image', ref: 'big', caption: 'ổ gà' }],
    });
    const location = parseUpdate({
      update_id: 2,
      message: { message_id: 4, from: user, chat: { id: 42, type: 'private' }, location: { latitude: 14.3, longitude: 108 } },
    });
    expect(location).toMatchObject({
      kind: 'citizen_message',
      text: '',
      attachments: [{ kind: 'location', latitude: 14.3, longitude: 108 }],
    });
  });

  it('tells citizens’ buttons from officers’ buttons and replies, and ignores the rest', () => {
    const button = (chat: object) =>
      parseUpdate({ update_id: 5, callback_query: { id: 'q', from: user, data: 'ack:PA-ABCDEF', message: { message_id: 9, chat } } });
    expect(button({ id: 42, type: 'private' })).toMatchObject({ kind: 'citizen_button', data: 'ack:PA-ABCDEF' });
    expect(button({ id: -100, type: 'supergroup' })).toMatchObject({ kind: 'group_button', chatId: -100, messageId: 9 });
    const reply = parseUpdate({
      update_id: 6,
      message: { message_id: 10, from: user, chat: { id: -100, type: 'group' }, text: 'Đã xử lý', reply_to_message: { message_id: 9 } },
    });
    expect(reply).toMatchObject({ kind: 'group_reply', replyToMessageId: 9, text: 'Đã xử lý' });
    expect(parseUpdate({ update_id: 7, message: { message_id: 11, from: user, chat: { id: -100, type: 'group' }, text: 'hi' } }).kind).toBe(
      'ignored',
    );
    expect(parseUpdate({ update_id: 8, edited_message: {} })).toMatchObject({ kind: 'ignored', reason: 'unsupported:edited_message' });
    expect(parseUpdate({ update_id: 9, message: { chat: 'x' } }).kind).toBe('ignored');
  });

  it('accepts only objects with an integer update_id', () => {
    expect(updateIdOf({ update_id: 3 })).toBe(3);
    expect(updateIdOf({ update_id: '3' })).toBeUndefined();
    expect(updateIdOf([1])).toBeUndefined();
    expect(updateIdOf(null)).toBeUndefined();
  });
});

describe('renderOutgoing', () => {
  it('renders quick replies as one-button rows whose callback data is the payload', () => {
    const [rendered] = renderOutgoing({ text: 'Chọn', quickReplies: [{ label: 'Đường dây nóng', payload: '#intent:hotline' }] }, 'hint');
    expect(rendered).toEqual({ text: 'Chọn', keyboard: [[{ text: 'Đường dây nóng', callback_data: '#intent:hotline' }]] });
  });

  it('falls back to a numbered text menu when a payload exceeds 64 bytes, and maps the number back', () => {
    const long = `/danhgia PA-ABCDEF ${'đ'.repeat(40)}`;
    expect(fitsCallbackData(long)).toBe(false);
    const [rendered] = renderOutgoing(
      {
        text: 'Chọn',
        quickReplies: [
          { label: 'A', payload: '#intent:a' },
          { label: 'B', payload: long },
        ],
      },
      'Chọn một mục:',
    );
    expect(rendered.keyboard).toBeUndefined();
    expect(rendered.text).toBe('Chọn\n\nChọn một mục:\n1. A\n2. B');
    const menus = new NumberedMenus();
    menus.remember(42, rendered.numberedPayloads);
    expect(menus.resolve(42, 'xin chào')).toBeUndefined();
    expect(menus.resolve(42, ' 2. ')).toBe(long);
    expect(menus.resolve(42, '1')).toBeUndefined();
  });

  it('splits texts longer than Telegram’s 4,096 characters and puts the buttons on the last part', () => {
    const text = `${'a'.repeat(3000)}\n\n${'b'.repeat(3000)}`;
    const parts = renderOutgoing({ text, quickReplies: [{ label: 'X', payload: '#intent:x' }] }, '');
    expect(parts.map((p) => p.text.length)).toEqual([3000, 3000]);
    expect(parts[0].keyboard).toBeUndefined();
    expect(parts[1].keyboard).toBeDefined();
  });
});

describe('officer card', () => {
  const message: AgencyMessage = {
    event: 'complaint.forwarded',
    idempotencyKey: 'PA-ABCDEF.forwarded.1',
    texts: sampleAgencyTexts(),
    complaint: {
      code: 'PA-ABCDEF',
      agencyId: 'ubnd-huyen-dak-ha',
      agencyName: 'UBND huyện Đăk Hà',
      sector: 'land',
      sectorLabel: 'Đất đai',
      localityName: 'Huyện Đăk Hà',
      text: 'Đất bị lấn chiếm',
      photos: [],
      createdAt: '2026-02-02T02:00:00Z',
      dueAt: '2026-02-11T10:00:00Z',
      status: 'forwarded',
    },
  };

  it('shows code, sector, place, due date and text, and the contact only when shared', () => {
    const text = cardText(message);
    for (const part of ['PA-ABCDEF', 'Đất đai', 'Huyện Đăk Hà', '11/02/2026 17:00', 'Đất bị lấn chiếm']) expect(text).toContain(part);
    expect(text).not.toContain('Người phản ánh');
    expect(cardText({ ...message, complaint: { ...message.complaint, contact: { phone: '0905123456' } } })).toContain(
      'Người phản ánh: 0905123456',
    );
    expect(cardText({ ...message, complaint: { ...message.complaint, text: 'x'.repeat(5000) } }).length).toBeLessThanOrEqual(4096);
  });

  it('offers buttons by status, with short parseable callback data', () => {
    const data = (cardKeyboard('PA-ABCDEF', 'forwarded') ?? []).flat().map((b) => b.callback_data);
    expect(data).toEqual(['ack:PA-ABCDEF', 'trm:PA-ABCDEF:0', 'res:PA-ABCDEF']);
    expect((cardKeyboard('PA-ABCDEF', 'acknowledged') ?? []).flat().map((b) => b.callback_data)).toEqual([
      'trm:PA-ABCDEF:0',
      'res:PA-ABCDEF',
    ]);
    expect(cardKeyboard('PA-ABCDEF', 'resolved')).toBeUndefined();
    expect(parseOfficerCallback('ack:PA-ABCDEF')).toEqual({ kind: 'acknowledge', code: 'PA-ABCDEF' });
    expect(parseOfficerCallback('tr:PA-ABCDEF:so-xay-dung')).toEqual({ kind: 'transfer', code: 'PA-ABCDEF', agencyRef: 'so-xay-dung' });
    expect(parseOfficerCallback('ack:PA-ABCDEF; drop')).toBeUndefined();
    expect(parseOfficerCallback('#intent:hotline')).toBeUndefined();
  });

  it('pages the transfer keyboard over every other agency, each button within 64 bytes', async () => {
    const directory = await loadSampleDirectory();
    const seen = new Set<string>();
    for (let page = 0; page < 10; page++) {
      const rows = transferKeyboard('PA-ABCDEF', directory.agencies, 'ubnd-huyen-dak-ha', page);
      for (const button of rows.flat()) {
        expect(fitsCallbackData(button.callback_data)).toBe(true);
        const action = parseOfficerCallback(button.callback_data);
        if (action?.kind === 'transfer') seen.add(resolveAgencyRef(directory.agencies, action.agencyRef)!.id);
      }
    }
    expect(seen.size).toBe(directory.agencies.length - 1);
    expect(seen.has('ubnd-huyen-dak-ha')).toBe(false);
  });
});
