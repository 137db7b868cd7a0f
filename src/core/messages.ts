/**
 * The channel-agnostic message types. Every channel adapter (Telegram, Zalo, web,
 * console) converts its own updates into {@link IncomingMessage} and renders
 * {@link OutgoingMessage}s in its own way (buttons, numbered text menus…).
 */
import type { Locale } from '../i18n/locale';

export type { Locale };

export type ChannelName = 'telegram' | 'zalo' | 'web' | 'console';

export type Attachment =
  | {
      readonly kind: 'image';
      /** Channel-specific reference: a URL (Zalo, web) or a file id (Telegram). */ readonly ref: string;
      readonly caption?: string;
    }
  | { readonly kind: 'location'; readonly latitude: number; readonly longitude: number };

export interface IncomingMessage {
  readonly channel: ChannelName;
  /** The channel's id of the citizen, always a string (Zalo ids exceed JS integers). */
  readonly userId: string;
  /** The channel's id of this message, when it has one: used to process redeliveries once. */
  readonly messageId?: string;
  readonly text: string;
  readonly attachments?: readonly Attachment[];
  /** A language the citizen explicitly chose in the channel's UI (the web page's switch). */
  readonly locale?: Locale;
  /** Contact details the channel obtained with the citizen's consent (Zalo's user_submit_info). */
  readonly contact?: { readonly name?: string; readonly phone?: string };
  /**
   * Who the daily caps count against, set by the channel from what the client cannot
   * choose: the platform user id (Telegram, Zalo), or a keyed hash of the real client
   * address (the web, where session ids are free to make). Defaults to `userId`.
   */
  readonly requesterKey?: string;
  /**
   * The message's place in the citizen's line of turns, when the caller keeps one (the
   * inbound pipeline's tickets, which every process serving the database shares). The
   * engine trusts a state it wrote itself in the turn just before instead of reading it
   * again (conversation-cache.ts).
   */
  readonly turn?: TurnPlace;
}

/** A turn's id and the id of the turn just before it in the citizen's line (none for the first). */
export interface TurnPlace {
  readonly id: string;
  readonly after?: string;
}

export interface QuickReply {
  /** Short label shown on a button or in a numbered menu. */
  readonly label: string;
  /** Text sent back to the bot as if the citizen typed it when the reply is chosen. */
  readonly payload: string;
}

export interface OutgoingMessage {
  readonly text: string;
  readonly quickReplies?: readonly QuickReply[];
}

/** What the core answers to one incoming message. */
export interface Reply {
  readonly messages: readonly OutgoingMessage[];
  /** The intent matched (or the flow step), for metrics and logs; never the text. */
  readonly intent: string;
  readonly locale: Locale;
}

/** Conversation key: one conversation per citizen per channel. */
export function conversationKey(channel: ChannelName, userId: string): string {
  return `${channel}:${userId}`;
}
