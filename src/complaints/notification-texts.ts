/**
 * The texts a citizen receives about a complaint after the conversation is over (an
 * acknowledgement, an answer, a transfer, the resolution, the rating question), and the
 * list of every locale key the complaint features use.
 *
 * Why rendered at send time from `params`: the notification outbox stores data, not
 * text, so an admin's wording fix reaches notifications still waiting (Zalo's 7-day
 * window can hold one for days) and the citizen's language is applied when sending.
 */
import type { Locale, OutgoingMessage } from '../core/messages';
import { formatDate, type TextLookup } from './complaint-format';

import type { NotificationKind } from './domain/complaint-events';

export { NOTIFICATION_KINDS, isNotificationKind, type NotificationKind } from './domain/complaint-events';

/** Scores offered by the rating question, with the payload each one sends back. */
export function ratingQuickReplies(code: string, locale: Locale, texts: TextLookup): { label: string; payload: string }[] {
  return [1, 2, 3, 4, 5].map((score) => ({
    label: texts.t(locale, `complaint.rating.score.${score}`),
    payload: `/danhgia ${code} ${score}`,
  }));
}

/**
 * Renders one notification. `params` is what the service stored: code, agencyName,
 * agencyNameEn, dueAt (ISO), and per kind answer, note or fromAgencyName. Missing
 * params render as empty strings rather than failing: a notification must still go out.
 */
export function renderNotification(
  kind: NotificationKind,
  params: Readonly<Record<string, unknown>>,
  locale: Locale,
  translator: TextLookup,
): OutgoingMessage[] {
  const str = (key: string): string => (typeof params[key] === 'string' ? params[key] : '');
  const code = str('code');
  const agency = locale === 'en' && str('agencyNameEn') ? str('agencyNameEn') : str('agencyName');
  const vars = { code, agency, dueDate: str('dueAt') ? formatDate(str('dueAt')) : '' };
  const t = (key: string, extra: Record<string, string> = {}): string => translator.t(locale, key, { ...vars, ...extra });
  const track = t('complaint.notification.track_hint');
  switch (kind) {
    case 'acknowledged':
      return [{ text: `${t('complaint.notification.acknowledged')}\n${track}` }];
    case 'answer':
      return [{ text: `${t('complaint.notification.answer', { answer: str('answer') })}\n${track}` }];
    case 'transferred':
      return [{ text: `${t('complaint.notification.transferred', { fromAgency: str('fromAgencyName') })}\n${track}` }];
    case 'resolved':
      return [
        { text: str('note') ? t('complaint.notification.resolved_note', { note: str('note') }) : t('complaint.notification.resolved') },
      ];
    case 'rating_request':
      return [{ text: t('complaint.notification.rating_request'), quickReplies: ratingQuickReplies(code, locale, translator) }];
    case 'reopened':
      return [{ text: `${t('complaint.notification.reopened')}\n${track}` }];
    case 'closed':
      return [{ text: `${t('complaint.notification.closed', { note: str('note') })}\n${track}` }];
  }
}

const prefixed = (prefix: string, names: readonly string[]): string[] => names.map((n) => `${prefix}.${n}`);

/**
 * Every locale key the complaint conversation, the status lookup, the rating and the
 * notifications use. Pass it to the content loader (`requiredTextKeys`) so that a
 * missing translation stops the bot at start-up instead of showing a key to a citizen.
 */
export const COMPLAINT_TEXT_KEYS: readonly string[] = [
  'system.cancelled',
  'system.nothing_to_cancel',
  ...prefixed('complaint', [
    'ask_text',
    'text_too_short',
    'text_too_long',
    'ask_sector',
    'sector_not_understood',
    'ask_place',
    'place_not_found',
    'place_location_received',
    'ask_contact',
    'contact_invalid_phone',
    'photo_received',
    'photo_limit',
    'summary',
    'summary_choose',
    'place_unknown',
    'contact_none',
    'submitted',
    'duplicate',
    'submit_failed',
    'daily_limit',
  ]),
  ...prefixed('complaint.button', ['confirm', 'edit_text', 'edit_sector', 'edit_place', 'cancel', 'skip', 'track']),
  ...prefixed('complaint.followup', ['telegram', 'zalo', 'web']),
  ...prefixed('complaint.status_label', ['received', 'forwarded', 'acknowledged', 'answered', 'resolved', 'reopened', 'closed']),
  ...prefixed('complaint.status', [
    'ask_code',
    'invalid_code',
    'not_found',
    'list',
    'list_item',
    'detail',
    'overdue',
    'answer',
    'no_answer',
    'rating',
    'rate_button',
  ]),
  ...prefixed('complaint.rating', [
    'ask_score',
    'invalid_code',
    'invalid_score',
    'thanks',
    'reopened',
    'ask_comment',
    'comment_thanks',
    'done',
    'not_rateable',
    'not_found',
    'failed',
  ]),
  ...prefixed('complaint.rating.score', ['1', '2', '3', '4', '5']),
  ...prefixed('complaint.notification', [
    'acknowledged',
    'answer',
    'transferred',
    'resolved',
    'resolved_note',
    'rating_request',
    'reopened',
    'closed',
    'track_hint',
  ]),
  ...prefixed('complaint.status', ['public_detail', 'secret_hint', 'secret_wrong', 'secret_locked']),
];

/** Every locale key the messages to agencies use (forwarding/agency-message-builder.ts): agencies read them in Vietnamese. */
export const AGENCY_TEXT_KEYS: readonly string[] = [
  ...prefixed('agency.event', ['complaint_forwarded', 'complaint_reopened', 'complaint_reminder', 'complaint_overdue', 'delivery_dead']),
  ...prefixed('agency.label', [
    'code',
    'agency',
    'sector',
    'locality',
    'created',
    'due',
    'status',
    'contact',
    'track',
    'note',
    'text',
    'photos',
  ]),
  'agency.footer',
  'agency.withheld_text',
  ...prefixed('agency.note', [
    'no_transport',
    'not_in_directory',
    'reopened',
    'reopened_comment',
    'citizen_comment',
    'reminder',
    'overdue',
    'delivery_dead',
  ]),
];
