/**
 * The Zalo channel assembled as the composition root will assemble it, against the fake
 * Zalo server and the real test database: a real fastify server on 127.0.0.1:0 with the
 * webhook plugin, the real conversation engine on the real bot content, the Mongo token
 * store, menu store, conversation store and dedupe. Only the complaint service's
 * forgetCitizen and the notification outbox's releaseHeld are stand-ins (recorded calls).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { MongoZaloTokenStore } from '../../../src/channels/zalo/mongo-zalo-token-store';
import { ZaloChannelSender } from '../../../src/channels/zalo/zalo-channel-sender';
import { ZaloClient } from '../../../src/channels/zalo/zalo-client';
import { ZaloEventProcessor } from '../../../src/channels/zalo/zalo-event-processor';
import { MongoZaloMenuStore } from '../../../src/channels/zalo/zalo-menu-store';
import { ZaloTokenManager } from '../../../src/channels/zalo/zalo-token-manager';
import { ZaloParking } from '../../../src/channels/zalo/zalo-parking';
import { recoveredZaloTask, zaloWebhookRoutes } from '../../../src/channels/zalo/zalo-webhook';
import { createTestPipeline } from '../support/pipeline';
import type { PipelineLimits } from '../../../src/channels/pipeline/inbound-pipeline';
import { UserRateLimiter, type RateLimiterOptions } from '../../../src/channels/rate-limiter';
import { loadBotContent } from '../../../src/content/content-loader';
import type { BotContent } from '../../../src/core/bot-content';
import { ConversationEngine } from '../../../src/core/conversation-engine';
import type { ChannelName, IncomingMessage, Reply } from '../../../src/core/messages';
import type { Database } from '../../../src/storage/mongo/database';
import { MongoConversationStore } from '../../../src/storage/mongo/mongo-conversation-store';
import { FakeZaloServer } from '../../fakes/zalo-oa-server';
import { dropTestDatabase, openTestDatabase } from '../../support/database';

export const OA_SECRET = 'webhook-page-oa-secret';
const ROOT = join(__dirname, '..', '..', '..');

let contentPromise: Promise<BotContent> | undefined;

/** The real bot content (intents, locales), loaded and trained once per test file. */
export function realContent(): Promise<BotContent> {
  contentPromise ??= loadBotContent(
    {
      intentsDir: join(ROOT, 'intents'),
      localesDir: join(ROOT, 'locales'),
      abbreviationsFile: join(ROOT, 'config', 'abbreviations.yaml'),
      root: ROOT,
    },
    { textGlobals: { hotline: '0260 1022', botName: 'Trợ lý CCHC Kon Tum' } },
  ).then((result) => {
    if (!result.ok) throw new Error(`bot content invalid: ${result.errors.map((e) => e.message).join('; ')}`);
    return result.value;
  });
  return contentPromise;
}

export interface ZaloHarness {
  fake: FakeZaloServer;
  db: Database;
  app: FastifyInstance;
  webhookUrl: string;
  /** Settles when every event received so far was handled. */
  queue: { onIdle(): Promise<void> };
  /** Where events wait when the pipeline has no room. */
  parking: ZaloParking;
  sender: ZaloChannelSender;
  menus: MongoZaloMenuStore;
  conversations: MongoConversationStore;
  /** Every message the engine was asked to handle, in order. */
  handled: IncomingMessage[];
  forgotten: { channel: ChannelName; userId: string }[];
  released: string[];
  close(): Promise<void>;
}

export interface ZaloHarnessOptions {
  readonly rateLimit?: RateLimiterOptions;
  /** The pipeline's room (capacity, in flight per citizen): small to send events to the overflow lot. */
  readonly limits?: Partial<Pick<PipelineLimits, 'capacity' | 'maxInFlight'>>;
  /** Runs before the engine handles each message (a test holds turns with it). */
  readonly beforeHandle?: (message: IncomingMessage) => Promise<void>;
}

export async function startZaloHarness(options: ZaloHarnessOptions = {}): Promise<ZaloHarness> {
  const content = await realContent();
  const fake = new FakeZaloServer();
  await fake.start();
  const db = await openTestDatabase('zalo_channel');
  const conversations = new MongoConversationStore(db);
  const engine = new ConversationEngine({ content: { current: () => content }, store: conversations });
  const handled: IncomingMessage[] = [];
  const recordingEngine = {
    handle: async (message: IncomingMessage): Promise<Reply> => {
      await options.beforeHandle?.(message);
      handled.push(message);
      return engine.handle(message);
    },
  };
  const store = new MongoZaloTokenStore(db);
  const initial = fake.issueTokens();
  let client: ZaloClient | undefined;
  const tokens = new ZaloTokenManager({
    store,
    refresher: { refreshAccessToken: (t) => client!.refreshAccessToken(t) },
    initialTokens: initial,
  });
  client = new ZaloClient({ openApiBase: fake.url, oauthBase: fake.url, appId: fake.appId, appSecret: fake.appSecret, tokens });
  const menus = new MongoZaloMenuStore(db.connection);
  const sender = new ZaloChannelSender({ client, content: { current: () => content }, menus, conversations, retryDelayMs: 10 });
  const forgotten: { channel: ChannelName; userId: string }[] = [];
  const released: string[] = [];
  const rateLimiter = new UserRateLimiter(options.rateLimit);
  const processor = new ZaloEventProcessor({
    sender,
    menus,
    content: { current: () => content },
    conversations,
    complaints: {
      forgetCitizen: async (channel, userId) => {
        forgotten.push({ channel, userId });
        return 1;
      },
    },
    rateLimiter,
  });
  const inbound = createTestPipeline(db, recordingEngine, {
    limits: { citizenBurst: rateLimiter, ...options.limits },
    releaseHeld: {
      zalo: async (_channel, userId) => {
        released.push(userId);
      },
    },
  });
  const parking = new ZaloParking({
    connection: db.connection,
    pipeline: inbound,
    taskOf: (data) => recoveredZaloTask(data, processor),
    owner: 'zalo-harness',
    retryMs: 5,
  });
  await parking.start();
  const queue = {
    onIdle: async () => {
      await parking.idle();
      await inbound.idle();
    },
  };
  const app = Fastify();
  await app.register(zaloWebhookRoutes, { oaSecretKey: OA_SECRET, appId: fake.appId, processor, inbound, parking });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const webhookUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/zalo/webhook`;
  fake.configureWebhook(webhookUrl, { appId: fake.appId, oaSecretKey: OA_SECRET });
  return {
    fake,
    db,
    app,
    webhookUrl,
    queue,
    parking,
    sender,
    menus,
    conversations,
    handled,
    forgotten,
    released,
    close: async () => {
      await app.close();
      await parking.stop();
      await fake.close();
      await dropTestDatabase(db);
    },
  };
}

/** Distinct 19-digit Zalo-like user ids (beyond JS safe integers, as real ones are). */
export function zaloUserId(n: number): string {
  return `24684588352961${String(10000 + n).padStart(5, '0')}`;
}
