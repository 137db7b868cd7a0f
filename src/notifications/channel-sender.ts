/**
 * How the notification outbox reaches a citizen on their own channel. Each channel
 * adapter (Telegram, Zalo, web) implements it; results are values, not exceptions, so
 * the outbox decides what to do: retry later, hold until the citizen writes again
 * (Zalo's 7-day window; the web page that is closed), or give up.
 */
import type { ChannelName, OutgoingMessage } from '../core/messages';

export type ChannelSendResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** retry: temporary failure; outside_window: keep until the citizen writes; permanent: give up. */
      readonly kind: 'retry' | 'outside_window' | 'permanent';
      readonly error: string;
      readonly retryAfterMs?: number;
    };

export interface ChannelSender {
  readonly channel: ChannelName;
  send(userId: string, messages: readonly OutgoingMessage[]): Promise<ChannelSendResult>;
}
