/**
 * The composition root: the one place that knows every part and wires them together.
 * Everything else receives its collaborators through constructors and ports.
 *
 * Start order: database → content and directory (validated; the service does not start
 * on invalid files) → complaint service → conversation engine → channels → HTTP server
 * → outbox workers → Telegram (after the server listens, for webhook mode).
 * Stop order is the reverse, so nothing in flight is cut: stop taking updates, finish
 * handlers, let the workers finish their claimed attempts, close the HTTP server, then
 * the database.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config';
import { enabledChannels } from './config';
import { contentRequirements } from './app-text-keys';
import { loadBotContent, type ContentPaths } from './content/content-loader';
import { HotReloader } from './content/hot-reloader';
import type { BotContent } from './core/bot-content';
import { ConversationEngine } from './core/conversation-engine';
import { DEFAULT_MATCHER_OPTIONS } from './nlu/intent-matcher';
import type { ChannelName } from './core/messages';
import { loadDirectory } from './complaints/directory/directory-loader';
import type { Directory } from './complaints/directory/directory';
import { loadHolidays } from './complaints/holiday-calendar';
import { MongoComplaintService, planPendingDeliveries, type PhotoFetcher } from './complaints/complaint-store';
import { ComplaintFlow } from './complaints/complaint-flow';
import { RatingFlow } from './complaints/rating-flow';
import { ComplaintStatusHandler } from './complaints/status-handler';
import { sectorLabelKey } from './complaints/complaint-format';
import { isNotificationKind, renderNotification } from './complaints/notification-texts';
import { DeadlineScanner } from './complaints/deadline-scanner';
import { DeliveryWorker } from './forwarding/delivery-worker';
import { createAgencyMessageBuilder } from './forwarding/agency-message-builder';
import { EmailTransport } from './forwarding/email-transport';
import { WebhookTransport } from './forwarding/webhook-transport';
import { NoopTransport } from './forwarding/noop-transport';
import type { Transport } from './forwarding/transport';
import { NotificationWorker, type HeldFallbackSender } from './notifications/notification-worker';
import { createHttpServer } from './http/server';
import { agencyApiRoutes } from './http/agency-api';
import type { Logger } from './infra/logger';
import { Metrics } from './infra/metrics';
import { PROJECT_ROOT } from './infra/project-root';
import { openDatabase, type Database } from './storage/mongo/database';
import { MongoConversationStore } from './storage/mongo/mongo-conversation-store';
import { UserRateLimiter } from './channels/rate-limiter';
import { webChatRoutes } from './channels/web/web-chat-routes';
import { WebChannelSender } from './channels/web/web-channel-sender';
import { mongoTakeHeld } from './channels/web/held-notifications';
import { createTelegramChannel, type TelegramChannel } from './channels/telegram/telegram-adapter';
import { telegramWebhookRoutes } from './channels/telegram/telegram-webhook-routes';
import { MongoTelegramStore, mongoPhotoLoader } from './channels/telegram/telegram-store';
import { ZaloClient } from './channels/zalo/zalo-client';
import { ZaloTokenManager } from './channels/zalo/zalo-token-manager';
import { MongoZaloTokenStore } from './channels/zalo/mongo-zalo-token-store';
import { MongoZaloMenuStore } from './channels/zalo/zalo-menu-store';
import { ZaloChannelSender } from './channels/zalo/zalo-channel-sender';
import { ZaloEventProcessor } from './channels/zalo/zalo-event-processor';
import { LaneQueue } from './channels/zalo/zalo-event-queue';
import { mongoMarkProcessed, zaloWebhookRoutes } from './channels/zalo/zalo-webhook';
import { ZaloPhotoFetcher } from './channels/zalo/zalo-photo-fetcher';

export interface App {
  readonly config: Config;
  readonly db: Database;
  readonly engine: ConversationEngine;
  readonly content: HotReloader<BotContent>;
  readonly directory: HotReloader<Directory>;
  readonly complaints: MongoComplaintService;
  readonly http: FastifyInstance;
  readonly metrics: Metrics;
  /** Address the HTTP server listens on, once started ("http://127.0.0.1:3000"). */
  url?: string;
  /** Starts the HTTP server, the workers and the messengers. */
  start(options?: { http?: boolean }): Promise<void>;
  /** Graceful stop; safe to call twice. */
  stop(): Promise<void>;
}

/** Resolves a path from the configuration against the project root. */
function projectPath(path: string): string {
  return resolve(PROJECT_ROOT, path);
}

export function contentPathsOf(config: Config): ContentPaths {
  return {
    root: PROJECT_ROOT,
    intentsDir: projectPath(config.INTENTS_DIR),
    localesDir: projectPath(config.LOCALES_DIR),
    abbreviationsFile: projectPath(config.ABBREVIATIONS_FILE),
    sectorsFile: projectPath(config.SECTORS_FILE),
  };
}

/** Builds every part; nothing listens or polls until {@link App.start}. */
export async function buildApp(config: Config, logger: Logger): Promise<App> {
  const owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const db = await openDatabase({
    uri: config.MONGODB_URI,
    dbName: config.MONGODB_DB,
    embeddedDataDir: projectPath(config.DATA_DIR),
    logger,
  });
  logger.info({ database: db.description }, 'database ready');
  const closers: (() => Promise<void>)[] = [() => db.close()];
  try {
    return await wire(config, logger, db, owner, closers);
  } catch (err) {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    throw err;
  }
}

async function wire(config: Config, logger: Logger, db: Database, owner: string, closers: (() => Promise<void>)[]): Promise<App> {
  const paths = contentPathsOf(config);
  const textGlobals = { ...(config.HOTLINE ? { hotline: config.HOTLINE } : {}), botName: config.BOT_NAME };
  const matcherOptions = config.NLU_THRESHOLD === undefined ? undefined : { ...DEFAULT_MATCHER_OPTIONS, threshold: config.NLU_THRESHOLD };
  const content = await HotReloader.create(
    () => loadBotContent(paths, { ...contentRequirements(), textGlobals, matcher: matcherOptions }),
    (c) => ({ what: 'content', contentVersion: c.version, intents: c.intents.size }),
    logger.child({ component: 'content' }),
  );
  closers.push(() => content.close());
  const directoryFile = projectPath(config.DIRECTORY_FILE);
  const directory = await HotReloader.create(
    () => loadDirectory(directoryFile, config.DIRECTORY_FILE),
    (d) => ({ what: 'directory', directory: d.name, agencies: d.agencies.length, localities: d.localities.length }),
    logger.child({ component: 'directory' }),
  );
  closers.push(() => directory.close());
  if (config.WATCH_CONTENT) {
    await content.watch([paths.intentsDir, paths.localesDir, paths.abbreviationsFile, ...(paths.sectorsFile ? [paths.sectorsFile] : [])]);
    await directory.watch([directoryFile]);
  }
  const holidays = await loadHolidays(projectPath(config.HOLIDAYS_FILE));
  if (!holidays.ok)
    throw new Error(`holiday file is invalid:\n${holidays.errors.map((e) => `${e.file}:${e.line ?? ''} ${e.message}`).join('\n')}`);

  const photoFetchers: Partial<Record<ChannelName, PhotoFetcher>> = { zalo: new ZaloPhotoFetcher() };
  const complaints = new MongoComplaintService({
    db,
    directory,
    holidays: holidays.value,
    photoFetchers,
    logger: logger.child({ component: 'complaints' }),
  });
  const conversations = new MongoConversationStore(db);
  const metrics = new Metrics({
    complaintsByStatus: () => countBy(db.models.Complaint, 'status'),
    outboxDepth: async () => ({
      deliveries: await countBy(db.models.Delivery, 'state'),
      notifications: await countBy(db.models.Notification, 'state'),
    }),
  });
  const engine = new ConversationEngine({
    content,
    store: conversations,
    flows: [
      new ComplaintFlow({ service: complaints, directory, dailyLimit: config.COMPLAINTS_PER_DAY, logger }),
      new RatingFlow({ service: complaints, logger }),
    ],
    intentHandlers: { complaint_status: new ComplaintStatusHandler({ service: complaints }) },
    logger: logger.child({ component: 'engine' }),
    observer: metrics,
    idleFlowMs: config.FLOW_IDLE_MINUTES * 60_000,
  });

  const http = createHttpServer({ logger, metrics, ready: () => db.ping(), metricsToken: config.METRICS_TOKEN });
  const rateLimiter = new UserRateLimiter({ burst: config.USER_MESSAGES_BURST, refillPerSecond: config.USER_MESSAGES_PER_MINUTE / 60 });
  const render = (n: { kind: string; params?: unknown }, locale: 'vi' | 'en') =>
    isNotificationKind(n.kind)
      ? renderNotification(n.kind, (n.params ?? {}) as Record<string, unknown>, locale, content.current().translator)
      : [];

  // Channels: the web chat always; Telegram and Zalo when configured.
  const senders: HeldFallbackSender[] = [new WebChannelSender()];
  const transports: Partial<Record<Transport['kind'], Transport>> = {};
  let telegram: TelegramChannel | undefined;
  if (config.TELEGRAM_BOT_TOKEN) {
    const store = await MongoTelegramStore.open(db);
    telegram = createTelegramChannel(
      {
        token: config.TELEGRAM_BOT_TOKEN,
        apiRoot: config.TELEGRAM_API_ROOT,
        mode: config.TELEGRAM_MODE,
        webhookSecret: config.TELEGRAM_WEBHOOK_SECRET,
        publicUrl: config.PUBLIC_URL,
      },
      {
        engine,
        content,
        complaints,
        directory: () => directory.current(),
        store,
        loadPhoto: mongoPhotoLoader(db),
        logger: logger.child({ component: 'telegram' }),
      },
    );
    photoFetchers.telegram = telegram.photoFetcher;
    senders.push(telegram.channelSender);
    transports.telegram = telegram.transport;
    if (config.TELEGRAM_MODE === 'webhook') await http.register(telegramWebhookRoutes, { bot: telegram.bot });
  }

  if (config.ZALO_APP_ID && config.ZALO_APP_SECRET && config.ZALO_OA_SECRET_KEY && config.ZALO_REFRESH_TOKEN) {
    const tokens = new ZaloTokenManager({
      store: new MongoZaloTokenStore(db, { owner }),
      refresher: { refreshAccessToken: (t) => client.refreshAccessToken(t) },
      initialTokens: { accessToken: config.ZALO_ACCESS_TOKEN ?? '', refreshToken: config.ZALO_REFRESH_TOKEN },
    });
    const client: ZaloClient = new ZaloClient({
      openApiBase: config.ZALO_OPENAPI_BASE,
      oauthBase: config.ZALO_OAUTH_BASE,
      appId: config.ZALO_APP_ID,
      appSecret: config.ZALO_APP_SECRET,
      tokens,
    });
    const menus = new MongoZaloMenuStore(db.connection);
    const zaloSender = new ZaloChannelSender({
      client,
      content,
      menus,
      conversations,
      templateId: config.ZALO_TEMPLATE_ID,
      logger: logger.child({ component: 'zalo' }),
    });
    senders.push(zaloSender);
    const processor = new ZaloEventProcessor({
      engine,
      sender: zaloSender,
      menus,
      content,
      conversations,
      complaints,
      releaseHeld: async (channel, userId) => {
        await notifications.releaseHeld(channel, userId);
      },
      rateLimiter,
      logger: logger.child({ component: 'zalo' }),
    });
    const queue = new LaneQueue({ onError: (err) => logger.error({ err }, 'zalo event failed') });
    await http.register(zaloWebhookRoutes, {
      oaSecretKey: config.ZALO_OA_SECRET_KEY,
      appId: config.ZALO_APP_ID,
      processor,
      markProcessed: mongoMarkProcessed(db.models),
      rateLimiter,
      queue,
      logger: logger.child({ component: 'zalo' }),
    });
  }

  // Built after every channel pushed its sender: the worker indexes `senders` once, when constructed.
  const notifications = new NotificationWorker({
    db,
    senders,
    render: (n, locale) => render(n, locale),
    owner,
    logger: logger.child({ component: 'notifications' }),
    pollIntervalMs: config.OUTBOX_POLL_MS,
    maxAttempts: config.OUTBOX_MAX_ATTEMPTS,
    onOutcome: (outcome, n) => {
      if (outcome === 'retry' || outcome === 'dead') metrics.outboxFailures.inc({ outbox: 'notifications', transport: n.channel });
      if (outcome === 'sent' || outcome === 'sent_template') metrics.messagesOut.inc({ channel: n.channel });
    },
  });

  await http.register(webChatRoutes, {
    engine,
    takeHeld: mongoTakeHeld({ models: db.models, claims: db.claims, render: (n, locale) => render(n, locale) }),
    content,
    rateLimiter,
    addressRateLimiter: new UserRateLimiter({ burst: 60, refillPerSecond: 5 }),
    botName: config.BOT_NAME,
    logger: logger.child({ component: 'web' }),
  });
  await http.register(agencyApiRoutes, { complaints, directory, db, logger: logger.child({ component: 'agency-api' }) });

  let email: EmailTransport | undefined;
  if (config.FORWARDING_MODE === 'noop') {
    transports.email = new NoopTransport('email');
    transports.webhook = new NoopTransport('webhook');
    transports.telegram = new NoopTransport('telegram');
  } else {
    transports.webhook = new WebhookTransport();
    if (config.SMTP_URL) transports.email = email = new EmailTransport({ smtp: config.SMTP_URL, from: config.MAIL_FROM });
  }
  const deliveries = new DeliveryWorker({
    db,
    directory,
    transports,
    buildMessage: createAgencyMessageBuilder({
      db,
      directory,
      apiBaseUrl: config.PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`,
      sectorLabel: (sector) => content.current().translator.t('vi', sectorLabelKey(sector)),
    }),
    owner,
    logger: logger.child({ component: 'deliveries' }),
    pollIntervalMs: config.OUTBOX_POLL_MS,
    maxAttempts: config.OUTBOX_MAX_ATTEMPTS,
    planPending: () => planPendingDeliveries(db, directory.current(), { logger }),
    onOutcome: (outcome, d) => {
      if (outcome !== 'sent') metrics.outboxFailures.inc({ outbox: 'deliveries', transport: d.transport });
      else if (d.event === 'complaint.forwarded') {
        complaints
          .markForwarded(d.complaintCode, d.agencyId)
          .catch((err) => logger.error({ err, code: d.complaintCode }, 'could not mark complaint forwarded'));
      }
    },
  });
  const deadlines = new DeadlineScanner({
    db,
    directory,
    holidays: holidays.value,
    owner,
    logger: logger.child({ component: 'deadlines' }),
    onPlanned: () => deliveries.poke(),
  });

  let started = false;
  let stopping: Promise<void> | undefined;
  const app: App = {
    config,
    db,
    engine,
    content,
    directory,
    complaints,
    http,
    metrics,
    async start(options = {}) {
      if (options.http !== false) {
        app.url = await http.listen({ host: config.HOST, port: config.PORT });
      } else {
        await http.ready();
      }
      deliveries.start();
      notifications.start();
      deadlines.start();
      await telegram?.bot.start();
      started = true;
      logger.info(
        { url: app.url, channels: enabledChannels(config), forwarding: config.FORWARDING_MODE, transports: Object.keys(transports) },
        'service started',
      );
    },
    stop() {
      stopping ??= (async () => {
        logger.info('stopping: no new updates, finishing what is in flight');
        if (started) await telegram?.bot.stop(5000).catch((err) => logger.error({ err }, 'telegram stop failed'));
        await http.close().catch((err) => logger.error({ err }, 'http close failed'));
        await Promise.all([deliveries.stop(), notifications.stop(), deadlines.stop()]);
        email?.close();
        for (const close of closers.reverse()) await close().catch((err) => logger.error({ err }, 'close failed'));
        logger.info('stopped');
      })();
      return stopping;
    },
  };
  return app;
}

/** Counts documents per value of one field (for the metrics gauges). */
async function countBy(
  model: { distinct(field: string): PromiseLike<unknown[]>; countDocuments(filter: object): PromiseLike<number> },
  field: string,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const value of await model.distinct(field)) counts[String(value)] = await model.countDocuments({ [field]: value });
  return counts;
}
