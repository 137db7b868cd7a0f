/**
 * Turns a raw Telegram update (untrusted JSON from a webhook POST or getUpdates) into the
 * few events this bot acts on. Pure and defensive: every field is checked, anything
 * unexpected becomes `ignored`, nothing throws — so a strange update can neither crash the
 * polling loop nor reach the core half-parsed.
 *
 * Private chats are citizens; groups and supergroups are agencies' officers. In a group the
 * bot (in privacy mode) only sees commands and replies to its own messages, which is all
 * the officer desk needs.
 */
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

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function int(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The minimal shape check of a webhook body: an object with an integer update_id. */
export function updateIdOf(body: unknown): number | undefined {
  return isObject(body) ? int(body.update_id) : undefined;
}

/** Parses an update that passed {@link updateIdOf}. */
export function parseUpdate(body: unknown): TelegramEvent {
  const updateId = updateIdOf(body) ?? -1;
  if (!isObject(body)) return { updateId, kind: 'ignored', reason: 'not_an_object' };
  if (isObject(body.message)) return parseMessage(updateId, body.message);
  if (isObject(body.callback_query)) return parseCallback(updateId, body.callback_query);
  const kind = Object.keys(body).find((k) => k !== 'update_id') ?? 'empty';
  return { updateId, kind: 'ignored', reason: `unsupported:${kind}` };
}

interface Sender {
  readonly id: number;
  readonly name: string;
  readonly isBot: boolean;
}

function senderOf(value: unknown): Sender | undefined {
  if (!isObject(value)) return undefined;
  const id = int(value.id);
  if (id === undefined) return undefined;
  return { id, name: str(value.first_name) ?? '', isBot: value.is_bot === true };
}

function chatOf(value: unknown): { id: number; type: string } | undefined {
  if (!isObject(value)) return undefined;
  const id = int(value.id);
  const type = str(value.type);
  return id === undefined || type === undefined ? undefined : { id, type };
}

function parseMessage(updateId: number, message: Json): TelegramEvent {
  const chat = chatOf(message.chat);
  const from = senderOf(message.from);
  if (!chat || !from) return { updateId, kind: 'ignored', reason: 'message_without_chat_or_sender' };
  if (from.isBot) return { updateId, kind: 'ignored', reason: 'from_bot', chatId: chat.id };
  const text = str(message.text) ?? str(message.caption) ?? '';
  if (chat.type === 'private') {
    return { updateId, kind: 'citizen_message', chatId: chat.id, userId: from.id, text, attachments: attachmentsOf(message) };
  }
  if (chat.type !== 'group' && chat.type !== 'supergroup')
    return { updateId, kind: 'ignored', reason: `chat_type:${chat.type}`, chatId: chat.id };
  const replyTo = isObject(message.reply_to_message) ? int(message.reply_to_message.message_id) : undefined;
  const messageId = int(message.message_id);
  if (replyTo === undefined || messageId === undefined)
    return { updateId, kind: 'ignored', reason: 'group_message_not_a_reply', chatId: chat.id };
  return {
    updateId,
    kind: 'group_reply',
    chatId: chat.id,
    userId: from.id,
    userName: from.name,
    messageId,
    replyToMessageId: replyTo,
    text,
  };
}

function attachmentsOf(message: Json): Attachment[] {
  const attachments: Attachment[] = [];
  const photo = largestPhoto(message.photo);
  const caption = str(message.caption);
  if (photo) attachments.push(caption !== undefined ? { kind: 'image', ref: photo, caption } : { kind: 'image', ref: photo });
  if (isObject(message.location)) {
    const { latitude, longitude } = message.location;
    if (typeof latitude === 'number' && typeof longitude === 'number' && Number.isFinite(latitude) && Number.isFinite(longitude)) {
      attachments.push({ kind: 'location', latitude, longitude });
    }
  }
  return attachments;
}

/** Telegram sends several sizes of one photo; the last is the largest. Its file_id is the reference. */
function largestPhoto(value: unknown): string | undefined {
  if (!Array.isArray(value)) return undefined;
  let best: { id: string; area: number } | undefined;
  for (const size of value) {
    if (!isObject(size)) continue;
    const id = str(size.file_id);
    if (!id) continue;
    const area = (int(size.width) ?? 0) * (int(size.height) ?? 0);
    if (!best || area >= best.area) best = { id, area };
  }
  return best?.id;
}

function parseCallback(updateId: number, query: Json): TelegramEvent {
  const callbackId = str(query.id);
  const from = senderOf(query.from);
  const message = isObject(query.message) ? query.message : undefined;
  const chat = message ? chatOf(message.chat) : undefined;
  const messageId = message ? int(message.message_id) : undefined;
  const data = str(query.data);
  if (!callbackId || !from || !chat || messageId === undefined)
    return { updateId, kind: 'ignored', reason: 'callback_without_message', callbackId };
  if (data === undefined || data === '') return { updateId, kind: 'ignored', reason: 'callback_without_data', callbackId, chatId: chat.id };
  if (chat.type === 'private') return { updateId, kind: 'citizen_button', callbackId, chatId: chat.id, userId: from.id, data };
  return { updateId, kind: 'group_button', callbackId, chatId: chat.id, userId: from.id, userName: from.name, messageId, data };
}
