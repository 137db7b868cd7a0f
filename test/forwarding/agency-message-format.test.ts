import { escapeHtml, formatVietnamTime, messageHtml, messageSubject, messageText } from '../../src/forwarding/agency-message-format';
import { NoopTransport } from '../../src/forwarding/noop-transport';
import { sampleAgency, sampleMessage } from './fixtures';

describe('agency message rendering', () => {
  it('subject carries the code, the event, the sector and the place, on one line', () => {
    expect(messageSubject(sampleMessage())).toBe('[PA-7K3M9X] Phản ánh, kiến nghị mới: Thái độ, trách nhiệm của cán bộ — Huyện Đăk Hà');
    const overdue = sampleMessage({ event: 'complaint.overdue' });
    overdue.complaint = { ...overdue.complaint, localityName: undefined, sectorLabel: 'Đất\r\nđai' };
    expect(messageSubject(overdue)).toBe('[PA-7K3M9X] Phản ánh đã quá hạn xử lý: Đất đai');
  });

  it('dates are shown in Vietnam time', () => {
    expect(formatVietnamTime('2025-03-12T10:00:00.000Z')).toBe('12/03/2025 17:00');
    expect(formatVietnamTime('not a date')).toBe('not a date');
    const text = messageText(sampleMessage());
    expect(text).toContain('Hạn xử lý: 12/03/2025 17:00');
    expect(text).toContain('Ngày tiếp nhận: 03/03/2025 10:00');
    expect(text).toContain('Người phản ánh: Nguyễn Văn A, 0912345678');
    expect(text).toContain('- https://files.example/p/1.jpg');
    expect(text).not.toContain('javascript:');
    expect(text).toContain('PA-7K3M9X.forwarded.1');
  });

  it('the HTML body escapes what the citizen wrote and drops non-http links', () => {
    const html = messageHtml(sampleMessage({ note: '<b>bold</b>' }));
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;b&gt;bold&lt;/b&gt;');
    expect(html).not.toContain('javascript:');
    expect(html).toContain('<a href="https://files.example/p/1.jpg">');
    expect(escapeHtml(`"'&`)).toBe('&quot;&#39;&amp;');
  });
});

describe('NoopTransport', () => {
  it('records and succeeds without sending anything', async () => {
    const noop = new NoopTransport('webhook');
    const agency = sampleAgency({ email: 'a@b.example' });
    const result = await noop.deliver(agency, sampleMessage());
    expect(result.ok).toBe(true);
    expect(noop.kind).toBe('webhook');
    expect(noop.sent).toHaveLength(1);
    expect(noop.sent[0].agency.id).toBe('ubnd-huyen-dak-ha');
    expect(noop.sent[0].message.idempotencyKey).toBe('PA-7K3M9X.forwarded.1');
  });
});
