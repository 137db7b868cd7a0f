/**
 * The few Bot API calls this bot makes, as a small port over telegraf's `Telegram` client.
 * Sends and edits go through the {@link TelegramSendQueue} (flood limits, retries) and
 * return outcomes instead of throwing; the other modules of this folder depend on this
 * port, not on telegraf, so they can be read (and tested) without it.
 */
import { Input, type Telegram } from 'telegraf';
import type { Logger } from '../../infra/logger';
import { silentLogger } from '../../infra/logger';
import type { SendOutcome, TelegramSendQueue } from './telegram-send-queue';

/** An inline keyboard button that calls back with `callback_data` (≤ 64 bytes). */
export interface InlineButton {
  readonly text: string;
  readonly callback_data: string;
}
export type InlineKeyboard = readonly (readonly InlineButton[])[];

/** Where a sent message is, to reply to it or edit it later. */
export interface SentMessage {
  readonly chatId: number;
  readonly messageId: number;
}

export interface TextOptions {
  readonly keyboard?: InlineKeyboard;
  /** Message to reply to; the text is still sent if that message is gone. */
  readonly replyTo?: number;
}

export interface PhotoInput {
  readonly bytes: Buffer;
  readonly contentType?: string;
}

export interface TelegramApi {
  sendText(chatId: number, text: string, options?: TextOptions): Promise<SendOutcome<SentMessage>>;
  /**
   * Uploads a photo. No reply target: telegraf sends uploads as multipart and drops the
   * object-valued `reply_parameters` there, so callers name the complaint in the caption.
   */
  sendPhoto(chatId: number, photo: PhotoInput, options?: { readonly caption?: string }): Promise<SendOutcome<SentMessage>>;
  /** Replaces (or removes, with undefined) a message's inline keyboard. */
  editKeyboard(chatId: number, messageId: number, keyboard: InlineKeyboard | undefined): Promise<SendOutcome<true>>;
  /** Stops the spinner on a pressed button, optionally with a short notice (≤ 200 characters). */
  answerCallback(callbackId: string, text?: string): Promise<void>;
  /** The download URL of a file (it embeds the token: never log it). */
  fileUrl(fileId: string): Promise<URL>;
}

/** Telegram's "nothing changed" answer to an edit is not a failure. */
const NOT_MODIFIED = /message is not modified/i;

/** {@link TelegramApi} on telegraf's client, with every send queued. */
export class TelegrafApi implements TelegramApi {
  private readonly logger: Logger;

  constructor(
    private readonly telegram: Telegram,
    private readonly queue: TelegramSendQueue,
    logger?: Logger,
  ) {
    this.logger = logger ?? silentLogger();
  }

  async sendText(chatId: number, text: string, options: TextOptions = {}): Promise<SendOutcome<SentMessage>> {
    const extra = {
      ...(options.keyboard ? { reply_markup: { inline_keyboard: options.keyboard.map((row) => [...row]) } } : {}),
      ...(options.replyTo !== undefined ? { reply_parameters: { message_id: options.replyTo, allow_sending_without_reply: true } } : {}),
      link_preview_options: { is_disabled: true },
    };
    return this.queue.enqueue(chatId, async () => sent(await this.telegram.sendMessage(chatId, text, extra)));
  }

  async sendPhoto(chatId: number, photo: PhotoInput, options: { caption?: string } = {}): Promise<SendOutcome<SentMessage>> {
    const filename = `photo.${extensionOf(photo.contentType)}`;
    const extra = options.caption ? { caption: options.caption } : {};
    return this.queue.enqueue(chatId, async () =>
      sent(await this.telegram.sendPhoto(chatId, Input.fromBuffer(photo.bytes, filename), extra)),
    );
  }

  async editKeyboard(chatId: number, messageId: number, keyboard: InlineKeyboard | undefined): Promise<SendOutcome<true>> {
    const markup = { inline_keyboard: (keyboard ?? []).map((row) => [...row]) };
    return this.queue.enqueue(chatId, async () => {
      try {
        await this.telegram.editMessageReplyMarkup(chatId, messageId, undefined, markup);
      } catch (error) {
        if (!(error instanceof Error && NOT_MODIFIED.test(error.message))) throw error;
      }
      return true as const;
    });
  }

  async answerCallback(callbackId: string, text?: string): Promise<void> {
    try {
      await this.telegram.answerCbQuery(callbackId, text?.slice(0, 200));
    } catch (error) {
      // A query older than ~15 s can no longer be answered; the action itself is not affected.
      this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'answerCallbackQuery failed');
    }
  }

  async fileUrl(fileId: string): Promise<URL> {
    return this.telegram.getFileLink(fileId);
  }
}

function sent(message: { message_id: number; chat: { id: number } }): SentMessage {
  return { chatId: message.chat.id, messageId: message.message_id };
}

function extensionOf(contentType: string | undefined): string {
  if (contentType === 'image/png') return 'png';
  if (contentType === 'image/webp') return 'webp';
  return 'jpg';
}
