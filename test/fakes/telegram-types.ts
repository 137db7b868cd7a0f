/**
 * The subset of Telegram Bot API JSON shapes that the local fake server
 * (telegram-bot-api.ts) produces and accepts. Kept apart from telegraf's own
 * typings so the fake describes the wire protocol (https://core.telegram.org/bots/api),
 * not one client library's view of it.
 */

/** Any JSON value, as it travels over the wire. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** https://core.telegram.org/bots/api#user */
export interface User {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
  can_join_groups?: boolean;
  can_read_all_group_messages?: boolean;
  supports_inline_queries?: boolean;
}

/** https://core.telegram.org/bots/api#chat — group and supergroup ids are negative. */
export interface Chat {
  id: number;
  type: 'private' | 'group' | 'supergroup' | 'channel';
  title?: string;
  username?: string;
  first_name?: string;
  last_name?: string;
}

/** https://core.telegram.org/bots/api#messageentity */
export interface MessageEntity {
  type: string;
  offset: number;
  length: number;
  url?: string;
  language?: string;
}

/** https://core.telegram.org/bots/api#photosize */
export interface PhotoSize {
  file_id: string;
  file_unique_id: string;
  width: number;
  height: number;
  file_size?: number;
}

/** https://core.telegram.org/bots/api#location */
export interface Location {
  latitude: number;
  longitude: number;
}

/**
 * https://core.telegram.org/bots/api#inlinekeyboardbutton — the fake checks `text`,
 * `callback_data` and `url`, and keeps any other action field as it was sent.
 */
export interface InlineKeyboardButton {
  text: string;
  callback_data?: string;
  url?: string;
  [field: string]: JsonValue | undefined;
}

/** https://core.telegram.org/bots/api#inlinekeyboardmarkup */
export interface InlineKeyboardMarkup {
  inline_keyboard: InlineKeyboardButton[][];
}

/** https://core.telegram.org/bots/api#message (the fields the fake fills). */
export interface Message {
  message_id: number;
  date: number;
  chat: Chat;
  from?: User;
  edit_date?: number;
  text?: string;
  entities?: MessageEntity[];
  caption?: string;
  caption_entities?: MessageEntity[];
  photo?: PhotoSize[];
  location?: Location;
  reply_to_message?: Message;
  reply_markup?: InlineKeyboardMarkup;
}

/** https://core.telegram.org/bots/api#callbackquery */
export interface CallbackQuery {
  id: string;
  from: User;
  message?: Message;
  chat_instance: string;
  data?: string;
}

/** Statuses the fake models (restricted members are not modelled). */
export type ChatMemberStatus = 'creator' | 'administrator' | 'member' | 'left' | 'kicked';

/** https://core.telegram.org/bots/api#chatmember (flattened over its variants). */
export interface ChatMember {
  status: ChatMemberStatus;
  user: User;
  is_anonymous?: boolean;
  can_be_edited?: boolean;
  can_manage_chat?: boolean;
  can_delete_messages?: boolean;
  can_restrict_members?: boolean;
  can_promote_members?: boolean;
  can_change_info?: boolean;
  can_invite_users?: boolean;
  can_pin_messages?: boolean;
  until_date?: number;
}

/** https://core.telegram.org/bots/api#chatmemberupdated */
export interface ChatMemberUpdated {
  chat: Chat;
  from: User;
  date: number;
  old_chat_member: ChatMember;
  new_chat_member: ChatMember;
}

/** https://core.telegram.org/bots/api#update (the kinds the fake generates). */
export interface Update {
  update_id: number;
  message?: Message;
  edited_message?: Message;
  callback_query?: CallbackQuery;
  chat_member?: ChatMemberUpdated;
  my_chat_member?: ChatMemberUpdated;
}

/** https://core.telegram.org/bots/api#file */
export interface TelegramFile {
  file_id: string;
  file_unique_id: string;
  file_size?: number;
  file_path?: string;
}

/** https://core.telegram.org/bots/api#webhookinfo */
export interface WebhookInfo {
  url: string;
  has_custom_certificate: boolean;
  pending_update_count: number;
  ip_address?: string;
  last_error_date?: number;
  last_error_message?: string;
  max_connections?: number;
  allowed_updates?: string[];
}

/** https://core.telegram.org/bots/api#responseparameters */
export interface ResponseParameters {
  retry_after?: number;
  migrate_to_chat_id?: number;
}

/** Every value a method of the fake can return in `result`. */
export type ApiResult = true | User | Message | Update[] | WebhookInfo | TelegramFile | ChatMember;

/** The envelope of every Bot API answer. */
export type ApiResponse<T = ApiResult> =
  { ok: true; result: T; description?: string } | { ok: false; error_code: number; description: string; parameters?: ResponseParameters };
