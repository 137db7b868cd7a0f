/**
 * Renders the core's channel-agnostic {@link OutgoingMessage}s for Telegram: quick replies
 * become an inline keyboard whose callback data is the payload itself — payloads are kept
 * short by design (`#intent:hotline`, `/danhgia PA-7K3M9X 4`), and Telegram allows 64
 * bytes. A payload that does not fit is not truncated (it would mean something else): the
 * whole menu degrades to a numbered text menu (as Rasa's output channels do), and the
 * citizen's next "2" is mapped back to the second payload by {@link NumberedMenus}.
 *
 * Texts are sent as plain text (no parse_mode), so nothing a citizen or an admin wrote can
 * break Telegram's markup parser; texts longer than Telegram's 4,096 characters are split.
 */
import type { OutgoingMessage, QuickReply } from '../../core/messages';
import { splitForZalo } from '../zalo/split-text';
import type { InlineKeyboard } from './telegram-api';

/** Telegram's limit on callback_data, in bytes. */
export const CALLBACK_DATA_MAX_BYTES = 64;
/** Telegram's limit on a message text, in characters. */
export const TELEGRAM_TEXT_LIMIT = 4096;
/** Button labels are cut to this many characters (Telegram shows little more on a phone). */
const LABEL_MAX = 60;

export interface RenderedMessage {
  readonly text: string;
  readonly keyboard?: InlineKeyboard;
  /** Set when the quick replies were rendered as a numbered list: the payload of each number. */
  readonly numberedPayloads?: readonly string[];
}

/** True if Telegram accepts `data` as callback_data. */
export function fitsCallbackData(data: string): boolean {
  const bytes = Buffer.byteLength(data, 'utf8');
  return bytes > 0 && bytes <= CALLBACK_DATA_MAX_BYTES;
}

/**
 * One core message as one or more Telegram messages; buttons go on the last part.
 * `menuHint` introduces a numbered menu ("Anh/Chị có thể chọn một trong các mục sau:").
 */
export function renderOutgoing(message: OutgoingMessage, menuHint: string): RenderedMessage[] {
  const replies = message.quickReplies ?? [];
  const numbered = replies.length > 0 && !replies.every((r) => fitsCallbackData(r.payload));
  const body = numbered ? `${message.text}\n\n${menuHint}\n${numberedMenu(replies)}` : message.text;
  const parts = splitText(body);
  const last = parts.length - 1;
  return parts.map((text, i) => {
    if (i !== last || replies.length === 0) return { text };
    if (numbered) return { text, numberedPayloads: replies.map((r) => r.payload) };
    return { text, keyboard: replies.map((r) => [{ text: label(r.label), callback_data: r.payload }]) };
  });
}

function numberedMenu(replies: readonly QuickReply[]): string {
  return replies.map((r, i) => `${i + 1}. ${r.label}`).join('\n');
}

function label(text: string): string {
  const clean = text.replace(/\s+/g, ' ').trim() || '…';
  return clean.length > LABEL_MAX ? `${clean.slice(0, LABEL_MAX - 1)}…` : clean;
}

function splitText(text: string): string[] {
  const parts = splitForZalo(text, TELEGRAM_TEXT_LIMIT);
  return parts.length ? parts : ['…'];
}

interface NumberedMenu {
  readonly payloads: readonly string[];
  readonly at: number;
}

/**
 * The last numbered menu shown in each chat, so that a citizen who answers "2" gets the
 * second choice. Kept in memory (a restart forgets menus; the citizen then just types
 * their question again), bounded in size and age.
 */
export class NumberedMenus {
  private readonly menus = new Map<number, NumberedMenu>();

  constructor(
    private readonly maxChats = 10_000,
    private readonly ttlMs = 60 * 60_000,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Remembers the menu just shown in `chatId`, or forgets the old one when none was shown. */
  remember(chatId: number, payloads: readonly string[] | undefined): void {
    this.menus.delete(chatId);
    if (!payloads?.length) return;
    if (this.menus.size >= this.maxChats) {
      const oldest = this.menus.keys().next();
      if (!oldest.done) this.menus.delete(oldest.value);
    }
    this.menus.set(chatId, { payloads, at: this.clock() });
  }

  /** The payload chosen by `text` ("2", " 2. ") in `chatId`, or undefined. A used menu is forgotten. */
  resolve(chatId: number, text: string): string | undefined {
    const menu = this.menus.get(chatId);
    if (!menu) return undefined;
    if (this.clock() - menu.at > this.ttlMs) {
      this.menus.delete(chatId);
      return undefined;
    }
    const match = /^\s*(\d{1,2})\s*[.)]?\s*$/.exec(text);
    if (!match) return undefined;
    const payload = menu.payloads[Number(match[1]) - 1];
    if (payload !== undefined) this.menus.delete(chatId);
    return payload;
  }
}
