/**
 * What the bot does with each (verified) Zalo OA event: the task the inbound pipeline runs
 * in the citizen's turn, after the duplicate check and the limits, once the webhook has
 * answered Zalo.
 *
 * Why one place: every kind of event ends in the same few actions — ask the conversation
 * engine, send its reply through the Zalo sender (numbered menus); the pipeline releases
 * the notifications held by the 7-day window now that the citizen is back — and consent
 * withdrawal (Decree 13/2023) must reliably erase the citizen's data whatever else is
 * going on. Logs carry event kinds and intents, never texts, names or phone numbers.
 */
import type { ChannelSendResult } from '../channel-sender';
import type { ContentSource } from '../../core/bot-content';
import type { ConversationStore } from '../../core/conversation-store';
import type { Attachment, IncomingMessage, Locale, OutgoingMessage } from '../../core/messages';
import { conversationKey } from '../../core/messages';
import type { ComplaintService } from '../../complaints/complaint-service';
import type { Logger } from '../../infra/logger';
import { silentLogger } from '../../infra/logger';
import type { Converse, InboundTask } from '../pipeline/inbound-pipeline';
import { localText, slowDownText, type UserRateLimiter } from '../rate-limiter';
import type { ZaloMenuStore } from './zalo-menu-store';
import { resolveMenuChoice } from './zalo-renderer';
import type { ZaloInboundEvent } from './zalo-types';

export interface ZaloEventProcessorDeps {
  readonly sender: { sendReply(userId: string, messages: readonly OutgoingMessage[], locale: Locale): Promise<ChannelSendResult> };
  readonly menus: ZaloMenuStore;
  readonly content: ContentSource;
  readonly conversations: Pick<ConversationStore, 'get' | 'delete'>;
  readonly complaints: Pick<ComplaintService, 'forgetCitizen'>;
  /** Forgotten together with the citizen on withdrawal. */
  readonly rateLimiter?: Pick<UserRateLimiter, 'forget'>;
  readonly logger?: Logger;
}

/** Locale key an admin may define to reword the withdrawal confirmation. */
export const WITHDRAW_TEXT_KEY = 'channel.zalo_withdrawn';

const WITHDRAW_TEXT: Readonly<Record<Locale, string>> = {
  vi: 'Tôi đã xóa thông tin cá nhân của Anh/Chị (nội dung trò chuyện, thông tin liên hệ và nội dung phản ánh) theo yêu cầu rút lại sự đồng ý. Khi cần hỗ trợ, Anh/Chị cứ nhắn tin lại bất cứ lúc nào.',
  en: 'Your personal data (our conversation, your contact details and the content of your complaints) has been deleted, as you withdrew your consent. You can message me again at any time.',
};

export class ZaloEventProcessor {
  private readonly logger: Logger;

  constructor(private readonly deps: ZaloEventProcessorDeps) {
    this.logger = deps.logger ?? silentLogger();
  }

  /**
   * The pipeline task for an event (its redelivery key is `messageId`); undefined for events
   * that need no work (OA echoes, unknown events without a citizen).
   */
  taskFor(event: ZaloInboundEvent, messageId: string): InboundTask<void> | undefined {
    const userId = event.userId;
    if (!userId) return undefined;
    const base = { channel: 'zalo' as const, userId, requesterKey: userId, messageId };
    const slowDown = (): Promise<void> => this.slowDown(userId);
    switch (event.kind) {
      case 'text':
        return {
          message: { ...base, text: event.text },
          run: async (message, converse) =>
            this.converse({ ...message, text: await this.substituteMenuChoice(userId, message.text) }, converse),
          slowDown,
        };
      case 'image':
        return {
          message: { ...base, text: event.text ?? '', attachments: imageAttachments(event.urls, event.text) },
          run: (message, converse) => this.converse(message, converse),
          slowDown,
        };
      case 'location':
        return {
          message: { ...base, text: '', attachments: [{ kind: 'location', latitude: event.latitude, longitude: event.longitude }] },
          run: (message, converse) => this.converse(message, converse),
          slowDown,
        };
      case 'follow':
        // A new follower gets the greeting with the menu, in their language if we know it.
        return { message: { ...base, text: '/start' }, run: (message, converse) => this.converse(message, converse), slowDown };
      case 'user_submit_info':
        return {
          message: { ...base, text: '', contact: contactOf(event.name, event.phone) },
          run: (message, converse) => this.converse(message, converse),
          slowDown,
        };
      case 'user_withdraw':
        return { message: { ...base, text: '' }, limited: false, run: () => this.withdraw(userId) };
      case 'unfollow':
        return { message: { ...base, text: '' }, limited: false, run: () => this.deps.menus.delete(userId) };
      case 'other':
        // A sticker, a link, a file…: no answer, but the pipeline releases held notifications (the window reopened).
        return event.eventName.startsWith('user_')
          ? { message: { ...base, text: '' }, limited: false, run: async () => undefined }
          : undefined;
    }
  }

  /** The one "please slow down" notice for a citizen over the rate limit. */
  async slowDown(userId: string): Promise<void> {
    try {
      const locale = await this.localeOf(userId);
      await this.deps.sender.sendReply(userId, [{ text: slowDownText(this.deps.content.current(), locale) }], locale);
    } catch (error) {
      this.logger.warn({ channel: 'zalo', err: errorLabel(error) }, 'zalo slow-down notice failed');
    }
  }

  /** Engine → reply through the sender (which remembers the numbered menu). */
  private async converse(message: IncomingMessage, converse: Converse): Promise<void> {
    const reply = await converse(message);
    const result = await this.deps.sender.sendReply(message.userId, reply.messages, reply.locale);
    this.logger.info(
      { channel: 'zalo', intent: reply.intent, delivered: result.ok, kind: result.ok ? undefined : result.kind },
      'zalo reply',
    );
  }

  /** Decree 13/2023: erase the citizen's complaints' personal data, conversation and menu, then confirm. */
  private async withdraw(userId: string): Promise<void> {
    const locale = await this.localeOf(userId);
    const affected = await this.deps.complaints.forgetCitizen('zalo', userId);
    await this.deps.conversations.delete(conversationKey('zalo', userId));
    await this.deps.menus.delete(userId);
    this.deps.rateLimiter?.forget('zalo', userId);
    this.logger.info({ channel: 'zalo', event: 'user_withdraw', complaints: affected }, 'citizen data deleted');
    const text = localText(this.deps.content.current(), locale, WITHDRAW_TEXT_KEY, WITHDRAW_TEXT);
    const result = await this.deps.sender.sendReply(userId, [{ text }], locale);
    // The confirmation must not leave a menu behind (it has none: the store was cleared above).
    if (!result.ok) this.logger.warn({ channel: 'zalo', kind: result.kind }, 'withdrawal confirmation not delivered');
  }

  private async substituteMenuChoice(userId: string, text: string): Promise<string> {
    const menu = await this.deps.menus.get(userId);
    return (menu && resolveMenuChoice(text, menu)) ?? text;
  }

  private async localeOf(userId: string): Promise<Locale> {
    const state = await this.deps.conversations.get(conversationKey('zalo', userId)).catch(() => undefined);
    return state?.locale ?? 'vi';
  }
}

function imageAttachments(urls: readonly string[], caption: string | undefined): Attachment[] {
  return urls.map((ref) => (caption ? { kind: 'image', ref, caption } : { kind: 'image', ref }));
}

function contactOf(name: string | undefined, phone: string | undefined): IncomingMessage['contact'] {
  return { ...(name ? { name } : {}), ...(phone ? { phone } : {}) };
}

/** An error's class and message for logs (our errors never carry personal data). */
function errorLabel(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
}
