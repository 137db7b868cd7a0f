/**
 * The complaint card officers see in their agency's Telegram group, its buttons, and the
 * short callback data those buttons carry. Pure functions; the card's words are the message's
 * (`message.texts`, from the locale files), the same as the e-mail's (agency-message-format).
 *
 * Callback data must fit Telegram's 64 bytes, so it names the action, the tracking code and,
 * for a transfer, the target agency by id ("tr:PA-7K3M9X:so-xay-dung", ≤ 39 bytes with the
 * sample directory). The id is used instead of a position in the directory because an admin
 * may reload the directory between the keyboard being shown and the button being pressed:
 * a stale position would transfer the complaint to the wrong agency, a stale id is refused.
 * An id too long to fit falls back to its position ("#12"), checked against the same list.
 */
import type { Agency } from '../../complaints/directory/directory';
import { messageFacts } from '../../forwarding/agency-message-format';
import type { AgencyMessage } from '../../forwarding/transport';
import type { InlineButton, InlineKeyboard } from './telegram-api';
import { fitsCallbackData, TELEGRAM_TEXT_LIMIT } from './telegram-render';

export const BUTTON_ACKNOWLEDGE = '✅ Tiếp nhận';
export const BUTTON_TRANSFER = '🔀 Chuyển';
export const BUTTON_RESOLVE = '✔️ Giải quyết xong';
const BUTTON_BACK = '↩️ Quay lại';
const BUTTON_PREVIOUS = '◀️ Trước';
const BUTTON_NEXT = 'Sau ▶️';
/** Agencies per page of the transfer keyboard. */
export const TRANSFER_PAGE_SIZE = 8;

const EVENT_ICONS: Readonly<Record<AgencyMessage['event'], string>> = {
  'complaint.forwarded': '🆕',
  'complaint.reopened': '🔁',
  'complaint.reminder': '⏰',
  'complaint.overdue': '⚠️',
  'delivery.dead': '❗',
};

const REPLY_HINT = '↩️ Để trả lời người phản ánh: trả lời (reply) vào tin nhắn này.';

/** What an officer's button asks for. */
export type OfficerAction =
  | { readonly kind: 'acknowledge'; readonly code: string }
  | { readonly kind: 'resolve'; readonly code: string }
  | { readonly kind: 'transfer_menu'; readonly code: string; readonly page: number }
  | { readonly kind: 'transfer'; readonly code: string; readonly agencyRef: string }
  | { readonly kind: 'back'; readonly code: string };

const CODE = 'PA-[0-9A-Z]{6}';
const PATTERNS: readonly [RegExp, (m: RegExpExecArray) => OfficerAction][] = [
  [new RegExp(`^ack:(${CODE})$`), (m) => ({ kind: 'acknowledge', code: m[1] })],
  [new RegExp(`^res:(${CODE})$`), (m) => ({ kind: 'resolve', code: m[1] })],
  [new RegExp(`^trm:(${CODE}):(\\d{1,3})$`), (m) => ({ kind: 'transfer_menu', code: m[1], page: Number(m[2]) })],
  [new RegExp(`^tr:(${CODE}):(#\\d{1,3}|[a-z0-9-]{1,60})$`), (m) => ({ kind: 'transfer', code: m[1], agencyRef: m[2] })],
  [new RegExp(`^bk:(${CODE})$`), (m) => ({ kind: 'back', code: m[1] })],
];

/** Parses a button's callback data; undefined for anything this bot did not make. */
export function parseOfficerCallback(data: string): OfficerAction | undefined {
  for (const [pattern, build] of PATTERNS) {
    const match = pattern.exec(data);
    if (match) return build(match);
  }
  return undefined;
}

/** The card's text: what the agency needs to handle the complaint, within Telegram's limit. */
export function cardText(message: AgencyMessage): string {
  const c = message.complaint;
  const head = [
    `${EVENT_ICONS[message.event]} ${message.texts.title} — ${c.code}`,
    ...messageFacts(message, ['agency', 'sector', 'locality', 'created', 'due', 'contact']).map(([k, v]) => `${k}: ${v}`),
    ...(message.note ? ['', `${message.texts.labels.note}: ${message.note}`] : []),
    '',
    `${message.texts.labels.text}:`,
  ].join('\n');
  const tail = `\n\n${REPLY_HINT}`;
  const room = TELEGRAM_TEXT_LIMIT - head.length - tail.length - 2;
  const body = c.text.length > room ? `${c.text.slice(0, room - 1)}…` : c.text;
  return `${head}\n${body}${tail}`;
}

/** The buttons a card shows for a complaint in `status` (none once it is resolved or closed). */
export function cardKeyboard(code: string, status: string): InlineKeyboard | undefined {
  const transferAndResolve: InlineButton[] = [
    { text: BUTTON_TRANSFER, callback_data: `trm:${code}:0` },
    { text: BUTTON_RESOLVE, callback_data: `res:${code}` },
  ];
  if (status === 'resolved' || status === 'closed') return undefined;
  if (status === 'acknowledged' || status === 'answered') return [transferAndResolve];
  return [[{ text: BUTTON_ACKNOWLEDGE, callback_data: `ack:${code}` }], transferAndResolve];
}

/** One page of "transfer to…" buttons: every agency but the current one, then paging and back. */
export function transferKeyboard(code: string, agencies: readonly Agency[], currentAgencyId: string, page: number): InlineKeyboard {
  const targets = agencies.map((agency, index) => ({ agency, index })).filter((t) => t.agency.id !== currentAgencyId);
  const pages = Math.max(1, Math.ceil(targets.length / TRANSFER_PAGE_SIZE));
  const current = Math.min(Math.max(0, page), pages - 1);
  const rows: InlineButton[][] = targets
    .slice(current * TRANSFER_PAGE_SIZE, (current + 1) * TRANSFER_PAGE_SIZE)
    .map((t) => [{ text: shorten(t.agency.name.vi), callback_data: transferData(code, t.agency, t.index) }]);
  const nav: InlineButton[] = [];
  if (current > 0) nav.push({ text: BUTTON_PREVIOUS, callback_data: `trm:${code}:${current - 1}` });
  nav.push({ text: BUTTON_BACK, callback_data: `bk:${code}` });
  if (current < pages - 1) nav.push({ text: BUTTON_NEXT, callback_data: `trm:${code}:${current + 1}` });
  rows.push(nav);
  return rows;
}

/** The agency a transfer button names, looked up in the directory in service now. */
export function resolveAgencyRef(agencies: readonly Agency[], agencyRef: string): Agency | undefined {
  if (!agencyRef.startsWith('#')) return agencies.find((a) => a.id === agencyRef);
  const agency = agencies[Number(agencyRef.slice(1))];
  // A position only stands for an id too long for callback data: anything else is stale.
  return agency && !fitsCallbackData(`tr:PA-XXXXXX:${agency.id}`) ? agency : undefined;
}

function transferData(code: string, agency: Agency, index: number): string {
  const byId = `tr:${code}:${agency.id}`;
  return fitsCallbackData(byId) ? byId : `tr:${code}:#${index}`;
}

function shorten(text: string): string {
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}
