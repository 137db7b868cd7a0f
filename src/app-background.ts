/**
 * The service's background work, built from its parts: the two outbox workers (agency
 * deliveries, citizen notifications — one generic worker configured twice) and the
 * scheduled jobs (re-planning complaints a crash left unplanned, deadline reminders,
 * retention — app-retention.ts, with the question log and console sessions —, sweeping
 * pipeline slots, the metrics' state snapshot). Part of the composition root (app.ts).
 */
import type { ComplaintUseCases } from './complaints/use-cases/complaint-use-cases';
import type { DirectorySource } from './complaints/use-cases/ports';
import type { TextLookup } from './complaints/complaint-format';
import { createAgencyMessageBuilder } from './forwarding/agency-message-builder';
import { agencyDeliveryHandler } from './forwarding/agency-delivery-handler';
import type { DeliveryItem } from './forwarding/delivery-item';
import type { Transport } from './forwarding/transport';
import type { Logger } from './infra/logger';
import type { Metrics } from './observability/metrics';
import { ScheduledJob } from './jobs/scheduled-job';
import { runRetention } from './jobs/retention';
import { retentionRules, type RetentionSettings } from './app-retention';
import {
  citizenNotificationHandler,
  type HeldFallbackSender,
  type NotificationRenderer,
} from './notifications/citizen-notification-handler';
import type { NotificationItem } from './notifications/notification-item';
import { OutboxWorker } from './outbox/outbox-worker';
import type { Database } from './storage/mongo/database';
import { MongoComplaintOutbox } from './storage/mongo/mongo-complaint-outbox';
import { MongoComplaintRepository } from './storage/mongo/mongo-complaint-repository';
import { MongoRetentionStore } from './storage/mongo/retention-store';
import { countStates } from './storage/mongo/state-counts';
import { MongoConversationStore } from './storage/mongo/mongo-conversation-store';
import { deliveryOutbox, MongoNotificationOutbox } from './storage/mongo/mongo-outbox';
import { pruneConsoleSessions } from './storage/mongo/mongo-console-store';
import { pruneQuestionLog } from './storage/mongo/mongo-question-log';

export interface BackgroundOptions {
  readonly db: Database;
  readonly owner: string;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly complaints: ComplaintUseCases;
  readonly directory: DirectorySource;
  readonly texts: () => TextLookup;
  readonly transports: Partial<Record<Transport['kind'], Transport>>;
  readonly senders: readonly HeldFallbackSender[];
  readonly render: NotificationRenderer;
  readonly apiBaseUrl: string;
  readonly pollIntervalMs: number;
  readonly maxAttempts: number;
  /** Question records older than this are deleted (QUESTION_LOG_RETENTION_DAYS). */
  readonly questionLogRetentionDays: number;
  readonly retention: RetentionSettings;
}

export interface Background {
  readonly deliveries: OutboxWorker<DeliveryItem>;
  readonly notifications: OutboxWorker<NotificationItem>;
  /** The citizen wrote again: their held notifications become due now. */
  releaseHeld(channel: string, userId: string): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

const MINUTE = 60_000;
const DAY_MS = 24 * 60 * MINUTE;

export function buildBackground(options: BackgroundOptions): Background {
  const { db, owner, logger, metrics } = options;
  const notificationStore = new MongoNotificationOutbox(db);
  const conversations = new MongoConversationStore(db);
  const deliveries: OutboxWorker<DeliveryItem> = new OutboxWorker({
    store: deliveryOutbox(db),
    handler: agencyDeliveryHandler({
      directory: options.directory,
      transports: options.transports,
      buildMessage: createAgencyMessageBuilder({
        complaints: new MongoComplaintRepository(db, owner),
        directory: options.directory,
        texts: options.texts,
        apiBaseUrl: options.apiBaseUrl,
      }),
      outbox: new MongoComplaintOutbox(db),
      logger: logger.child({ component: 'deliveries' }),
      onForwarded: (code, agencyId) => options.complaints.markForwarded(code, agencyId),
      onOutcome: (outcome, d) => {
        metrics.outboxOutcomes.inc({ outbox: 'deliveries', transport: d.transport, outcome });
        if (outcome !== 'sent') metrics.outboxFailures.inc({ outbox: 'deliveries', transport: d.transport });
        if (outcome === 'dead') deliveries.poke();
      },
    }),
    owner,
    logger: logger.child({ component: 'deliveries' }),
    pollIntervalMs: options.pollIntervalMs,
    maxAttempts: options.maxAttempts,
  });
  const notifications = new OutboxWorker({
    store: notificationStore,
    handler: citizenNotificationHandler({
      senders: options.senders,
      render: options.render,
      localeOf: async (channel, userId) => (await conversations.get(`${channel}:${userId}`))?.locale,
      onOutcome: (outcome, n) => {
        metrics.outboxOutcomes.inc({ outbox: 'notifications', transport: n.channel, outcome });
        if (outcome === 'retry' || outcome === 'dead') metrics.outboxFailures.inc({ outbox: 'notifications', transport: n.channel });
        if (outcome === 'sent' || outcome === 'sent_template') metrics.messagesOut.inc({ channel: n.channel });
      },
    }),
    owner,
    logger: logger.child({ component: 'notifications' }),
    pollIntervalMs: Math.min(options.pollIntervalMs, 3_000),
    leaseMs: 120_000,
    maxAttempts: options.maxAttempts,
  });
  const leased = { leases: db.leases, owner };
  const retention = new MongoRetentionStore(db);
  const jobLogger = logger.child({ component: 'jobs' });
  const jobs = [
    new ScheduledJob({
      name: 'replan-complaints',
      intervalMs: MINUTE,
      logger: jobLogger,
      lease: leased,
      run: async () => {
        if ((await options.complaints.planUnplanned()) > 0) deliveries.poke();
      },
    }),
    new ScheduledJob({
      name: 'deadline-scanner',
      intervalMs: 10 * MINUTE,
      logger: jobLogger,
      lease: leased,
      run: async () => {
        const { reminded, overdue } = await options.complaints.scanDeadlines(new Date(), {
          transports: Object.keys(options.transports) as Transport['kind'][],
        });
        if (reminded + overdue > 0) deliveries.poke();
      },
    }),
    new ScheduledJob({
      name: 'retention',
      intervalMs: 60 * MINUTE,
      logger: jobLogger,
      lease: leased,
      run: () =>
        runRetention(
          [
            ...retentionRules(retention, options.complaints, options.retention),
            {
              name: 'question_log',
              prune: (now) => pruneQuestionLog(db, new Date(now.getTime() - options.questionLogRetentionDays * DAY_MS)),
            },
            { name: 'console_sessions', prune: (now) => pruneConsoleSessions(db, now) },
          ],
          new Date(),
          jobLogger,
        ),
    }),
    // Limit windows are a minute long: under a flood their slots pile up fast, so they are swept every minute.
    new ScheduledJob({
      name: 'sweep-pipeline-slots',
      intervalMs: MINUTE,
      logger: jobLogger,
      lease: leased,
      run: () => retention.pipelineSlots(new Date()),
    }),
    // Every process counts for its own /metrics (no lease): one aggregate per collection a minute, whatever the scrapers do.
    new ScheduledJob({
      name: 'metrics-snapshot',
      intervalMs: MINUTE,
      logger: jobLogger,
      run: async () => metrics.setStateSnapshot(await countStates(db)),
    }),
  ];
  return {
    deliveries,
    notifications,
    async releaseHeld(channel, userId) {
      const released = await notificationStore.releaseHeld(channel, userId, new Date());
      if (released > 0) {
        logger.info({ channel, released }, 'released held notifications');
        notifications.poke();
      }
      return released;
    },
    start() {
      deliveries.start();
      notifications.start();
      for (const job of jobs) job.start();
    },
    async stop() {
      await Promise.all([deliveries.stop(), notifications.stop(), ...jobs.map((job) => job.stop())]);
    },
  };
}
