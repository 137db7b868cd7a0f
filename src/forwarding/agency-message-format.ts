/**
 * Renders an {@link AgencyMessage} for people: a subject line, a plain-text body and a
 * simple HTML body, in the words the message carries (`message.texts`, from the locale
 * files). Kept apart from the e-mail transport so other human channels (a Telegram group
 * post) say the same thing in the same words.
 *
 * Everything the citizen wrote is untrusted: the HTML body escapes it, and photo links
 * are shown only if they are http(s) URLs.
 */
import { formatVietnamTime } from '../complaints/complaint-format';
import { AGENCY_FACTS, type AgencyFact, type AgencyMessage, type ForwardedComplaint } from './transport';

export { formatVietnamTime } from '../complaints/complaint-format';

/** "[PA-7K3M9X] Phản ánh, kiến nghị mới: Đất đai — Huyện Đăk Hà" */
export function messageSubject(message: AgencyMessage): string {
  const c = message.complaint;
  const place = c.localityName ? ` — ${c.localityName}` : '';
  return oneLine(`[${c.code}] ${message.texts.title}: ${c.sectorLabel}${place}`);
}

/** Label/value pairs shown to people, in order; empty values are left out. `only` picks some. */
export function messageFacts(message: AgencyMessage, only: readonly AgencyFact[] = AGENCY_FACTS): [string, string][] {
  const c = message.complaint;
  const values: Record<AgencyFact, string | undefined> = {
    code: c.code,
    agency: c.agencyName,
    sector: c.sectorLabel,
    locality: c.localityName,
    created: formatVietnamTime(c.createdAt),
    due: formatVietnamTime(c.dueAt),
    status: message.texts.status,
    contact: [c.contact?.name, c.contact?.phone].filter((v): v is string => Boolean(v)).join(', ') || undefined,
    track: c.publicUrl,
  };
  return only.flatMap((fact): [string, string][] => (values[fact] ? [[message.texts.labels[fact], values[fact]]] : []));
}

/** The plain-text body. */
export function messageText(message: AgencyMessage): string {
  const c = message.complaint;
  const labels = message.texts.labels;
  const lines = [message.texts.title, '', ...messageFacts(message).map(([k, v]) => `${k}: ${v}`)];
  if (message.note) lines.push('', `${labels.note}: ${message.note}`);
  lines.push('', `${labels.text}:`, c.text);
  const photos = safePhotos(c);
  if (photos.length) lines.push('', `${labels.photos}:`, ...photos.map((p) => `- ${p}`));
  lines.push('', message.texts.footer);
  return lines.join('\n');
}

/** The HTML body: the same content, escaped, with no scripts, styles or remote images. */
export function messageHtml(message: AgencyMessage): string {
  const c = message.complaint;
  const labels = message.texts.labels;
  const rows = messageFacts(message)
    .map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join('');
  const note = message.note ? `<p><b>${escapeHtml(labels.note)}:</b> ${escapeHtml(message.note)}</p>` : '';
  const photos = safePhotos(c);
  const photoList = photos.length
    ? `<p><b>${escapeHtml(labels.photos)}:</b></p><ul>${photos.map((p) => `<li><a href="${escapeHtml(p)}">${escapeHtml(p)}</a></li>`).join('')}</ul>`
    : '';
  return [
    '<!doctype html><html lang="vi"><body>',
    `<h2>${escapeHtml(message.texts.title)}</h2>`,
    `<table>${rows}</table>`,
    note,
    `<p><b>${escapeHtml(labels.text)}:</b></p>`,
    `<p style="white-space:pre-wrap">${escapeHtml(c.text)}</p>`,
    photoList,
    `<hr><p><small>${escapeHtml(message.texts.footer)}</small></p>`,
    '</body></html>',
  ].join('\n');
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
