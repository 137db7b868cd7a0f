/**
 * The web chat's side of the notification outbox. A web page cannot be pushed to, so
 * every notification is "outside the window": the outbox holds it, and the page collects
 * it when it next polls `GET /api/chat/updates` (see web-chat-routes.ts). Answering this
 * instead of failing keeps the outbox's logic the same for every channel.
 */
import type { ChannelSender, ChannelSendResult } from '../channel-sender';
import type { OutgoingMessage } from '../../core/messages';

export class WebChannelSender implements ChannelSender {
  readonly channel = 'web' as const;

  async send(_userId: string, _messages: readonly OutgoingMessage[]): Promise<ChannelSendResult> {
    return { ok: false, kind: 'outside_window', error: 'web chat: delivered when the page polls for updates' };
  }
}
