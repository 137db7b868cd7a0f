/**
 * Renders an {@link AgencyMessage} for people: a Vietnamese subject line, a plain-text
 * body and a simple HTML body. Kept apart from the e-mail transport so other human
 * channels (a Telegram group post) say the same thing in the same words.
 *
 * Everything the citizen wrote is untrusted: the HTML body escapes it, and photo links
 * are shown only if they are http(s) URLs.
 */
import type { AgencyEventType, AgencyMessage, ForwardedComplaint } from './transport';

/** Vietnamese title of each event, used as the start of the subject and the body. */
export const EVENT_TITLES_VI: Readonly<Record<AgencyEventType, string>> = {
  'complaint.forwarded': 'Phản ánh, kiến nghị mới',
  'complaint.reopened': 'Phản ánh được mở lại',
  'complaint.reminder': 'Nhắc hạn xử lý phản ánh',
  'complaint.overdue': 'Phản ánh đã quá hạn xử lý',
  'delivery.dead': 'Không chuyển được phản ánh đến cơ quan xử lý',
};

const VIETNAM_OFFSET_MS = 7 * 3_600_000;

/** "17/02/2026 17:00" in Vietnam time; the input unchanged if it is not a date. */
export function formatVietnamTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const d = new Date(ms + VIETNAM_OFFSET_MS);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** "[PA-7K3M9X] Phản ánh, kiến nghị mới: Đất đai — Huyện Đăk Hà" */
export function messageSubject(message: AgencyMessage): string {
  const c = message.complaint;
  const place = c.localityName ? ` — ${c.localityName}` : '';
  return oneLine(`[${c.code}] ${EVENT_TITLES_VI[message.event]}: ${c.sectorLabel}${place}`);
}

/** Label/value pairs shown in both bodies, in order; empty values are left out. */
function facts(message: AgencyMessage): [string, string][] {
  const c = message.complaint;
  const contact = [c.contact?.name, c.contact?.phone].filter((v): v is string => Boolean(v)).join(', ');
  const rows: [string, string | undefined][] = [
    ['Mã phản ánh', c.code],
    ['Cơ quan xử lý', c.agencyName],
    ['Lĩnh vực', c.sectorLabel],
    ['Địa bàn', c.localityName],
    ['Ngày tiếp nhận', formatVietnamTime(c.createdAt)],
    ['Hạn xử lý', formatVietnamTime(c.dueAt)],
    ['Trạng thái', c.status],
    ['Người phản ánh', contact || undefined],
    ['Theo dõi tại', c.publicUrl],
  ];
  return rows.filter((r): r is [string, string] => r[1] !== undefined && r[1] !== '');
}

/** The plain-text body. */
export function messageText(message: AgencyMessage): string {
  const c = message.complaint;
  const lines = [EVENT_TITLES_VI[message.event], '', ...facts(message).map(([k, v]) => `${k}: ${v}`)];
  if (message.note) lines.push('', `Ghi chú: ${message.note}`);
  lines.push('', 'Nội dung phản ánh:', c.text);
  const photos = safePhotos(c);
  if (photos.length) lines.push('', 'Ảnh kèm theo:', ...photos.map((p) => `- ${p}`));
  lines.push('', footer(message));
  return lines.join('\n');
}

/** The HTML body: the same content, escaped, with no scripts, styles or remote images. */
export function messageHtml(message: AgencyMessage): string {
  const c = message.complaint;
  const rows = facts(message)
    .map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join('');
  const note = message.note ? `<p><b>Ghi chú:</b> ${escapeHtml(message.note)}</p>` : '';
  const photos = safePhotos(c);
  const photoList = photos.length
    ? `<p><b>Ảnh kèm theo:</b></p><ul>${photos.map((p) => `<li><a href="${escapeHtml(p)}">${escapeHtml(p)}</a></li>`).join('')}</ul>`
    : '';
  return [
    '<!doctype html><html lang="vi"><body>',
    `<h2>${escapeHtml(EVENT_TITLES_VI[message.event])}</h2>`,
    `<table>${rows}</table>`,
    note,
    '<p><b>Nội dung phản ánh:</b></p>',
    `<p style="white-space:pre-wrap">${escapeHtml(c.text)}</p>`,
    photoList,
    `<hr><p><small>${escapeHtml(footer(message))}</small></p>`,
    '</body></html>',
  ].join('\n');
}

function footer(message: AgencyMessage): string {
  return `Thư gửi tự động từ hệ thống tiếp nhận phản ánh, kiến nghị. Mã gửi: ${message.idempotencyKey}`;
}

function safePhotos(c: ForwardedComplaint): string[] {
  return c.photos.map((p) => p.url).filter((u) => /^https?:\/\//i.test(u));
}

/** Escapes the five HTML-significant characters. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch);
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').trim();
}
