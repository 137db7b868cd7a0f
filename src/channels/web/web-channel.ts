/**
 * The web chat as the composition root sees it (see channel.ts): the page and its API
 * (web-chat-routes.ts), and a sender that holds every notification until the page polls.
 */
import type { Channel, ChannelContext } from '../channel';
import { WebChannelSender } from './web-channel-sender';
import { webChatRoutes, type WebChatDeps } from './web-chat-routes';

export class WebChannel implements Channel {
  readonly name = 'web' as const;
  readonly sender = new WebChannelSender();

  constructor(private readonly deps: Omit<WebChatDeps, 'inbound'>) {}

  async attach({ inbound, http }: ChannelContext): Promise<void> {
    await http.register(webChatRoutes, { ...this.deps, inbound });
  }
}
