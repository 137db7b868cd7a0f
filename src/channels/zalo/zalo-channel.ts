/**
 * The Zalo OA channel as the composition root sees it (see channel.ts): the client with its
 * rotating token pair, the sender the outbox uses (numbered menus, 2,000-character
 * splitting, the 7-day window), the photo fetcher, and the webhook whose events go
 * through the inbound pipeline.
 */
import type { Channel, ChannelContext } from '../channel';
import type { ContentSource } from '../../core/bot-content';
import type { ConversationStore } from '../../core/conversation-store';
import type { Logger } from '../../infra/logger';
import type { Database } from '../../storage/mongo/database';
import { MongoZaloTokenStore } from './mongo-zalo-token-store';
import { ZaloChannelSender } from './zalo-channel-sender';
import { ZaloClient } from './zalo-client';
import { ZaloEventProcessor } from './zalo-event-processor';
import { MongoZaloMenuStore } from './zalo-menu-store';
import { ZaloPhotoFetcher } from './zalo-photo-fetcher';
import { ZaloTokenManager } from './zalo-token-manager';
import { ZaloParking } from './zalo-parking';
import { recoveredZaloTask, zaloWebhookRoutes } from './zalo-webhook';

export interface ZaloChannelConfig {
  readonly appId: string;
  readonly appSecret: string;
  readonly oaSecretKey: string;
  readonly accessToken?: string;
  readonly refreshToken: string;
  readonly openApiBase: string;
  readonly oauthBase: string;
  readonly templateId?: string;
}

export interface ZaloChannelDeps {
  readonly db: Database;
  /** This process's id in token-refresh leases. */
  readonly owner: string;
  readonly content: ContentSource;
  readonly conversations: ConversationStore;
  readonly onRejected?: (reason: string) => void;
  readonly logger: Logger;
}

export class ZaloChannel implements Channel {
  readonly name = 'zalo' as const;
  readonly sender: ZaloChannelSender;
  readonly photoFetcher = new ZaloPhotoFetcher();
  private readonly menus: MongoZaloMenuStore;
  private parking?: ZaloParking;

  constructor(
    private readonly config: ZaloChannelConfig,
    private readonly deps: ZaloChannelDeps,
  ) {
    const tokens = new ZaloTokenManager({
      store: new MongoZaloTokenStore(deps.db, { owner: deps.owner }),
      refresher: { refreshAccessToken: (token) => client.refreshAccessToken(token) },
      initialTokens: { accessToken: config.accessToken ?? '', refreshToken: config.refreshToken },
    });
    const client: ZaloClient = new ZaloClient({
      openApiBase: config.openApiBase,
      oauthBase: config.oauthBase,
      appId: config.appId,
      appSecret: config.appSecret,
      tokens,
    });
    this.menus = new MongoZaloMenuStore(deps.db.connection);
    this.sender = new ZaloChannelSender({
      client,
      content: deps.content,
      menus: this.menus,
      conversations: deps.conversations,
      templateId: config.templateId,
      logger: deps.logger,
    });
  }

  async attach({ inbound, http, complaints }: ChannelContext): Promise<void> {
    const processor = new ZaloEventProcessor({
      sender: this.sender,
      menus: this.menus,
      content: this.deps.content,
      conversations: this.deps.conversations,
      complaints,
      logger: this.deps.logger,
    });
    // An event stored before its 200 and left unhandled by a crash comes back here (durable-inbox.ts).
    inbound.onRecover('zalo', (data) => recoveredZaloTask(data, processor));
    // Events the pipeline has no room for wait in the database, answered 200 (zalo-parking.ts).
    const parking = new ZaloParking({
      connection: this.deps.db.connection,
      pipeline: inbound,
      taskOf: (data) => recoveredZaloTask(data, processor),
      owner: this.deps.owner,
      logger: this.deps.logger,
    });
    this.parking = parking;
    await http.register(zaloWebhookRoutes, {
      oaSecretKey: this.config.oaSecretKey,
      appId: this.config.appId,
      processor,
      inbound,
      parking,
      logger: this.deps.logger,
      ...(this.deps.onRejected ? { onRejected: this.deps.onRejected } : {}),
    });
  }

  /** Takes over the waiting events of a process that died, then hands on what waits. */
  async start(): Promise<void> {
    await this.parking?.start();
  }

  /** What still waits stays stored: the next start takes it over. */
  async stop(): Promise<void> {
    await this.parking?.stop();
  }
}
