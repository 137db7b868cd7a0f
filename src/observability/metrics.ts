/**
 * Prometheus metrics. Labels are channels, intents and states — never anything a
 * citizen typed. Gauges that describe the database (complaints by status, outbox depth)
 * are read when Prometheus scrapes, so every instance reports the same truth.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { EngineObserver } from '../core/conversation-engine';

export interface MetricsSnapshotSource {
  complaintsByStatus(): Promise<Record<string, number>>;
  outboxDepth(): Promise<Record<string, Record<string, number>>>;
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

  constructor(snapshot?: MetricsSnapshotSource) {
    collectDefaultMetrics({ register: this.registry });
    if (!snapshot) return;
    new Gauge({
      name: 'bot_complaints',
      help: 'Complaints by status',
      labelNames: ['status'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const [status, n] of Object.entries(await snapshot.complaintsByStatus())) this.set({ status }, n);
      },
    });
    new Gauge({
      name: 'bot_outbox_items',
      help: 'Outbox items by outbox and state',
      labelNames: ['outbox', 'state'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const [name, states] of Object.entries(await snapshot.outboxDepth())) {
          for (const [state, n] of Object.entries(states)) this.set({ outbox: name, state }, n);
        }
      },
    });
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
}
