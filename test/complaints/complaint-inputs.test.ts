/** The pure parts of the complaint features: input parsing, keys, code search, texts. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BotContent } from '../../src/core/bot-content';
import { describedProblem } from '../../src/complaints/complaint-flow';
import { formatDate } from '../../src/complaints/complaint-format';
import { normalizeVietnamesePhone, parseContactInput } from '../../src/complaints/contact-input';
import { resolveChoice } from '../../src/complaints/flow-choices';
import { NOTIFICATION_KINDS, renderNotification } from '../../src/complaints/notification-texts';
import { extraTextKeys } from '../../src/app-text-keys';
import { parseRatingArgument } from '../../src/complaints/rating-flow';
import { findTrackingCode } from '../../src/complaints/status-handler';
import { checkComplaintText, cleanComplaintText, submissionKey } from '../../src/complaints/submission-key';
import { loadTestContent, SETUP_TIMEOUT_MS } from './complaint-test-kit';

let content: BotContent;
beforeAll(async () => {
  content = await loadTestContent(); // fails if any COMPLAINT_TEXT_KEYS is missing in vi or en
}, SETUP_TIMEOUT_MS);

describe('contact input', () => {
  it.each([
    ['0905123456', '0905123456'],
    ['0905 123 456', '0905123456'],
    ['+84 905.123.456', '0905123456'],
    ['84905123456', '0905123456'],
    ['0381234567', '0381234567'],
    ['0084905123456', '0905123456'],
    // landlines: area code 2xx since 2017
    ['0260 3862 345', '02603862345'],
    ['+84 260 3862345', '02603862345'],
    ['028 3812 3456', '02838123456'],
  ])('accepts the mobile or landline number %s', (input, expected) => {
    expect(normalizeVietnamesePhone(input)).toBe(expected);
  });

  it.each(['0123456789', '090512345', '09051234567', '0205123456', '12345'])('rejects %s', (input) => {
    expect(normalizeVietnamesePhone(input)).toBeUndefined();
  });

  it('splits a name and a phone, and refuses a mistyped phone', () => {
    expect(parseContactInput('Tên: Nguyễn Văn A, SĐT: 0905 123 456')).toEqual({
      ok: true,
      contact: { name: 'Nguyễn Văn A', phone: '0905123456' },
    });
    expect(parseContactInput('Trần Thị B')).toEqual({ ok: true, contact: { name: 'Trần Thị B' } });
    expect(parseContactInput('+84905123456')).toEqual({ ok: true, contact: { phone: '0905123456' } });
    expect(parseContactInput('Lê C 090 5123')).toEqual({ ok: false, reason: 'invalid_phone' });
    expect(parseContactInput('Lê C 0123456789')).toEqual({ ok: false, reason: 'invalid_phone' });
    expect(parseContactInput(' , ')).toEqual({ ok: false, reason: 'empty' });
    expect(parseContactInput('tên tôi là Lan, số 0260 3862 345')).toEqual({ ok: true, contact: { name: 'Lan', phone: '02603862345' } });
    expect(parseContactInput('My name is John Smith, phone +84 905 123 456')).toEqual({
      ok: true,
      contact: { name: 'John Smith', phone: '0905123456' },
    });
  });
});

describe('complaint text and submission key', () => {
  it('cleans invisible characters and spacing but keeps line breaks', () => {
    expect(cleanComplaintText('  Cán\u200B bộ   xã\r\n\r\n\r\nđòi tiền\t ')).toBe('Cán bộ xã\n\nđòi tiền');
  });

  it('checks the 10–4000 character rule after cleaning', () => {
    expect(checkComplaintText('   chậm   ')).toEqual({ ok: false, reason: 'too_short' });
    expect(checkComplaintText('x'.repeat(4001))).toEqual({ ok: false, reason: 'too_long' });
    expect(checkComplaintText('x'.repeat(4000)).ok).toBe(true);
  });

  it('gives the same key to the same submission, a different one when anything that matters differs', () => {
    const base = {
      channel: 'zalo' as const,
      userId: '1',
      text: 'Cán bộ xã đòi tiền',
      sector: 'officer_conduct' as const,
      localityId: 'xa-dak-mar',
    };
    const key = submissionKey(base);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(submissionKey({ ...base, text: ' Cán bộ  xã đòi tiền ' })).toBe(key);
    expect(submissionKey({ ...base, userId: '2' })).not.toBe(key);
    expect(submissionKey({ ...base, channel: 'telegram' })).not.toBe(key);
    expect(submissionKey({ ...base, sector: 'land' })).not.toBe(key);
    expect(submissionKey({ ...base, localityId: undefined })).not.toBe(key);
  });
});

describe('trigger messages', () => {
  it.each([
    'tôi muốn phản ánh',
    'toi muon gui kien nghi',
    'ad ơi e có việc cần phản ánh',
    '/phananh',
    '#intent:complaint_submit',
    'cán bộ đòi tiền',
  ])('"%s" does not describe the problem', (text) => {
    expect(describedProblem(text)).toBeUndefined();
  });

  it.each([
    'can bo xa dak ha doi tien moi giai quyet ho so dat',
    'cán bộ quát mắng người dân ngay tại quầy tiếp nhận',
    'tôi muốn phản ánh việc cán bộ xã Đăk Mar bắt tôi chờ cả buổi sáng',
  ])('"%s" describes the problem', (text) => {
    expect(describedProblem(text)).toBe(text);
  });
});

describe('tracking code search', () => {
  it('finds codes typed in any case, without a dash, or inside a sentence', () => {
    expect(findTrackingCode('pa7k3m9x')).toEqual({ kind: 'code', code: 'PA-7K3M9X' });
    expect(findTrackingCode('PA 7K3M9X')).toEqual({ kind: 'code', code: 'PA-7K3M9X' });
    expect(findTrackingCode('phản ánh pa-7k3m9x của tôi sao rồi')).toEqual({ kind: 'code', code: 'PA-7K3M9X' });
    expect(findTrackingCode('mã PA-7K3M0X')).toEqual({ kind: 'malformed' });
    expect(findTrackingCode('phản ánh của tôi đến đâu rồi')).toEqual({ kind: 'none' });
  });

  it('reads rating arguments', () => {
    expect(parseRatingArgument('PA-7K3M9X 4')).toEqual({ code: 'PA-7K3M9X', score: 4 });
    expect(parseRatingArgument('pa7k3m9x')).toEqual({ code: 'PA-7K3M9X' });
    expect(parseRatingArgument('PA-7K3M9X 9')).toEqual({});
    expect(parseRatingArgument('')).toEqual({});
  });
});

describe('choices', () => {
  const replies = [
    { label: 'Gửi phản ánh', payload: '#pa:confirm' },
    { label: 'Sửa nội dung', payload: '#pa:edit:text' },
  ];
  it('accepts payloads, numbers, labels without diacritics and aliases', () => {
    expect(resolveChoice('#pa:edit:text', replies)).toBe('#pa:edit:text');
    expect(resolveChoice(' 2. ', replies)).toBe('#pa:edit:text');
    expect(resolveChoice('3', replies)).toBeUndefined();
    expect(resolveChoice('gui phan anh', replies)).toBe('#pa:confirm');
    expect(resolveChoice('Đồng ý!', replies, { 'dong y': '#pa:confirm' })).toBe('#pa:confirm');
    expect(resolveChoice('something else', replies)).toBeUndefined();
  });
});

describe('notification texts', () => {
  const params = {
    code: 'PA-7K3M9X',
    agencyName: 'UBND huyện Đăk Hà',
    agencyNameEn: 'Dak Ha District People\u2019s Committee',
    dueAt: '2025-03-19T10:00:00.000Z',
    answer: 'Đã xử lý.',
    fromAgencyName: 'Sở Nội vụ',
  };

  it.each(
    NOTIFICATION_KINDS.flatMap(
      (k) =>
        [
          [k, 'vi'],
          [k, 'en'],
        ] as const,
    ),
  )('renders %s in %s with every placeholder filled', (kind, locale) => {
    const messages = renderNotification(kind, params, locale, content.translator);
    const text = messages.map((m) => m.text).join('\n');
    expect(text).toContain('PA-7K3M9X');
    expect(text).not.toMatch(/\{\{/);
    if (kind !== 'rating_request') expect(text).toContain(locale === 'en' ? 'Dak Ha District' : 'UBND huyện Đăk Hà');
    if (kind !== 'rating_request' && kind !== 'answer' && kind !== 'resolved' && kind !== 'closed') expect(text).toContain('19/03/2025');
  });

  it('offers scores 1–5 as /danhgia quick replies with the rating request', () => {
    const [message] = renderNotification('rating_request', params, 'vi', content.translator);
    expect(message.quickReplies?.map((q) => q.payload)).toEqual([1, 2, 3, 4, 5].map((s) => `/danhgia PA-7K3M9X ${s}`));
  });

  it('includes the answer and the resolution note', () => {
    expect(renderNotification('answer', params, 'vi', content.translator)[0].text).toContain('Đã xử lý.');
    expect(renderNotification('resolved', { ...params, note: 'Đã kỷ luật cán bộ.' }, 'en', content.translator)[0].text).toContain(
      'Đã kỷ luật cán bộ.',
    );
  });

  it('declares every complaint and conversation text in the locale files, and uses every one declared', () => {
    const vi = JSON.parse(readFileSync(join(__dirname, '..', '..', 'locales', 'vi.json'), 'utf8')) as Record<string, unknown>;
    const flat = (tree: unknown, prefix: string): string[] =>
      typeof tree === 'string' ? [prefix] : Object.entries(tree as Record<string, unknown>).flatMap(([k, v]) => flat(v, `${prefix}.${k}`));
    const declared = [
      ...flat(vi.complaint, 'complaint'),
      ...flat(vi.system, 'system'),
      ...flat(vi.conversation, 'conversation'),
      ...flat(vi.hotline, 'hotline'),
    ].sort();
    const used = new Set(extraTextKeys().filter((k) => /^(complaint|system|conversation|hotline)\./.test(k)));
    expect([...used].sort()).toEqual(declared);
  });

  it('formats dates in Vietnam time', () => {
    expect(formatDate(new Date('2025-03-19T17:30:00Z'))).toBe('20/03/2025');
    expect(formatDate('not a date')).toBe('');
  });
});
