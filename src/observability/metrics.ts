/**
 * Prometheus metrics. Labels are channels, intents, sectors, states — never anything a
 * citizen typed.
 *
 * Nothing is counted in the database when Prometheus scrapes: a scrape only renders what
 * is in memory, so scrapers (10 at once, or an anonymous one on a misconfigured port)
 * cost no database work. Two kinds of figures:
 * - **counters maintained as things happen** (messages, complaints submitted, status
 *   changes, delivery and notification outcomes, rejected requests), per process — sum
 *   them over instances;
 * - **gauges of the database's state** (complaints by status, outbox items by state),
 *   refreshed by a scheduled job once a minute ({@link Metrics.setStateSnapshot}); why a
 *   job and not counters: "how many complaints are open now" survives restarts and is
 *   the same whichever instance answers only if it is counted, and counted once a
 *   minute it costs one aggregate per collection per minute whatever the number of
 *   scrapes. Each instance reports the database-wide figure: use max(), not sum().
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { EngineObserver } from '../core/conversation-engine';

/** The database's state as the snapshot job counts it: per field value, how many documents. */
export interface StateSnapshot {
  readonly complaints: Readonly<Record<string, number>>;
  readonly outboxes: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** What the metrics need to know of the embedded database's supervisor (src/storage/embedded-ferretdb.ts). */
export interface EmbeddedDatabaseState {
  isUp(): boolean;
  on(event: 'exit', listener: () => void): unknown;
}

export class Metrics implements EngineObserver {
  readonly registry = new Registry();
  readonly messagesIn = new Counter({
    name: 'bot_messages_in_total',
    help: 'Messages received from citizens',
    labelNames: ['channel'],
    registers: [this.registry],
  });
  readonly messagesOut = new Counter({
    name: 'bot_messages_out_total',
    help: 'Messages sent to citizens (replies and notifications)',
    labelNames: ['channel'],
    registers: [this.registry],
  });
  readonly intents = new Counter({
    name: 'bot_intents_total',
    help: 'Messages by matched intent or flow step',
    labelNames: ['channel', 'intent'],
    registers: [this.registry],
  });
  readonly fallbacks = new Counter({
    name: 'bot_fallbacks_total',
    help: 'Messages not understood, by reason',
    labelNames: ['channel', 'reason'],
    registers: [this.registry],
  });
  readonly outboxFailures = new Counter({
    name: 'bot_outbox_failures_total',
    help: 'Failed delivery or notification attempts',
    labelNames: ['outbox', 'transport'],
    registers: [this.registry],
  });
  readonly rejectedRequests = new Counter({
    name: 'bot_rejected_requests_total',
    help: 'Webhook/API requests rejected (bad signature, malformed, throttled)',
    labelNames: ['endpoint', 'reason'],
    registers: [this.registry],
  });

  readonly embeddedDbExits = new Counter({
    name: 'bot_embedded_db_exits_total',
    help: 'Unexpected exits of the embedded database (each is followed by a restart)',
    registers: [this.registry],
  });

  readonly complaintsSubmitted = new Counter({
    name: 'bot_complaints_submitted_total',
    help: 'Complaints stored, by channel and sector',
    labelNames: ['channel', 'sector'],
    registers: [this.registry],
  });
  readonly complaintStatusChanges = new Counter({
    name: 'bot_complaint_status_changes_total',
    help: 'Complaint status changes, by new status',
    labelNames: ['from', 'to'],
    registers: [this.registry],
  });
  readonly outboxOutcomes = new Counter({
    name: 'bot_outbox_outcomes_total',
    help: 'Outbox attempts by outbox, transport or channel, and outcome (sent, retry, dead, held…)',
    labelNames: ['outbox', 'transport', 'outcome'],
    registers: [this.registry],
  });
  readonly questionLogLost = new Counter({
    name: 'bot_question_log_lost_total',
    help: 'Question-log records not written (a failed group insert, or the queue full)',
    registers: [this.registry],
  });
  readonly conversationConflicts = new Counter({
    name: 'bot_conversation_conflicts_total',
    help: 'Turns whose conversation state was not saved: another writer changed it during the turn',
    labelNames: ['channel'],
    registers: [this.registry],
  });
  readonly deadlinesBeyondCalendar = new Counter({
    name: 'bot_deadlines_beyond_holiday_calendar_total',
    help: 'Deadlines counted across a year the holiday calendar does not cover (weekends only skipped there)',
    registers: [this.registry],
  });

  private readonly complaintsByStatus = new Gauge({
    name: 'bot_complaints',
    help: 'Complaints by status (database-wide, refreshed once a minute)',
    labelNames: ['status'],
    registers: [this.registry],
  });
  private readonly outboxItems = new Gauge({
    name: 'bot_outbox_items',
    help: 'Outbox items by outbox and state (database-wide, refreshed once a minute)',
    labelNames: ['outbox', 'state'],
    registers: [this.registry],
  });
  private readonly snapshotTime = new Gauge({
    name: 'bot_state_snapshot_timestamp_seconds',
    help: 'When bot_complaints and bot_outbox_items were last counted (Unix time)',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** The snapshot job's result: replaces the state gauges. */
  setStateSnapshot(snapshot: StateSnapshot, at: Date = new Date()): void {
    this.complaintsByStatus.reset();
    for (const [status, n] of Object.entries(snapshot.complaints)) this.complaintsByStatus.set({ status }, n);
    this.outboxItems.reset();
    for (const [outbox, states] of Object.entries(snapshot.outboxes)) {
      for (const [state, n] of Object.entries(states)) this.outboxItems.set({ outbox, state }, n);
    }
    this.snapshotTime.set(at.getTime() / 1000);
  }

  /** Reports the embedded database's supervision: an up gauge read at scrape, exits counted as they happen. */
  observeEmbeddedDatabase(server: EmbeddedDatabaseState): void {
    new Gauge({
      name: 'bot_embedded_db_up',
      help: '1 while the embedded database runs, 0 between an exit and its restart',
      registers: [this.registry],
      collect() {
        this.set(server.isUp() ? 1 : 0);
      },
    });
    server.on('exit', () => this.embeddedDbExits.inc());
  }

  messageHandled(event: { channel: string; intent: string; fallbackReason?: string; replies: number }): void {
    this.messagesIn.inc({ channel: event.channel });
    if (event.replies > 0) this.messagesOut.inc({ channel: event.channel }, event.replies);
    this.intents.inc({ channel: event.channel, intent: event.intent });
    if (event.fallbackReason) this.fallbacks.inc({ channel: event.channel, reason: event.fallbackReason });
  }

  stateConflict(channel: string): void {
    this.conversationConflicts.inc({ channel });
  }
}
