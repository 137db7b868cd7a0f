/**
 * Renders the core's channel-agnostic replies as Zalo OA text.
 *
 * Why numbered menus: OA v3 consultation replies have no buttons, so quick replies become
 * a numbered list ("Trả lời 1, 2 hoặc 3"). The payloads of that list are remembered per
 * citizen (see zalo-menu-store.ts) so that a bare "2" can be turned back into the payload
 * before the engine sees it. Only one menu is live at a time: the one of the last message
 * of a reply that offers quick replies; a reply without any clears it, so a later "1"
 * (an answer to "how many…?") is never mistaken for a menu choice.
 */
import type { BotContent } from '../../core/bot-content';
import type { Locale, OutgoingMessage } from '../../core/messages';
import { localText } from '../rate-limiter';
import { splitForZalo, ZALO_TEXT_LIMIT } from './split-text';

/** A reply ready for Zalo: message texts within the limit, in order, and the menu's payloads. */
export interface ZaloRendered {
  readonly parts: readonly string[];
  /** Payloads of the numbered menu, item 1 first; empty when the reply offers none. */
  readonly menu: readonly string[];
}

/** Locale keys an admin may define to reword the menu hint (`{{choices}}`, `{{last}}` are filled in). */
export const MENU_HINT_KEYS = { short: 'channel.menu_hint', long: 'channel.menu_hint_range' } as const;

const MENU_HINT: Readonly<Record<Locale, string>> = { vi: 'Trả lời {{choices}}', en: 'Reply {{choices}}' };
const MENU_HINT_RANGE: Readonly<Record<Locale, string>> = {
  vi: 'Trả lời một số từ 1 đến {{last}}',
  en: 'Reply with a number from 1 to {{last}}',
};
const OR: Readonly<Record<Locale, string>> = { vi: 'hoặc', en: 'or' };
/** Up to this many items the hint lists them all ("1, 2, 3 hoặc 4"); beyond, it gives the range. */
const LISTED_CHOICES = 4;

/** Renders a reply: texts (numbered menu appended to the last message offering one), split for Zalo. */
export function renderForZalo(
  messages: readonly OutgoingMessage[],
  locale: Locale,
  content?: BotContent,
  limit: number = ZALO_TEXT_LIMIT,
): ZaloRendered {
  const menuIndex = lastIndexWithMenu(messages);
  const menuMessage = menuIndex >= 0 ? messages[menuIndex] : undefined;
  const parts = messages.flatMap((message, index) => {
    const text = index === menuIndex ? withMenu(message, locale, content) : message.text;
    return splitForZalo(text.normalize('NFC'), limit);
  });
  return { parts, menu: (menuMessage?.quickReplies ?? []).map((q) => q.payload) };
}

/**
 * The payload the citizen chose when `text` is a menu number ("2", " 2. ", "#2"),
 * else undefined (the text is passed on as typed).
 */
export function resolveMenuChoice(text: string, menu: readonly string[]): string | undefined {
  const match = /^\s*#?\s*(\d{1,2})\s*[.)]?\s*$/.exec(toAsciiDigits(text));
  if (!match) return undefined;
  return menu[Number(match[1]) - 1];
}

/** The hint under a menu of `count` items, in the citizen's language. */
export function menuHint(count: number, locale: Locale, content?: BotContent): string {
  if (count > LISTED_CHOICES) {
    const template = content ? localText(content, locale, MENU_HINT_KEYS.long, MENU_HINT_RANGE) : MENU_HINT_RANGE[locale];
    return fill(template, { last: String(count) });
  }
  const numbers = Array.from({ length: count }, (_, i) => String(i + 1));
  const choices = numbers.length > 1 ? `${numbers.slice(0, -1).join(', ')} ${OR[locale]} ${numbers[numbers.length - 1]}` : numbers.join('');
  const template = content ? localText(content, locale, MENU_HINT_KEYS.short, MENU_HINT) : MENU_HINT[locale];
  return fill(template, { choices });
}

function withMenu(message: OutgoingMessage, locale: Locale, content?: BotContent): string {
  const replies = message.quickReplies ?? [];
  const lines = replies.map((reply, i) => `${i + 1}. ${reply.label}`);
  return `${message.text}\n\n${lines.join('\n')}\n${menuHint(replies.length, locale, content)}`;
}

function lastIndexWithMenu(messages: readonly OutgoingMessage[]): number {
  for (let i = messages.length - 1; i >= 0; i -= 1) {
    if ((messages[i]?.quickReplies?.length ?? 0) > 0) return i;
  }
  return -1;
}

/** Full-width digits (typed on some phone keyboards) to ASCII. */
function toAsciiDigits(text: string): string {
  return text.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xff10 + 0x30));
}

function fill(template: string, vars: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => vars[name] ?? whole);
}
