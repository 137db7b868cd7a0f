/**
 * Connects the citizen outbox to the complaint texts (notification-texts.ts).
 *
 * The translator is looked up at each send, not captured once, because the bot's content
 * (and with it the texts) can be reloaded while notifications wait in the outbox: the
 * wording an admin fixed today is the wording a citizen receives today.
 */
import type { TextLookup } from '../complaints/complaint-format';
import { isNotificationKind, renderNotification } from '../complaints/notification-texts';
import type { NotificationRenderer } from './citizen-notification-handler';

/** A renderer for the citizen outbox; an unknown kind throws (retried, then dead, and logged). */
export function createNotificationRenderer(texts: () => TextLookup): NotificationRenderer {
  return (notification, locale) => {
    if (!isNotificationKind(notification.kind)) throw new Error(`unknown notification kind '${notification.kind}'`);
    const params: unknown = notification.params;
    const record = typeof params === 'object' && params !== null ? (params as Readonly<Record<string, unknown>>) : {};
    return renderNotification(notification.kind, record, locale, texts());
  };
}
