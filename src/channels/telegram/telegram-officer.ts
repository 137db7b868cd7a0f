/**
 * The officers' desk in agencies' Telegram groups: the buttons of a complaint card
 * (acknowledge, transfer, resolve) and replies to a card (the answer to the citizen).
 * Every action goes through {@link ComplaintService}, which checks the agency, records the
 * history with the officer's id and notifies the citizen; this module only decides *who*
 * is acting and *for which agency*, and tells the group what happened.
 *
 * Authorisation, in order: the update must come from a group some agency has configured
 * (`delivery.telegramChatId`); the complaint must be routed *now* to one of the agencies of
 * that group; if that agency lists `officerTelegramIds`, the user must be one of them. Anyone
 * else gets "Bạn không có quyền…" and nothing changes. Texts here are Vietnamese constants:
 * the people who read them are Vietnamese civil servants.
 */
import type { ActionError, ActionResult, Actor, AgencyComplaintView, ComplaintService } from '../../complaints/complaint-service';
import type { Agency, Directory } from '../../complaints/directory/directory';
import type { Logger } from '../../infra/logger';
import { silentLogger } from '../../infra/logger';
import type { TelegramApi } from './telegram-api';
import type { TelegramCardStore } from './telegram-store';
import type { TelegramEvent } from './telegram-updates';
import { cardKeyboard, parseOfficerCallback, resolveAgencyRef, transferKeyboard, type OfficerAction } from './officer-card';

type GroupButton = Extract<TelegramEvent, { kind: 'group_button' }>;
type GroupReply = Extract<TelegramEvent, { kind: 'group_reply' }>;

export const TEXT_NOT_ALLOWED = 'Bạn không có quyền xử lý phản ánh này.';
const TEXT_STALE_BUTTON = 'Nút này không còn hiệu lực.';
const TEXT_BAD_TARGET = 'Không chuyển được: cơ quan nhận không hợp lệ.';
const TEXT_EMPTY_ANSWER = 'Vui lòng trả lời bằng văn bản (nội dung sẽ được gửi cho người phản ánh).';
const TEXT_FAILED = 'Chưa thực hiện được, vui lòng thử lại sau.';

const ERROR_TEXTS: Readonly<Record<ActionError, string>> = {
  not_found: 'Không tìm thấy phản ánh.',
  forbidden: TEXT_NOT_ALLOWED,
  invalid_state: 'Phản ánh đang ở trạng thái không cho phép thao tác này.',
  unknown_agency: 'Không tìm thấy cơ quan nhận.',
  invalid_input: 'Nội dung không hợp lệ.',
};

export interface OfficerDeskDeps {
  readonly api: TelegramApi;
  readonly complaints: ComplaintService;
  readonly cards: Pick<TelegramCardStore, 'codeForMessage'>;
  /** The directory in service now (it can be reloaded). */
  readonly directory: () => Directory;
  /** Keyed hash of a Telegram chat or user id: logs carry no platform ids. */
  readonly idLabel?: (id: number) => string;
  readonly logger?: Logger;
}

type Authorisation = { ok: true; agency: Agency; complaint: AgencyComplaintView; actor: Actor } | { ok: false; reason: string };

export class TelegramOfficerDesk {
  private readonly logger: Logger;
  private readonly label: (id: number) => string;

  constructor(private readonly deps: OfficerDeskDeps) {
    this.logger = deps.logger ?? silentLogger();
    this.label = deps.idLabel ?? (() => 'id');
  }

  /** A button of a card was pressed in a group. */
  async handleButton(event: GroupButton): Promise<void> {
    const action = parseOfficerCallback(event.data);
    if (!action) return this.deps.api.answerCallback(event.callbackId, TEXT_STALE_BUTTON);
    const auth = await this.authorise(event.chatId, event.userId, action.code);
    if (!auth.ok) {
      this.logger.warn(
        { chat: this.label(event.chatId), officer: this.label(event.userId), code: action.code, reason: auth.reason },
        'officer action refused',
      );
      return this.deps.api.answerCallback(event.callbackId, TEXT_NOT_ALLOWED);
    }
    if (action.kind === 'transfer_menu' || action.kind === 'back') return this.showKeyboard(event, action, auth);
    const result = await this.perform(action, auth);
    if (!result) return this.deps.api.answerCallback(event.callbackId, TEXT_BAD_TARGET);
    if (!result.ok) {
      this.logger.info({ code: action.code, action: action.kind, error: result.error }, 'officer action not done');
      return this.deps.api.answerCallback(event.callbackId, ERROR_TEXTS[result.error] ?? TEXT_FAILED);
    }
    this.logger.info(
      { code: action.code, action: action.kind, agencyId: auth.agency.id, officer: this.label(event.userId) },
      'officer action done',
    );
    const done = doneText(action, result.complaint, event.userName);
    await this.deps.api.answerCallback(event.callbackId, done);
    void this.deps.api.editKeyboard(
      event.chatId,
      event.messageId,
      action.kind === 'transfer' ? undefined : cardKeyboard(action.code, result.complaint.status),
    );
    void this.deps.api.sendText(event.chatId, done, { replyTo: event.messageId });
  }

  /** A message in a group replied to one of the bot's messages: an answer if it replied to a card. */
  async handleReply(event: GroupReply): Promise<void> {
    const code = await this.deps.cards.codeForMessage(event.chatId, event.replyToMessageId);
    if (!code) return;
    const auth = await this.authorise(event.chatId, event.userId, code);
    if (!auth.ok) {
      this.logger.warn(
        { chat: this.label(event.chatId), officer: this.label(event.userId), code, reason: auth.reason },
        'officer answer refused',
      );
      void this.deps.api.sendText(event.chatId, TEXT_NOT_ALLOWED, { replyTo: event.messageId });
      return;
    }
    const text = event.text.trim();
    if (!text) {
      void this.deps.api.sendText(event.chatId, TEXT_EMPTY_ANSWER, { replyTo: event.messageId });
      return;
    }
    const result = await this.deps.complaints.answer(code, auth.actor, text);
    const reply = result.ok
      ? `📨 Đã ghi nhận trả lời cho phản ánh ${code}; người phản ánh sẽ nhận được trên kênh đã gửi.`
      : ERROR_TEXTS[result.error];
    this.logger.info({ code, agencyId: auth.agency.id, officer: this.label(event.userId), ok: result.ok }, 'officer answer');
    void this.deps.api.sendText(event.chatId, reply, { replyTo: event.messageId });
  }

  private async authorise(chatId: number, userId: number, code: string): Promise<Authorisation> {
    const groupAgencies = this.deps.directory().agencies.filter((a) => a.delivery.telegramChatId === String(chatId));
    if (groupAgencies.length === 0) return { ok: false, reason: 'unknown_group' };
    for (const agency of groupAgencies) {
      const found = await this.deps.complaints.getForAgency(code, agency.id);
      if (!found.ok) continue;
      if (agency.officerTelegramIds && !agency.officerTelegramIds.includes(String(userId)))
        return { ok: false, reason: 'not_listed_officer' };
      return { ok: true, agency, complaint: found.complaint, actor: { kind: 'officer', id: String(userId), agencyId: agency.id } };
    }
    return { ok: false, reason: 'not_routed_to_group' };
  }

  /** Runs an action; undefined when a transfer names no valid agency. */
  private async perform(
    action: Exclude<OfficerAction, { kind: 'transfer_menu' | 'back' }>,
    auth: Extract<Authorisation, { ok: true }>,
  ): Promise<ActionResult | undefined> {
    const { complaints } = this.deps;
    switch (action.kind) {
      case 'acknowledge':
        return complaints.acknowledge(action.code, auth.actor);
      case 'resolve':
        return complaints.resolve(action.code, auth.actor);
      case 'transfer': {
        const target = resolveAgencyRef(this.deps.directory().agencies, action.agencyRef);
        if (!target || target.id === auth.agency.id) return undefined;
        return complaints.transfer(action.code, auth.actor, target.id);
      }
    }
  }

  private async showKeyboard(
    event: GroupButton,
    action: Extract<OfficerAction, { kind: 'transfer_menu' | 'back' }>,
    auth: Extract<Authorisation, { ok: true }>,
  ): Promise<void> {
    const keyboard =
      action.kind === 'transfer_menu'
        ? transferKeyboard(action.code, this.deps.directory().agencies, auth.agency.id, action.page)
        : cardKeyboard(action.code, auth.complaint.status);
    await this.deps.api.answerCallback(event.callbackId);
    await this.deps.api.editKeyboard(event.chatId, event.messageId, keyboard);
  }
}

function doneText(action: OfficerAction, complaint: AgencyComplaintView, officerName: string): string {
  const by = officerName ? ` (${officerName})` : '';
  switch (action.kind) {
    case 'acknowledge':
      return `✅ ${action.code}: đã tiếp nhận${by}.`;
    case 'resolve':
      return `✔️ ${action.code}: đã giải quyết xong${by}; người phản ánh được mời đánh giá.`;
    case 'transfer':
      return `🔀 ${action.code}: đã chuyển đến ${complaint.agencyName}${by}.`;
    default:
      return action.code;
  }
}
