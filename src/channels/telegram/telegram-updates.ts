/**
 * The few events this bot acts on, read from telegraf's {@link Context} (its typed
 * accessors `chat`, `from`, `message`, `callbackQuery`) instead of the raw JSON. What
 * telegraf's types promise, an untrusted webhook body may still break (a string where an
 * object was expected), so every value used is checked once more here: anything
 * unexpected becomes `ignored`, nothing throws.
 *
 * Private chats are citizens; groups and supergroups are agencies' officers. In a group the
 * bot (in privacy mode) only sees commands and replies to its own messages, which is all
 * the officer desk needs.
 */
import type { Context } from 'telegraf';
import type { Message, PhotoSize } from 'telegraf/types';
import type { Attachment } from '../../core/messages';

interface UpdateBase {
  readonly updateId: number;
}

export type TelegramEvent =
  | (UpdateBase & {
      readonly kind: 'citizen_message';
      readonly chatId: number;
      readonly userId: number;
      readonly text: string;
      readonly attachments: readonly Attachment[];
    })
  | (UpdateBase & {
      readonly kind: 'citizen_button';
      readonly callbackId: string;
      readonly chatId: number;
      readonly userId: number;
      readonly data: string;
    })
  | (UpdateBase & {
      readonly kind: 'group_reply';
      readonly chatId: number;
      readonly userId: number;
      readonly userName: string;
      readonly messageId: number;
      readonly replyToMessageId: number;
      readonly text: string;
    })
  | (UpdateBase & {
      readonly kind: 'group_button';
      readonly callbackId: string;
      readonly chatId: number;
      readonly userId: number;
      readonly userName: string;
      readonly messageId: number;
      readonly data: string;
    })
  | (UpdateBase & { readonly kind: 'ignored'; readonly reason: string; readonly callbackId?: string; readonly chatId?: number });

function int(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The minimal shape check of a webhook body before telegraf sees it: an object with an integer update_id. */
export function updateIdOf(body: unknown): number | undefined {
  return isObject(body) ? int(body.update_id) : undefined;
}

/** The event an update stands for. */
export function eventOf(ctx: Context): TelegramEvent {
  const updateId = int(ctx.update.update_id) ?? -1;
  const chat: unknown = ctx.chat;
  const chatId = isObject(chat) ? int(chat.id) : undefined;
  const chatType = isObject(chat) ? str(chat.type) : undefined;
  const from = isObject(ctx.from) ? ctx.from : undefined;
  const userId = from ? int(from.id) : undefined;
  const query = isObject(ctx.callbackQuery) ? ctx.callbackQuery : undefined;
  const callbackId = query ? str(query.id) : undefined;
  if (query) {
    const data = 'data' in query ? str(query.data) : undefined;
    const messageId = isObject(query.message) ? int(query.message.message_id) : undefined;
    if (!callbackId || chatId === undefined || userId === undefined || messageId === undefined)
      return { updateId, kind: 'ignored', reason: 'callback_without_message', ...(callbackId ? { callbackId } : {}) };
    if (!data) return { updateId, kind: 'ignored', reason: 'callback_without_data', callbackId, chatId };
    if (chatType === 'private') return { updateId, kind: 'citizen_button', callbackId, chatId, userId, data };
    return { updateId, kind: 'group_button', callbackId, chatId, userId, userName: str(from?.first_name) ?? '', messageId, data };
  }
  const message = isObject(ctx.message) ? ctx.message : undefined;
  if (!message) {
    const kind = Object.keys(ctx.update).find((k) => k !== 'update_id') ?? 'empty';
    return { updateId, kind: 'ignored', reason: `unsupported:${kind}` };
  }
  if (chatId === undefined || userId === undefined || !chatType)
    return { updateId, kind: 'ignored', reason: 'message_without_chat_or_sender' };
  if (from?.is_bot === true) return { updateId, kind: 'ignored', reason: 'from_bot', chatId };
  const text = ('text' in message ? str(message.text) : undefined) ?? ('caption' in message ? str(message.caption) : undefined) ?? '';
  if (chatType === 'private') return { updateId, kind: 'citizen_message', chatId, userId, text, attachments: attachmentsOf(message) };
  if (chatType !== 'group' && chatType !== 'supergroup') return { updateId, kind: 'ignored', reason: `chat_type:${chatType}`, chatId };
  const replyTo =
    'reply_to_message' in message && isObject(message.reply_to_message) ? int(message.reply_to_message.message_id) : undefined;
  const messageId = int(message.message_id);
  if (replyTo === undefined || messageId === undefined) return { updateId, kind: 'ignored', reason: 'group_message_not_a_reply', chatId };
  return {
    updateId,
    kind: 'group_reply',
    chatId,
    userId,
    userName: str(from?.first_name) ?? '',
    messageId,
    replyToMessageId: replyTo,
    text,
  };
}

function attachmentsOf(message: Message): Attachment[] {
  const attachments: Attachment[] = [];
  const photo = 'photo' in message ? largestPhoto(message.photo) : undefined;
  const caption = 'caption' in message ? str(message.caption) : undefined;
  if (photo) attachments.push(caption !== undefined ? { kind: 'image', ref: photo, caption } : { kind: 'image', ref: photo });
  const location = 'location' in message && isObject(message.location) ? message.location : undefined;
  if (location) {
    const { latitude, longitude } = location;
    if (typeof latitude === 'number' && typeof longitude === 'number' && Number.isFinite(latitude) && Number.isFinite(longitude))
      attachments.push({ kind: 'location', latitude, longitude });
  }
  return attachments;
}

/** Telegram sends several sizes of one photo; the largest one's file_id is the reference. */
function largestPhoto(sizes: unknown): string | undefined {
  if (!Array.isArray(sizes)) return undefined;
  let best: { id: string; area: number } | undefined;
  for (const size of sizes as unknown[]) {
    if (!isObject(size)) continue;
    const id = str((size as Partial<PhotoSize>).file_id);
    if (!id) continue;
    const area = (int(size.width) ?? 0) * (int(size.height) ?? 0);
    if (!best || area >= best.area) best = { id, area };
  }
  return best?.id;
}
