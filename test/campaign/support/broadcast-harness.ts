/**
 * The broadcast dispatcher wired as the service wires it — the real Telegram and Zalo
 * channel senders (send queue, Zalo client) pointed at the fake servers, the Mongo
 * campaign store — for the 10,000-subscriber test, the crash test's child process and
 * the benchmark.
 */
import { BroadcastDispatcher } from '../../../src/campaign/broadcast-dispatcher';
import { createBroadcastRenderer } from '../../../src/campaign/broadcast-renderer';
import { ChannelPacer } from '../../../src/campaign/channel-pacer';
import type { BotContent } from '../../../src/core/bot-content';
import type { ChannelName } from '../../../src/core/messages';
import { TelegramChannel } from '../../../src/channels/telegram/telegram-adapter';
import { MongoTelegramStore, mongoPhotoLoader } from '../../../src/channels/telegram/telegram-store';
import { ZaloChannel } from '../../../src/channels/zalo/zalo-channel';
import { keyedHash } from '../../../src/infra/pseudonyms';
import { silentLogger } from '../../../src/infra/logger';
import type { Database } from '../../../src/storage/mongo/database';
import { MongoCampaignStore } from '../../../src/storage/mongo/mongo-campaign-store';
import { MongoConversationStore } from '../../../src/storage/mongo/mongo-conversation-store';
import type { Directory } from '../../../src/complaints/directory/directory';

export interface HarnessOptions {
  readonly owner: string;
  readonly telegram: {
    readonly apiRoot: string;
    readonly token: string;
    readonly globalPerSecond: number;
    readonly newsPerSecond: number;
    /** The send queue's retries of a 5xx before it reports "not sent, try later" (its default when absent). */
    readonly maxRetries?: number;
    readonly baseBackoffMs?: number;
  };
  readonly zalo: {
    readonly base: string;
    readonly appId: string;
    readonly appSecret: string;
    readonly accessToken: string;
    readonly refreshToken: string;
    readonly perSecond: number;
  };
  readonly leaseMs?: number;
  readonly pollIntervalMs?: number;
  /** Sends under way at once (the dispatcher's default when absent). */
  readonly concurrency?: number;
}

const TEXTS = (_locale: string, key: string, vars: Record<string, string>): string =>
  key === 'news.message' ? `${vars.title}\n${vars.summary}\n${vars.link}` : `${key} ${JSON.stringify(vars)}`;

export async function createHarnessDispatcher(
  db: Database,
  options: HarnessOptions,
): Promise<{ dispatcher: BroadcastDispatcher; stop(): Promise<void> }> {
  const logger = silentLogger();
  // The senders below never render menus, so they never read the bot's content.
  const content = { current: () => undefined as unknown as BotContent };
  const conversations = new MongoConversationStore(db);
  const telegram = new TelegramChannel(
    {
      token: options.telegram.token,
      apiRoot: options.telegram.apiRoot,
      mode: 'polling',
      sendQueue: {
        globalPerSecond: options.telegram.globalPerSecond,
        ...(options.telegram.maxRetries !== undefined ? { maxRetries: options.telegram.maxRetries } : {}),
        ...(options.telegram.baseBackoffMs !== undefined ? { baseBackoffMs: options.telegram.baseBackoffMs } : {}),
      },
    },
    {
      content,
      directory: () => undefined as unknown as Directory,
      store: await MongoTelegramStore.open(db),
      loadPhoto: mongoPhotoLoader(db),
      pseudonymize: keyedHash(Buffer.from('harness')),
      logger,
    },
  );
  const zalo = new ZaloChannel(
    {
      appId: options.zalo.appId,
      appSecret: options.zalo.appSecret,
      oaSecretKey: 'harness-oa-secret',
      accessToken: options.zalo.accessToken,
      refreshToken: options.zalo.refreshToken,
      openApiBase: options.zalo.base,
      oauthBase: options.zalo.base,
    },
    { db, owner: options.owner, content, conversations, logger },
  );
  const store = new MongoCampaignStore(db);
  const perSecond: Partial<Record<ChannelName, number>> = { telegram: options.telegram.newsPerSecond, zalo: options.zalo.perSecond };
  const pacer = new ChannelPacer({ perSecond });
  const dispatcher = new BroadcastDispatcher({
    store,
    senders: [telegram.sender, zalo.sender],
    render: createBroadcastRenderer({ news: store, surveys: store, surveyDefinitions: () => new Map(), t: TEXTS }),
    lastInteraction: async (channel, userId) => {
      const seen = (await conversations.get(`${channel}:${userId}`))?.lastSeenAt;
      return seen ? new Date(seen) : undefined;
    },
    pacer,
    leases: db.leases,
    owner: options.owner,
    logger,
    leaseMs: options.leaseMs ?? 60_000,
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    pollIntervalMs: options.pollIntervalMs ?? 200,
  });
  return {
    dispatcher,
    async stop() {
      await dispatcher.stop();
      await pacer.stop();
      await telegram.queue.stop(1000);
    },
  };
}
