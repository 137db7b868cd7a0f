/**
 * The composition root: the one place that knows every part and wires them together.
 * Everything else receives its collaborators through constructors and ports.
 *
 * Build order, each part after what it needs: database → content and directory
 * (validated; the service does not start on invalid files) → channels' outbound parts
 * (senders, transports, photo fetchers) → complaint service → conversation engine →
 * outbox workers → inbound pipeline → each channel attached to it (routes). Start: HTTP
 * server → workers → channels (polling, setWebhook). Stop is the reverse, so nothing in
 * flight is cut: stop taking updates, finish handlers, let the workers finish their
 * claimed attempts, close the HTTP server, then the database.
 */
import { hostname } from 'node:os';
import { createHmac, randomBytes } from 'node:crypto';
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
import { CalendarWarnings } from './complaints/calendar-warnings';
import type { ComplaintObserver } from './complaints/use-cases/ports';
import { ComplaintUseCases } from './complaints/use-cases/complaint-use-cases';
import type { PhotoFetcher } from './complaints/complaint-photos';
import { ComplaintFlow } from './complaints/complaint-flow';
import { RatingFlow } from './complaints/rating-flow';
import { ComplaintStatusHandler } from './complaints/status-handler';
import { isNotificationKind, renderNotification } from './complaints/notification-texts';
import { EmailTransport } from './forwarding/email-transport';
import { WebhookTransport } from './forwarding/webhook-transport';
import { NoopTransport } from './forwarding/noop-transport';
import type { Transport } from './forwarding/transport';
import type { HeldFallbackSender } from './notifications/citizen-notification-handler';
import { buildBackground } from './app-background';
import { mongoComplaintPorts } from './storage/mongo/mongo-complaint-ports';
import { MongoPhotoStore } from './storage/mongo/mongo-photo-store';
import { deliveryOutbox } from './storage/mongo/mongo-outbox';
import { createHttpServer, createMetricsServer } from './http/server';
import { agencyApiRoutes } from './http/agency-api';
import { consoleRoutes } from './console/console-plugin';
import { CAMPAIGN_NAV, registerCampaignRoutes } from './console/campaign-routes';
import { campaignReportSections } from './campaign/campaign-report-sections';
import { COMPLAINT_AND_QUESTION_REPORTS } from './reports/report-sections';
import { reportLabels } from './reports/report-labels';
import { MongoAccountStore, MongoAuditLog, MongoSessionStore } from './storage/mongo/mongo-console-store';
import { MongoQuestionLog } from './storage/mongo/mongo-question-log';
import { MongoReportSource } from './storage/mongo/mongo-report-source';
import type { Logger } from './infra/logger';
import { Metrics } from './observability/metrics';
import { PROJECT_ROOT } from './infra/project-root';
import { keyedHash } from './infra/pseudonyms';
import { openDatabase, type Database } from './storage/mongo/database';
import { MongoConversationStore } from './storage/mongo/mongo-conversation-store';
import type { Channel } from './channels/channel';
import { UserRateLimiter } from './channels/rate-limiter';
import { CitizenSequencer } from './channels/pipeline/citizen-sequencer';
import { InboundPipeline } from './channels/pipeline/inbound-pipeline';
import { DurableInbox } from './channels/pipeline/durable-inbox';
import { loadPseudonymKey } from './channels/pipeline/pseudonym-key';
import { SharedWindowLimits } from './channels/pipeline/shared-limits';
import { MongoSlotStore } from './channels/pipeline/slot-store';
import { WebChannel } from './channels/web/web-channel';
import { WebChallenge } from './channels/web/web-challenge';
import { mongoTakeHeld } from './channels/web/held-notifications';
import { TelegramChannel } from './channels/telegram/telegram-adapter';
import { MongoTelegramStore, mongoPhotoLoader } from './channels/telegram/telegram-store';
import { ZaloChannel } from './channels/zalo/zalo-channel';
import { BroadcastDispatcher } from './campaign/broadcast-dispatcher';
import { createBroadcastRenderer } from './campaign/broadcast-renderer';
import { CampaignUseCases } from './campaign/campaign-use-cases';
import { ChannelPacer } from './campaign/channel-pacer';
import { loadNewsTopics } from './campaign/news-topics';
import { loadSurveys } from './campaign/survey';
import { SubscriptionFlow, LatestNewsHandler, UnsubscribeHandler, SUBSCRIPTION_FLOW } from './campaign/subscription-flow';
import { SurveyFlow } from './campaign/survey-flow';
import { MongoCampaignStore } from './storage/mongo/mongo-campaign-store';

export interface App {
  readonly config: Config;
  readonly db: Database;
  readonly engine: ConversationEngine;
  /** The one inbound chain every channel's messages go through. */
  readonly inbound: InboundPipeline;
  readonly content: HotReloader<BotContent>;
  readonly directory: HotReloader<Directory>;
  readonly complaints: ComplaintUseCases;
  /** Subscriptions, news, survey campaigns and their reports: what the console calls (docs/campaign.md). */
  readonly campaign: CampaignUseCases;
  readonly http: FastifyInstance;
  readonly metrics: Metrics;
  /** Address the HTTP server listens on, once started ("http://127.0.0.1:3000"). */
  url?: string;
  /** Where /metrics is served when METRICS_PORT is set. */
  metricsUrl?: string;
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
    proceduresDir: projectPath(config.PROCEDURES_DIR),
  };
}

export interface BuildOptions {
  /**
   * Use the embedded database another process already runs on DATA_DIR (`npm run chat`
   * beside `npm start`) instead of stopping with a message.
   */
  readonly shareEmbeddedDatabase?: boolean;
}

/** Builds every part; nothing listens or polls until {@link App.start}. */
export async function buildApp(config: Config, logger: Logger, options: BuildOptions = {}): Promise<App> {
  const owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const db = await openDatabase({
    uri: config.MONGODB_URI,
    dbName: config.MONGODB_DB,
    embeddedDataDir: projectPath(config.DATA_DIR),
    embeddedPort: config.EMBEDDED_DB_PORT,
    embeddedShare: options.shareEmbeddedDatabase ? 'attach' : 'refuse',
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
    // Cooperative: a reload trains between messages, so answers keep their latency meanwhile.
    () => loadBotContent(paths, { ...contentRequirements(), textGlobals, matcher: matcherOptions, cooperative: true }),
    (c) => ({ what: 'content', contentVersion: c.version, intents: c.intents.size, procedures: c.catalog?.procedures.size ?? 0 }),
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
    await content.watch([
      paths.intentsDir,
      paths.localesDir,
      paths.abbreviationsFile,
      ...(paths.sectorsFile ? [paths.sectorsFile] : []),
      ...(paths.proceduresDir ? [paths.proceduresDir] : []),
    ]);
    await directory.watch([directoryFile]);
  }
  // Topics and surveys reload like the other content: a broken edit is logged and the last good version stays.
  const topics = await HotReloader.create(
    () => loadNewsTopics(projectPath(config.NEWS_TOPICS_FILE), config.NEWS_TOPICS_FILE),
    (t) => ({ what: 'news topics', topics: t.length }),
    logger.child({ component: 'news-topics' }),
  );
  closers.push(() => topics.close());
  const surveys = await HotReloader.create(
    () => loadSurveys(projectPath(config.SURVEYS_DIR), config.SURVEYS_DIR),
    (m) => ({ what: 'surveys', surveys: m.size }),
    logger.child({ component: 'surveys' }),
  );
  closers.push(() => surveys.close());
  if (config.WATCH_CONTENT) {
    await topics.watch([projectPath(config.NEWS_TOPICS_FILE)]);
    await surveys.watch([projectPath(config.SURVEYS_DIR)]);
  }
  const holidays = await loadHolidays(projectPath(config.HOLIDAYS_FILE));
  if (!holidays.ok)
    throw new Error(`holiday file is invalid:\n${holidays.errors.map((e) => `${e.file}:${e.line ?? ''} ${e.message}`).join('\n')}`);

  const metrics = new Metrics();
  const calendarWarnings = new CalendarWarnings(holidays.value);
  for (const warning of calendarWarnings.warnings()) logger.warn(warning);
  const pseudonymKey = await loadPseudonymKey(db.models);
  const pseudonymize = keyedHash(pseudonymKey);
  const slots = new MongoSlotStore(db.connection);
  const shared = new SharedWindowLimits(slots);
  const conversations = new MongoConversationStore(db);
  if (db.embedded) metrics.observeEmbeddedDatabase(db.embedded);
  const http = createHttpServer({
    logger,
    metrics,
    ready: () => db.ping(),
    readyWarnings: () => calendarWarnings.warnings(),
    liveProblem: () => (db.embedded && !db.embedded.isUp() ? 'embedded database down; restarting it' : undefined),
    metricsToken: config.METRICS_TOKEN,
    trustedProxies: config.TRUSTED_PROXIES,
  });
  const render = (n: { kind: string; params?: unknown }, locale: 'vi' | 'en') =>
    isNotificationKind(n.kind)
      ? renderNotification(n.kind, (n.params ?? {}) as Record<string, unknown>, locale, content.current().translator)
      : [];
  const rejected = (endpoint: string) => (reason: string) => metrics.rejectedRequests.inc({ endpoint, reason });

  // Channels: their outbound parts first (senders, transports, photo fetchers); they receive once attached below.
  const channels: Channel[] = [
    new WebChannel({
      takeHeld: mongoTakeHeld({ models: db.models, claims: db.claims, render }),
      content,
      shared,
      limits: {
        perAddressPerDay: config.WEB_MESSAGES_PER_ADDRESS_PER_DAY,
        challengeAfter: config.WEB_CHALLENGE_AFTER,
        updatesPerMinute: config.WEB_UPDATES_PER_MINUTE,
      },
      challenge: new WebChallenge({ secret: pseudonymKey }),
      pseudonymize,
      onRejected: (endpoint, reason) => metrics.rejectedRequests.inc({ endpoint, reason }),
      botName: config.BOT_NAME,
      logger: logger.child({ component: 'web' }),
    }),
  ];
  if (config.TELEGRAM_BOT_TOKEN) {
    channels.push(
      new TelegramChannel(
        {
          token: config.TELEGRAM_BOT_TOKEN,
          apiRoot: config.TELEGRAM_API_ROOT,
          mode: config.TELEGRAM_MODE,
          webhookSecret: config.TELEGRAM_WEBHOOK_SECRET,
          publicUrl: config.PUBLIC_URL,
          sendQueue: { globalPerSecond: config.TELEGRAM_GLOBAL_PER_SECOND },
        },
        {
          content,
          directory: () => directory.current(),
          store: await MongoTelegramStore.open(db),
          loadPhoto: mongoPhotoLoader(db),
          pseudonymize,
          onRejected: rejected('telegram_webhook'),
          logger: logger.child({ component: 'telegram' }),
        },
      ),
    );
  }
  if (config.ZALO_APP_ID && config.ZALO_APP_SECRET && config.ZALO_OA_SECRET_KEY && config.ZALO_REFRESH_TOKEN) {
    channels.push(
      new ZaloChannel(
        {
          appId: config.ZALO_APP_ID,
          appSecret: config.ZALO_APP_SECRET,
          oaSecretKey: config.ZALO_OA_SECRET_KEY,
          accessToken: config.ZALO_ACCESS_TOKEN,
          refreshToken: config.ZALO_REFRESH_TOKEN,
          openApiBase: config.ZALO_OPENAPI_BASE,
          oauthBase: config.ZALO_OAUTH_BASE,
          templateId: config.ZALO_TEMPLATE_ID,
        },
        { db, owner, content, conversations, onRejected: rejected('zalo_webhook'), logger: logger.child({ component: 'zalo' }) },
      ),
    );
  }

  const photoFetchers: Partial<Record<ChannelName, PhotoFetcher>> = {};
  for (const channel of channels) if (channel.photoFetcher) photoFetchers[channel.name] = channel.photoFetcher;
  const campaignStore = new MongoCampaignStore(db);
  const respondentKey = (channel: ChannelName, userId: string) => pseudonymize(`respondent:${channel}:${userId}`);
  let dispatcher: BroadcastDispatcher | undefined;
  const campaign = new CampaignUseCases({
    subscriptions: campaignStore,
    news: campaignStore,
    broadcasts: campaignStore,
    surveys: campaignStore,
    topics: () => topics.current(),
    directory,
    surveyDefinitions: () => surveys.current(),
    respondentKey,
    onBroadcast: () => dispatcher?.poke(),
  });
  const complaints = new ComplaintUseCases({
    ...mongoComplaintPorts(db, owner),
    otherCitizenData: [
      { forgetCitizen: (channel, userId) => campaignStore.forgetCitizen(channel, userId, respondentKey(channel, userId)) },
    ],
    directory,
    holidays: holidays.value,
    clock: () => new Date(),
    photoFetchers,
    dailyLimit: config.COMPLAINTS_PER_DAY,
    observer: complaintMetrics(metrics, calendarWarnings),
    logger: logger.child({ component: 'complaints' }),
  });
  // Group-committed; written out before the database closes (closers run in reverse).
  const questionLog = new MongoQuestionLog(db, {
    logger: logger.child({ component: 'question_log' }),
    onLost: (records) => metrics.questionLogLost.inc(records),
  });
  closers.push(() => questionLog.flush());
  const engine = new ConversationEngine({
    content,
    store: conversations,
    flows: [
      new ComplaintFlow({ service: complaints, directory, dailyLimit: config.COMPLAINTS_PER_DAY, logger }),
      new RatingFlow({ service: complaints, logger }),
      new SubscriptionFlow({ campaign, topics: () => topics.current(), directory }),
      new SurveyFlow({ campaign, definitions: () => surveys.current() }),
    ],
    intentHandlers: {
      complaint_status: new ComplaintStatusHandler({ service: complaints }),
      news_unsubscribe: new UnsubscribeHandler(campaign),
      news_latest: new LatestNewsHandler(campaign),
    },
    intentFlows: { news_subscribe: SUBSCRIPTION_FLOW },
    logger: logger.child({ component: 'engine' }),
    observer: metrics,
    idleFlowMs: config.FLOW_IDLE_MINUTES * 60_000,
    questionLog,
  });

  const transports: Partial<Record<Transport['kind'], Transport>> = {};
  for (const channel of channels) if (channel.transport) transports[channel.transport.kind] = channel.transport;
  let email: EmailTransport | undefined;
  if (config.FORWARDING_MODE === 'noop') {
    transports.email = new NoopTransport('email');
    transports.webhook = new NoopTransport('webhook');
    transports.telegram = new NoopTransport('telegram');
  } else {
    transports.webhook = new WebhookTransport();
    if (config.SMTP_URL) transports.email = email = new EmailTransport({ smtp: config.SMTP_URL, from: config.MAIL_FROM });
  }
  // The outbox workers and scheduled jobs, after the channels whose senders and transports they use.
  const background = buildBackground({
    db,
    owner,
    logger,
    metrics,
    complaints,
    directory,
    texts: () => content.current().translator,
    transports,
    senders: channels.flatMap((c): HeldFallbackSender[] => (c.sender ? [c.sender] : [])),
    render,
    apiBaseUrl: config.PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`,
    pollIntervalMs: config.OUTBOX_POLL_MS,
    maxAttempts: config.OUTBOX_MAX_ATTEMPTS,
    questionLogRetentionDays: config.QUESTION_LOG_RETENTION_DAYS,
    retention: config,
  });

  // News and survey invitations: one sender process at a time (a lease), paced per channel.
  const pacer = new ChannelPacer({
    perSecond: { telegram: config.NEWS_TELEGRAM_PER_SECOND, zalo: config.NEWS_ZALO_PER_MINUTE / 60 },
  });
  dispatcher = new BroadcastDispatcher({
    store: campaignStore,
    senders: channels.flatMap((c) => (c.sender ? [c.sender] : [])),
    render: createBroadcastRenderer({
      news: campaignStore,
      surveys: campaignStore,
      surveyDefinitions: () => surveys.current(),
      t: (locale, key, vars) => content.current().translator.t(locale, key, vars),
    }),
    lastInteraction: async (channel, userId) => {
      const seen = (await conversations.get(`${channel}:${userId}`))?.lastSeenAt;
      return seen ? new Date(seen) : undefined;
    },
    pacer,
    leases: db.leases,
    owner,
    logger: logger.child({ component: 'broadcasts' }),
    zaloWindowMs: config.NEWS_ZALO_WINDOW_HOURS * 3600_000,
    pollIntervalMs: Math.max(config.OUTBOX_POLL_MS, 1000),
  });
  const broadcasts = dispatcher;

  const inbound = new InboundPipeline({
    engine,
    shared,
    sequencer: new CitizenSequencer({ store: slots, owner, logger: logger.child({ component: 'sequencer' }) }),
    limits: {
      citizenBurst: new UserRateLimiter({ burst: config.USER_MESSAGES_BURST, refillPerSecond: config.USER_MESSAGES_PER_MINUTE / 60 }),
      addressBurst: new UserRateLimiter({ burst: config.ADDRESS_MESSAGES_BURST, refillPerSecond: config.ADDRESS_MESSAGES_PER_MINUTE / 60 }),
      perMinute: { name: 'msg', limit: config.USER_MESSAGES_PER_MINUTE, windowMs: 60_000 },
      perAddressMinute: { name: 'addr-msg', limit: config.ADDRESS_MESSAGES_PER_MINUTE, windowMs: 60_000 },
      maxInFlight: MAX_IN_FLIGHT_PER_REQUESTER,
      capacity: PIPELINE_CAPACITY,
    },
    releaseHeld: { zalo: (channel, userId) => background.releaseHeld(channel, userId) },
    admissionsSettled: () => slots.insertsSettled(),
    onRefused: (channel, reason) => metrics.rejectedRequests.inc({ endpoint: `${channel}_message`, reason }),
    logger: logger.child({ component: 'inbound' }),
  });
  for (const channel of channels) await channel.attach({ inbound, http, complaints });
  // Updates answered 200 by a process that died before handling them (durable-inbox.ts).
  const inbox = new DurableInbox({ store: slots, pipeline: inbound, owner, logger: logger.child({ component: 'inbox' }) });
  await http.register(agencyApiRoutes, {
    complaints,
    directory,
    photos: new MongoPhotoStore(db),
    deliveries: deliveryOutbox(db),
    logger: logger.child({ component: 'agency-api' }),
  });
  await http.register(consoleRoutes, {
    accounts: new MongoAccountStore(db),
    audit: new MongoAuditLog(db),
    sessionStore: new MongoSessionStore(db, CONSOLE_SESSION_MS),
    sessionSecret: createHmac('sha256', pseudonymKey).update('console-session').digest('base64url'),
    secureCookie: config.CONSOLE_SECURE_COOKIE === 'auto' ? 'auto' : config.CONSOLE_SECURE_COOKIE === 'true',
    limits: shared,
    complaints,
    photos: new MongoPhotoStore(db),
    directory,
    deliveries: deliveryOutbox(db),
    reports: {
      source: new MongoReportSource(db),
      sections: [...COMPLAINT_AND_QUESTION_REPORTS, ...campaignReportSections(campaign)],
      labels: () => reportLabels(directory.current(), content.current()),
    },
    extraNav: CAMPAIGN_NAV,
    extraRoutes: [(scope, tools) => registerCampaignRoutes(scope, tools, campaign)],
    pseudonymize,
    logger: logger.child({ component: 'console' }),
  });
  const metricsHttp = config.METRICS_PORT === undefined ? undefined : createMetricsServer(metrics, logger);

  let started = false;
  let stopping: Promise<void> | undefined;
  const app: App = {
    config,
    db,
    engine,
    inbound,
    content,
    directory,
    complaints,
    campaign,
    http,
    metrics,
    async start(options = {}) {
      if (options.http !== false) {
        app.url = await http.listen({ host: config.HOST, port: config.PORT });
        if (metricsHttp) app.metricsUrl = await metricsHttp.listen({ host: config.METRICS_HOST, port: config.METRICS_PORT });
      } else {
        await http.ready();
      }
      background.start();
      broadcasts.start();
      for (const channel of channels) await channel.start?.();
      inbox.start();
      started = true;
      logger.info(
        { url: app.url, channels: enabledChannels(config), forwarding: config.FORWARDING_MODE, transports: Object.keys(transports) },
        'service started',
      );
    },
    stop() {
      stopping ??= (async () => {
        logger.info('stopping: no new updates, finishing what is in flight');
        await inbox.stop();
        if (started)
          for (const channel of channels)
            await channel.stop?.().catch((err: unknown) => logger.error({ err: errorName(err) }, 'channel stop failed'));
        await http.close().catch((err: unknown) => logger.error({ err: errorName(err) }, 'http close failed'));
        await metricsHttp?.close().catch(() => undefined);
        await background.stop();
        await broadcasts.stop();
        await pacer.stop();
        email?.close();
        for (const close of closers.reverse()) await close().catch((err: unknown) => logger.error({ err: errorName(err) }, 'close failed'));
        logger.info('stopped');
      })();
      return stopping;
    },
  };
  return app;
}

/** A console session's lifetime when its cookie carries none (the cookie itself lasts 8 hours). */
const CONSOLE_SESSION_MS = 8 * 3600_000;
/** Messages of one requester in flight in this process (a flood waits its turn or is refused). */
const MAX_IN_FLIGHT_PER_REQUESTER = 8;
/** Messages in flight in this process in all; beyond, webhooks answer 503 and are redelivered. */
const PIPELINE_CAPACITY = 1000;

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

/** The complaint use cases' observer: counters as things happen, calendar gaps for /readyz. */
function complaintMetrics(metrics: Metrics, calendar: CalendarWarnings): ComplaintObserver {
  return {
    submitted: (c) => {
      metrics.complaintsSubmitted.inc({ channel: c.channel, sector: c.sector });
      metrics.complaintStatusChanges.inc({ from: 'none', to: 'received' });
    },
    statusChanged: (from, to) => metrics.complaintStatusChanges.inc({ from, to }),
    deadlineBeyondCalendar: (years) => {
      metrics.deadlinesBeyondCalendar.inc();
      calendar.record(years);
    },
  };
}
