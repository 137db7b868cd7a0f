/**
 * Delivers complaints to an agency's Telegram group (`agency.delivery.telegramChatId`): a
 * card with the complaint and the officers' buttons, then its photos as replies to it.
 * Officers act on the card (telegram-officer.ts); the card's chat and message id are
 * recorded so their replies can be matched to the complaint.
 *
 * Duplicates: the delivery outbox retries a message with the same idempotency key, and a
 * card already recorded under that key is not posted again. One case remains: a crash (or
 * a lost database write) after Telegram accepted the card and before it was recorded makes
 * the retry post a second card. That is the better failure — the alternative, recording
 * first, would lose the card for good if the send then failed — and officers see two
 * identical cards, both of which work.
 */
import type { Logger } from '../../infra/logger';
import { silentLogger } from '../../infra/logger';
import { deliveryFailure, type Agency, type AgencyMessage, type DeliveryResult, type Transport } from '../../forwarding/transport';
import type { TelegramApi } from './telegram-api';
import type { TelegramCardStore } from './telegram-store';
import { cardKeyboard, cardMessages } from './officer-card';

/** Photos posted with one card at most (a complaint keeps at most 5). */
const MAX_PHOTOS = 10;

export interface TelegramTransportDeps {
  readonly api: TelegramApi;
  readonly cards: TelegramCardStore;
  /** The stored bytes of a complaint photo (complaint_photos), e.g. `mongoPhotoLoader(db)`. */
  readonly loadPhoto: (photoId: string) => Promise<{ bytes: Buffer; contentType?: string } | undefined>;
  /** Keyed hash of a chat id for logs. */
  readonly chatLabel?: (chatId: number) => string;
  readonly logger?: Logger;
}

export class TelegramTransport implements Transport {
  readonly kind = 'telegram' as const;
  private readonly logger: Logger;

  constructor(private readonly deps: TelegramTransportDeps) {
    this.logger = deps.logger ?? silentLogger();
  }

  async deliver(agency: Agency, message: AgencyMessage): Promise<DeliveryResult> {
    const chatId = agency.delivery.telegramChatId;
    if (!chatId || !/^-?\d+$/.test(chatId)) return deliveryFailure(false, `agency ${agency.id} has no Telegram chat`);
    const { code } = message.complaint;
    try {
      const existing = await this.deps.cards.findByKey(message.idempotencyKey);
      if (existing) return { ok: true, receipt: `telegram card ${existing.messageId} already posted` };
    } catch (error) {
      return deliveryFailure(true, `card lookup failed: ${errorText(error)}`);
    }
    const ownComplaint = message.complaint.agencyId === agency.id && message.event !== 'delivery.dead';
    const keyboard = ownComplaint ? cardKeyboard(code, message.complaint.status) : undefined;
    const { card: text, followUps } = cardMessages(message);
    const sent = await this.deps.api.sendText(Number(chatId), text, keyboard ? { keyboard } : {});
    if (!sent.ok) return deliveryFailure(sent.kind === 'retry', sent.error, sent.retryAfterMs);
    const card = { key: message.idempotencyKey, code, chatId: sent.value.chatId, messageId: sent.value.messageId };
    const isMainCard = ownComplaint && (message.event === 'complaint.forwarded' || message.event === 'complaint.reopened');
    await this.recordCard(card, isMainCard);
    await this.postFollowUps(card.chatId, card.messageId, code, followUps);
    if (isMainCard) await this.postPhotos(card.chatId, message.idempotencyKey, code);
    return { ok: true, receipt: `telegram message ${card.messageId}` };
  }

  /** Records the card, trying twice: an unrecorded card works, but officers' replies to it are not matched. */
  private async recordCard(card: { key: string; code: string; chatId: number; messageId: number }, isMainCard: boolean): Promise<void> {
    for (let attempt = 1; attempt <= 2; attempt++) {
      try {
        await this.deps.cards.record(card, isMainCard);
        return;
      } catch (error) {
        if (attempt === 2)
          this.logger.error(
            { code: card.code, chat: this.deps.chatLabel?.(card.chatId), err: errorName(error) },
            'telegram card posted but not recorded',
          );
      }
    }
  }

  /**
   * The full text of what the card had to shorten, as replies to the card (each within
   * Telegram's limit). The card is out and recorded: a follow-up that fails is logged, and
   * the agency still has the card, the complaint's code and the API for the rest.
   */
  private async postFollowUps(chatId: number, cardMessageId: number, code: string, parts: readonly string[]): Promise<void> {
    for (const part of parts) {
      const outcome = await this.deps.api.sendText(chatId, part, { replyTo: cardMessageId });
      if (!outcome.ok) {
        this.logger.warn({ code, chat: this.deps.chatLabel?.(chatId), error: outcome.error }, 'full text of a long card not posted');
        return;
      }
    }
  }

  /**
   * Photos follow the card, captioned with the code, and are recorded like cards so that an
   * officer who replies to a photo answers the complaint too. A photo that cannot be loaded
   * or sent is logged, not retried (the card, the essential part, is out).
   */
  private async postPhotos(chatId: number, cardKey: string, code: string): Promise<void> {
    let photoIds: string[];
    try {
      photoIds = (await this.deps.cards.photoIdsOf(code)).slice(0, MAX_PHOTOS);
    } catch (error) {
      this.logger.warn({ code, err: errorName(error) }, 'complaint photos could not be listed');
      return;
    }
    for (const [i, photoId] of photoIds.entries()) {
      const photo = await this.deps.loadPhoto(photoId).catch(() => undefined);
      if (!photo) {
        this.logger.warn({ code, photoId }, 'complaint photo not found for the telegram card');
        continue;
      }
      const caption = `Ảnh ${i + 1}/${photoIds.length} — ${code}`;
      const outcome = await this.deps.api.sendPhoto(chatId, photo, { caption });
      if (!outcome.ok) {
        this.logger.warn(
          { code, chat: this.deps.chatLabel?.(chatId), error: outcome.error },
          'complaint photo not posted to the telegram group',
        );
        continue;
      }
      await this.recordCard({ key: `${cardKey}#photo${i + 1}`, code, chatId, messageId: outcome.value.messageId }, false);
    }
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
