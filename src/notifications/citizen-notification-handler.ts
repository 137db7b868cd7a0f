/**
 * The citizen outbox's handler for the generic {@link OutboxWorker}: tells citizens what
 * happened to their complaints (an answer, a transfer, the request to rate) on the
 * channel they used, in their language, once.
 *
 * What a channel answers decides what happens next:
 * - ok → `sent`;
 * - retry (rate limit, network) → `pending` again after a backoff, `dead` after the budget;
 * - outside_window (Zalo only lets an OA message a citizen within 7 days of their last
 *   message; a closed web page) → the sender's paid/approved template fallback if it has
 *   one, else `held`: no more attempts until the citizen writes again and the channel
 *   releases their held notifications;
 * - permanent (blocked the OA, unknown user) → `dead`.
 *
 * The text is rendered at send time, in the citizen's current language, so a citizen who
 * switched to English gets English. A citizen's notifications are one lane: sent one after
 * another, oldest first, so "answered" never arrives after "please rate the answer".
 */
import type { ChannelSender, ChannelSendResult } from './channel-sender';
import type { Locale, OutgoingMessage } from '../core/messages';
import type { AttemptOutcome, OutboxHandler, SendResult } from '../outbox/outbox-worker';
import { errorText } from '../outbox/safe-error';
import type { NotificationItem } from './notification-item';

/**
 * A channel sender that can reach a citizen outside the messaging window by other means
 * (Zalo's pre-approved template messages, ZNS). Optional: without it, such notifications
 * are held until the citizen writes again.
 */
export interface HeldFallbackSender extends ChannelSender {
  sendHeldFallback?(userId: string, notificationKind: string): Promise<ChannelSendResult>;
}

/** Renders a notification's texts in `locale` (notification-renderer.ts). */
export type NotificationRenderer = (
  notification: Pick<NotificationItem, 'kind' | 'params'>,
  locale: Locale,
) => readonly OutgoingMessage[] | Promise<readonly OutgoingMessage[]>;

export interface CitizenNotificationHandlerOptions {
  /** One sender per channel the bot runs on; a notification for a channel without one is retried, then dead. */
  readonly senders: readonly HeldFallbackSender[];
  readonly render: NotificationRenderer;
  /** The citizen's current language (their conversation's); undefined when unknown. */
  readonly localeOf: (channel: string, userId: string) => Promise<Locale | undefined>;
  readonly defaultLocale?: Locale;
  /** After each finished attempt (metrics); `template` = sent by the out-of-window fallback. */
  readonly onOutcome?: (outcome: AttemptOutcome | 'sent_template', notification: NotificationItem) => void;
}

export function citizenNotificationHandler(options: CitizenNotificationHandlerOptions): OutboxHandler<NotificationItem> {
  const senders = new Map<string, HeldFallbackSender>(options.senders.map((s) => [s.channel, s]));
  return {
    laneOf: (n) => `${n.channel}:${n.userId}`,
    logFields: (n) => ({ code: n.complaintCode, channel: n.channel, kind: n.kind }),
    async send(n): Promise<SendResult> {
      const sender = senders.get(n.channel);
      if (!sender) return { ok: false, disposition: 'retry', error: `retry: no sender for channel '${n.channel}'` };
      try {
        const locale = (await options.localeOf(n.channel, n.userId)) ?? options.defaultLocale ?? 'vi';
        const result = await sender.send(n.userId, await options.render(n, locale));
        if (result.ok) return { ok: true };
        if (result.kind === 'outside_window' && sender.sendHeldFallback) {
          const fallback = await sender.sendHeldFallback(n.userId, n.kind);
          if (fallback.ok) return { ok: true, via: 'template' };
        }
        const disposition = result.kind === 'outside_window' ? 'hold' : result.kind;
        return {
          ok: false,
          disposition,
          error: `${result.kind}: ${result.error}`,
          ...(result.kind === 'retry' && result.retryAfterMs !== undefined ? { retryAfterMs: result.retryAfterMs } : {}),
        };
      } catch (err) {
        return { ok: false, disposition: 'retry', error: `retry: ${errorText(err)}` };
      }
    },
    afterAttempt(outcome, n, result) {
      options.onOutcome?.(outcome === 'sent' && result.ok && result.via === 'template' ? 'sent_template' : outcome, n);
    },
  };
}
