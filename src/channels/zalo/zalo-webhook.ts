/**
 * `POST /zalo/webhook`: where Zalo OA delivers citizens' events.
 *
 * Why this order — raw bytes, signature, JSON, freshness, event, pipeline admission, 200,
 * then work: the signature is over the exact bytes and is checked before anything is
 * parsed (a forged 1 MB post costs a byte search and a hash, see webhook-signature.ts);
 * Zalo wants an answer within 2 s and redelivers otherwise, so the reply is sent once the
 * inbound pipeline has recorded the event id (a redelivery is then answered as a
 * duplicate) and passed the limits, before the slow conversation work.
 *
 * Freshness: a signed event whose `timestamp` is more than {@link MAX_EVENT_AGE_MS} (24 h)
 * old or {@link MAX_EVENT_SKEW_MS} (10 min) in the future is refused with 401: a captured
 * event cannot be replayed later (inside the window the duplicate check stops it, ids
 * being kept 7 days).
 *
 * Status codes: 400 not JSON, 401 bad or missing signature, stale or future timestamp,
 * foreign app id (nothing is processed; logged without data and counted in
 * bot_rejected_requests_total), 413 over the size limit, 500 database down before the
 * event was recorded or stored (Zalo retries), 503 only when the overflow lot of this
 * process is full (20,000 events), else 200 — also for a signed event we cannot read,
 * and for one the pipeline has no room for now (stored, handled when it has: zalo-parking.ts),
 * since repeated failures make Zalo drop the subscription.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../../infra/logger';
import { silentLogger } from '../../infra/logger';
import { RefusalTarpit } from '../../http/refusal-tarpit';
import type { InboundPipeline, InboundTask } from '../pipeline/inbound-pipeline';
import { verifyRawZaloSignature, ZALO_SIGNATURE_HEADER } from './webhook-signature';
import { wantsRoom, type ZaloParking } from './zalo-parking';
import type { ZaloEventProcessor } from './zalo-event-processor';
import { parseZaloEvent } from './zalo-events';
import type { ZaloInboundEvent } from './zalo-types';

export const ZALO_WEBHOOK_PATH = '/zalo/webhook';
/** Zalo's events are a few kilobytes; 256 KB leaves room and bounds what a forger can make us hash. */
export const ZALO_WEBHOOK_BODY_LIMIT = 256 * 1024;
const MAX_EVENT_AGE_MS = 24 * 3_600_000;
const MAX_EVENT_SKEW_MS = 10 * 60_000;

export interface ZaloWebhookDeps {
  /** The OA secret key of the Webhook page (ZALO_OA_SECRET_KEY), not the app secret. */
  readonly oaSecretKey: string;
  /** ZALO_APP_ID: part of what is signed; events for another app are refused. */
  readonly appId: string;
  readonly processor: Pick<ZaloEventProcessor, 'taskFor'>;
  readonly inbound: Pick<InboundPipeline, 'submit'>;
  /** Where an event waits when the pipeline has no room for it (zalo-parking.ts). */
  readonly parking: Pick<ZaloParking, 'holds' | 'park'>;
  /** Counts refusals (metrics: bot_rejected_requests_total). */
  readonly onRejected?: (reason: string) => void;
  readonly clock?: () => number;
  readonly logger?: Logger;
}

/** The fastify plugin. Register it without fastify-plugin: its raw-body parser must stay encapsulated. */
export async function zaloWebhookRoutes(app: FastifyInstance, deps: ZaloWebhookDeps): Promise<void> {
  const logger = deps.logger ?? silentLogger();
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: ZALO_WEBHOOK_BODY_LIMIT }, (_req, body, done) => {
    done(null, body);
  });
  // Zalo's servers are never refused: a client that keeps being refused is a forger, answered slowly (refusal-tarpit.ts).
  const tarpit = new RefusalTarpit();
  app.post(ZALO_WEBHOOK_PATH, {
    bodyLimit: ZALO_WEBHOOK_BODY_LIMIT,
    // A body announced over the limit is refused before a byte of it is read, and the
    // connection closed rather than drained: measured, 8 posters of 1 MB otherwise cost a
    // second citizen ~450 ms at p99.
    onRequest: async (request, reply) => {
      if (Number(request.headers['content-length'] ?? 0) <= ZALO_WEBHOOK_BODY_LIMIT) return undefined;
      deps.onRejected?.('too_large');
      await tarpit.delay(request.ip);
      return reply.code(413).header('connection', 'close').send({ error: 'body too large' });
    },
    handler: (request, reply) => handleDelivery(request, reply, deps, logger, () => tarpit.delay(request.ip)),
  });
}

/** `slow`: waits before a 401, as long as the tarpit says for this client. */
async function handleDelivery(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: ZaloWebhookDeps,
  logger: Logger,
  slow: () => Promise<void>,
): Promise<unknown> {
  const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  const header = request.headers[ZALO_SIGNATURE_HEADER];
  const verdict = verifyRawZaloSignature(raw, Array.isArray(header) ? header[0] : header, deps.appId, deps.oaSecretKey);
  if (!verdict.ok) return refuse(reply, deps, logger, 'bad_signature', verdict.reason, slow);
  const json = parseObject(raw);
  if (!json) {
    deps.onRejected?.('malformed');
    return reply.code(400).send({ error: 'body is not a JSON object' });
  }
  if (json.app_id !== deps.appId) return refuse(reply, deps, logger, 'foreign_app', 'app_id mismatch', slow);
  const age = (deps.clock ?? Date.now)() - Number(verdict.timestamp);
  if (age > MAX_EVENT_AGE_MS || age < -MAX_EVENT_SKEW_MS)
    return refuse(reply, deps, logger, 'stale', 'timestamp outside the freshness window', slow);
  const parsed = parseZaloEvent(json);
  if (!parsed.ok) {
    logger.warn({ channel: 'zalo', reason: parsed.reason }, 'zalo event ignored');
    return reply.code(200).send({ ok: true, ignored: true });
  }
  return accept(parsed.event, json, reply, deps, logger);
}

async function refuse(
  reply: FastifyReply,
  deps: ZaloWebhookDeps,
  logger: Logger,
  code: string,
  reason: string,
  slow: () => Promise<void>,
): Promise<FastifyReply> {
  deps.onRejected?.(code);
  logger.warn({ channel: 'zalo', reason }, 'zalo webhook refused (401)');
  await slow();
  return reply.code(401).send({ error: 'invalid signature' });
}

/**
 * The pipeline task of a signed event; undefined when it needs no work. The event's JSON
 * goes with it: stored with the ticket until the turn is over (the durable inbox).
 */
export function zaloTask(
  event: ZaloInboundEvent,
  json: Record<string, unknown>,
  processor: Pick<ZaloEventProcessor, 'taskFor'>,
): InboundTask<void> | undefined {
  const messageId = dedupeKey(event);
  const task = messageId ? processor.taskFor(event, messageId) : undefined;
  return task && { ...task, durable: json };
}

/** The task of an event stored by the durable inbox (already checked when it arrived). */
export function recoveredZaloTask(data: unknown, processor: Pick<ZaloEventProcessor, 'taskFor'>): InboundTask<void> | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  const parsed = parseZaloEvent(data);
  return parsed.ok ? zaloTask(parsed.event, data as Record<string, unknown>, processor) : undefined;
}

/**
 * The pipeline records the id and applies the limits; the 200 goes out before any
 * conversation work. When the pipeline has no room (or the citizen has events waiting
 * already, whose order must hold), the event is stored in the lot and answered 200 all
 * the same: Zalo is not refused an event it signed (zalo-parking.ts).
 */
async function accept(
  event: ZaloInboundEvent,
  json: Record<string, unknown>,
  reply: FastifyReply,
  deps: ZaloWebhookDeps,
  logger: Logger,
): Promise<unknown> {
  const task = zaloTask(event, json, deps.processor);
  if (!task) return reply.code(200).send({ ok: true, ignored: true });
  if (deps.parking.holds(task.message.userId)) return park(task.message, json, reply, deps, logger);
  const submission = deps.inbound.submit(task);
  void submission.done.catch((error: unknown) =>
    logger.error({ channel: 'zalo', event: event.kind, err: error instanceof Error ? error.name : 'unknown' }, 'zalo event failed'),
  );
  let admission;
  try {
    admission = await submission.recorded;
  } catch (error) {
    logger.error({ channel: 'zalo', err: error instanceof Error ? error.name : 'unknown' }, 'zalo event could not be recorded');
    return reply.code(500).send({ error: 'storage unavailable, retry later' });
  }
  if (wantsRoom(admission)) return park(task.message, json, reply, deps, logger);
  switch (admission.kind) {
    case 'duplicate':
      return reply.code(200).send({ ok: true, duplicate: true });
    case 'accepted':
      return reply.code(200).send({ ok: true });
    default:
      return reply.code(200).send({ ok: true, throttled: true });
  }
}

async function park(
  message: { readonly messageId?: string; readonly userId: string },
  json: Record<string, unknown>,
  reply: FastifyReply,
  deps: ZaloWebhookDeps,
  logger: Logger,
): Promise<unknown> {
  let result;
  try {
    // Every task built here has a message id: the event's redelivery key.
    result = await deps.parking.park(message.messageId ?? '', message.userId, json);
  } catch (error) {
    logger.error({ channel: 'zalo', err: error instanceof Error ? error.name : 'unknown' }, 'zalo event could not be stored');
    return reply.code(500).send({ error: 'storage unavailable, retry later' });
  }
  if (result === 'full') return reply.code(503).send({ error: 'busy, retry later' });
  return reply.code(200).send({ ok: true, ...(result === 'duplicate' ? { duplicate: true } : { queued: true }) });
}

/** The redelivery key: Zalo's msg_id for messages; event, user and time for the others. */
export function dedupeKey(event: ZaloInboundEvent): string | undefined {
  switch (event.kind) {
    case 'text':
    case 'image':
    case 'location':
      return event.msgId;
    case 'other':
      // OA echoes (oa_send_*) and unknown events need no work; a citizen's sticker or file does.
      return event.eventName.startsWith('user_') && event.userId && event.timestamp
        ? `${event.eventName}:${event.userId}:${event.timestamp}`
        : undefined;
    default:
      return `${event.kind}:${event.userId}:${event.timestamp}`;
  }
}

function parseObject(raw: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(raw.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
