/**
 * `POST /zalo/webhook`: where Zalo OA delivers citizens' events.
 *
 * Why this order — raw body, JSON, signature, event, dedupe, rate limit, 200, then work:
 * the signature is over the exact bytes (so this plugin keeps the body as a Buffer in its
 * own encapsulated scope); Zalo wants an answer within 2 s and redelivers otherwise, so
 * the reply is sent before the (slow) conversation work, which runs on a bounded
 * in-process queue; a redelivery must not be answered twice, so the event id is recorded
 * durably (a unique insert in `processed_messages`) before the 200. The cost of that
 * order: if the process dies between the 200 and the processing, that one event is lost
 * (at most once), which is preferable to answering a citizen twice.
 *
 * Status codes: 400 not JSON, 401 bad or missing signature (nothing is processed), 413
 * over 1 MB, 503 queue full or shutting down (Zalo retries), 500 database down before the
 * dedupe insert (Zalo retries), else 200 — also for a signed event we cannot read, since
 * repeated failures make Zalo drop the subscription.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../../infra/logger';
import { silentLogger } from '../../infra/logger';
import { isDuplicateKeyError } from '../../storage/mongo/claims';
import type { Models } from '../../storage/mongo/models';
import type { UserRateLimiter } from '../rate-limiter';
import { verifyZaloSignature, ZALO_SIGNATURE_HEADER } from './webhook-signature';
import { LaneQueue } from './zalo-event-queue';
import type { ZaloEventProcessor } from './zalo-event-processor';
import { parseZaloEvent } from './zalo-events';
import type { ZaloInboundEvent } from './zalo-types';

export const ZALO_WEBHOOK_PATH = '/zalo/webhook';
export const ZALO_WEBHOOK_BODY_LIMIT = 1024 * 1024;

/** Records an event id; true the first time, false for a redelivery. */
export type MarkProcessed = (id: string) => Promise<boolean>;

export interface ZaloWebhookDeps {
  /** The OA secret key of the Webhook page (ZALO_OA_SECRET_KEY), not the app secret. */
  readonly oaSecretKey: string;
  /** When set, events for another app id are refused with 401. */
  readonly appId?: string;
  readonly processor: Pick<ZaloEventProcessor, 'process' | 'slowDown'>;
  readonly markProcessed: MarkProcessed;
  readonly rateLimiter: Pick<UserRateLimiter, 'take'>;
  readonly queue: LaneQueue;
  readonly logger?: Logger;
}

/** Events whose handling the rate limit may drop (consent withdrawal and follows never are). */
const THROTTLED_KINDS: ReadonlySet<ZaloInboundEvent['kind']> = new Set(['text', 'image', 'location', 'user_submit_info']);

/** The fastify plugin. Register it without fastify-plugin: its JSON parser must stay encapsulated. */
export async function zaloWebhookRoutes(app: FastifyInstance, deps: ZaloWebhookDeps): Promise<void> {
  const logger = deps.logger ?? silentLogger();
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: ZALO_WEBHOOK_BODY_LIMIT }, (_req, body, done) => {
    done(null, body);
  });
  app.addHook('onClose', async () => {
    await deps.queue.onIdle();
  });
  app.post(ZALO_WEBHOOK_PATH, { bodyLimit: ZALO_WEBHOOK_BODY_LIMIT }, (request, reply) => handleDelivery(request, reply, deps, logger));
}

async function handleDelivery(request: FastifyRequest, reply: FastifyReply, deps: ZaloWebhookDeps, logger: Logger): Promise<unknown> {
  const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  if (!isJsonObject(raw)) return reply.code(400).send({ error: 'body is not a JSON object' });
  const header = request.headers[ZALO_SIGNATURE_HEADER];
  const verdict = verifyZaloSignature(raw, Array.isArray(header) ? header[0] : header, deps.oaSecretKey);
  if (!verdict.ok) {
    logger.warn({ channel: 'zalo', reason: verdict.reason }, 'zalo webhook refused');
    return reply.code(401).send({ error: 'invalid signature' });
  }
  if (deps.appId && (verdict.event as { app_id?: unknown }).app_id !== deps.appId) {
    logger.warn({ channel: 'zalo', reason: 'app_id mismatch' }, 'zalo webhook refused');
    return reply.code(401).send({ error: 'unknown app' });
  }
  const parsed = parseZaloEvent(verdict.event);
  if (!parsed.ok) {
    logger.warn({ channel: 'zalo', reason: parsed.reason }, 'zalo event ignored');
    return reply.code(200).send({ ok: true, ignored: true });
  }
  return accept(parsed.event, reply, deps, logger);
}

/** Dedupe, rate limit, queue: the 200 goes out before any conversation work. */
async function accept(event: ZaloInboundEvent, reply: FastifyReply, deps: ZaloWebhookDeps, logger: Logger): Promise<unknown> {
  const userId = event.userId;
  const key = dedupeKey(event);
  if (!userId || !key) return reply.code(200).send({ ok: true, ignored: true });
  if (!deps.queue.hasRoom) return reply.code(503).send({ error: 'busy, retry later' });
  let first: boolean;
  try {
    first = await deps.markProcessed(key);
  } catch (error) {
    logger.error({ channel: 'zalo', err: error instanceof Error ? error.name : 'unknown' }, 'zalo dedupe insert failed');
    return reply.code(500).send({ error: 'storage unavailable, retry later' });
  }
  if (!first) return reply.code(200).send({ ok: true, duplicate: true });
  if (THROTTLED_KINDS.has(event.kind)) {
    const decision = deps.rateLimiter.take('zalo', userId);
    if (!decision.allowed) {
      logger.info({ channel: 'zalo', event: event.kind, notice: decision.notify }, 'zalo message throttled');
      if (decision.notify) deps.queue.push(userId, () => deps.processor.slowDown(userId));
      return reply.code(200).send({ ok: true, throttled: true });
    }
  }
  // The id is recorded, so Zalo's redelivery would be answered as a duplicate: the event must
  // be queued even if other requests filled the queue while we awaited the insert (the
  // overshoot is bounded by the requests in flight between the hasRoom check and here).
  deps.queue.push(userId, () => deps.processor.process(event), { overCapacity: true });
  return reply.code(200).send({ ok: true });
}

/** The redelivery key: Zalo's msg_id for messages; event, user and time for the others. */
export function dedupeKey(event: ZaloInboundEvent): string | undefined {
  switch (event.kind) {
    case 'text':
    case 'image':
    case 'location':
      return `zalo:${event.msgId}`;
    case 'other':
      // OA echoes (oa_send_*) and unknown events need no work; a citizen's sticker or file does.
      return event.eventName.startsWith('user_') && event.userId && event.timestamp
        ? `zalo:${event.eventName}:${event.userId}:${event.timestamp}`
        : undefined;
    default:
      return `zalo:${event.kind}:${event.userId}:${event.timestamp}`;
  }
}

/**
 * `markProcessed` on the `processed_messages` collection: a unique insert of the id, kept
 * `retentionMs` (default 7 days, well beyond Zalo's ~2 hours of redeliveries); expired
 * records are deleted by a sweep (FerretDB v1 has no TTL index).
 */
export function mongoMarkProcessed(
  models: Pick<Models, 'ProcessedMessage'>,
  retentionMs = 7 * 24 * 3600 * 1000,
  clock: () => number = Date.now,
): MarkProcessed {
  return async (id) => {
    try {
      await models.ProcessedMessage.create({ _id: id, expiresAt: new Date(clock() + retentionMs) });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  };
}

function isJsonObject(raw: Buffer): boolean {
  try {
    const value: unknown = JSON.parse(raw.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}
