/**
 * The agency API (`/api/agency/...`): lets an agency's own system list the complaints
 * routed to it, read them (with photos) and act on them — acknowledge, answer, transfer,
 * resolve — exactly as its officers can in Telegram. Contract for agencies:
 * docs/agency-api.md.
 *
 * Security decisions:
 * - **API keys, stored hashed.** The directory holds only SHA-256 hashes
 *   (`apiKeyHashes`); a request's key is hashed and compared with every hash in constant
 *   time. The matched agency is who the caller acts for; the actor recorded in the
 *   complaint's history is `apikey:<first 8 hex of the hash>` (enough to tell keys apart
 *   when one must be revoked, useless to an attacker).
 * - **Another agency's complaint answers 404, like an unknown code**, so a key cannot be
 *   used to probe which codes exist or where they went — and after the same database
 *   work (the use cases read only the complaint's agency before deciding), so the answer
 *   time does not tell either.
 * - **The coordinating agency's keys** (`coordinator: true` in the directory) see every
 *   complaint (`?scope=all`), act on all, re-assign, and list and re-send every dead
 *   delivery; other keys only their own.
 * - **Everything is validated (zod) before anything is done**: strings must be strings
 *   (`{"$gt": ""}` is a 400, never a query operator), codes must be tracking codes, texts
 *   are at most 4000 characters, unknown fields are refused, bodies over 64 KB get 413.
 *   A request that fails changes nothing; a request that succeeds is recorded by the
 *   complaint service in the complaint's history with its actor.
 * - Errors are JSON `{error: {code, message}}`; messages never include complaint data.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ActionResult, Actor, ComplaintService, ComplaintStatus, OfficerCommand } from '../complaints/complaint-service';
import type { DirectorySource } from '../complaints/use-cases/ports';
import { DirectoryId } from '../complaints/directory/directory-schema';
import { isTrackingCode } from '../complaints/tracking-code';
import { describeDelivery, type DeliveryItem } from '../forwarding/delivery-item';
import type { Logger } from '../infra/logger';
import type { OutboxStore } from '../outbox/outbox-store';

export interface AgencyApiDeps {
  readonly complaints: ComplaintService;
  readonly directory: DirectorySource;
  /** A complaint's stored photo, if the id belongs to the code. */
  readonly photos: { load(code: string, photoId: string): Promise<{ bytes: Buffer; contentType: string } | undefined> };
  /** The agency outbox, for listing and re-sending dead deliveries. */
  readonly deliveries: Pick<OutboxStore<DeliveryItem>, 'list' | 'reload' | 'resend'>;
  readonly logger: Logger;
  readonly clock?: () => Date;
}

export const AGENCY_API_PREFIX = '/api/agency';
/** Largest request body; an answer of 4000 characters is far below it. */
export const AGENCY_API_BODY_LIMIT = 64 * 1024;
/** Longest answer or note, in characters. */
export const MAX_TEXT_LENGTH = 4000;

const STATUSES = [
  'received',
  'forwarded',
  'acknowledged',
  'answered',
  'resolved',
  'reopened',
  'closed',
] as const satisfies readonly ComplaintStatus[];
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

const Code = z.string().refine(isTrackingCode, 'must be a tracking code such as PA-7K3M9X');
const Text = z.string().trim().min(1, 'must not be empty').max(MAX_TEXT_LENGTH, `must be at most ${MAX_TEXT_LENGTH} characters`);
const CodeParams = z.strictObject({ code: Code });
const PhotoParams = z.strictObject({ code: Code, photoId: z.string().regex(/^[0-9a-f]{24}$/, 'must be a photo id from the complaint') });
const ListQuery = z.strictObject({
  status: z.enum(STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
  scope: z.enum(['mine', 'all']).optional(),
});
const NoteBody = z.strictObject({ note: Text.optional() });
const AnswerBody = z.strictObject({ text: Text });
const TransferBody = z.strictObject({ agencyId: DirectoryId, note: Text.optional() });
const CloseBody = z.strictObject({ note: Text });
/** A delivery key: a tracking code, then the message's parts and the transport. */
const DeliveryParams = z.strictObject({ key: z.string().regex(/^PA-[0-9A-Z]{6}:[\w:.\-#]{1,200}$/, 'must be a delivery key') });
const DeliveryQuery = z.strictObject({
  state: z.enum(['pending', 'sending', 'sent', 'dead']).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

/** An authenticated caller: the agency and the key's public label. */
export interface AgencyCaller {
  readonly agencyId: string;
  readonly actor: Actor;
}

/** SHA-256 hex of an API key: what the directory stores in `apiKeyHashes`. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The API key of a request: `Authorization: Bearer <key>` or `X-Api-Key: <key>`. */
export function apiKeyOf(headers: FastifyRequest['headers']): string | undefined {
  const authorization = headers.authorization;
  const bearer = typeof authorization === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] : undefined;
  const header = headers['x-api-key'];
  const key = bearer ?? (typeof header === 'string' ? header.trim() : undefined);
  return key && key.length >= 16 && key.length <= 256 ? key : undefined;
}

/** The agency whose `apiKeyHashes` contain the key's hash; every hash is compared, in constant time. */
export function authenticateApiKey(key: string, directory: DirectorySource): AgencyCaller | undefined {
  const hash = hashApiKey(key);
  const given = Buffer.from(hash, 'hex');
  let matched: string | undefined;
  for (const agency of directory.current().agencies) {
    for (const stored of agency.apiKeyHashes) {
      const candidate = Buffer.from(stored, 'hex');
      if (candidate.length === given.length && timingSafeEqual(candidate, given) && matched === undefined) matched = agency.id;
    }
  }
  if (!matched) return undefined;
  return { agencyId: matched, actor: { kind: 'agency_api', id: `apikey:${hash.slice(0, 8)}`, agencyId: matched } };
}

/** Registers the agency API under {@link AGENCY_API_PREFIX}. Register it without a prefix of its own. */
export async function agencyApiRoutes(app: FastifyInstance, deps: AgencyApiDeps): Promise<void> {
  await app.register(async (scope) => registerRoutes(scope, deps), { prefix: AGENCY_API_PREFIX });
}

function registerRoutes(scope: FastifyInstance, deps: AgencyApiDeps): void {
  const callers = new WeakMap<FastifyRequest, AgencyCaller>();
  const callerOf = (request: FastifyRequest): AgencyCaller => {
    const caller = callers.get(request);
    if (!caller) throw new Error('unauthenticated request reached a handler');
    return caller;
  };

  scope.setErrorHandler((error: FastifyError, request, reply) => sendFrameworkError(error, request, reply, deps.logger));
  scope.setNotFoundHandler((_request, reply) => sendError(reply, 404, 'NOT_FOUND', 'no such route'));

  // Before the body is read: an unauthenticated client cannot make us parse anything.
  scope.addHook('onRequest', async (request, reply) => {
    const key = apiKeyOf(request.headers);
    const caller = key ? authenticateApiKey(key, deps.directory) : undefined;
    if (!caller) {
      deps.logger.info({ url: request.routeOptions.url, keyGiven: key !== undefined }, 'agency API: authentication failed');
      void reply.header('WWW-Authenticate', 'Bearer realm="agency-api"');
      return sendError(reply, 401, 'UNAUTHORIZED', 'a valid API key is required (Authorization: Bearer <key>)');
    }
    callers.set(request, caller);
  });

  scope.get('/complaints', async (request, reply) => {
    const query = parse(ListQuery, request.query, reply);
    if (!query) return reply;
    const caller = callerOf(request);
    const complaints = await deps.complaints.listForAgency(caller.agencyId, {
      status: query.status,
      limit: query.limit,
      allAgencies: query.scope === 'all',
    });
    return reply.send({ complaints });
  });

  scope.get('/complaints/:code', async (request, reply) => {
    const params = parse(CodeParams, request.params, reply);
    if (!params) return reply;
    return sendResult(reply, await deps.complaints.getForAgency(params.code, callerOf(request).agencyId));
  });

  const post = { bodyLimit: AGENCY_API_BODY_LIMIT };

  /** Each action: validate the body, turn it into a command, let the use case authorise and apply it. */
  const action = <T>(path: string, body: z.ZodType<T>, command: (input: T) => OfficerCommand): void => {
    scope.post(`/complaints/:code/${path}`, post, async (request, reply) => {
      const input = parseAction(request, reply, body);
      if (!input) return reply;
      const caller = callerOf(request);
      const result = await deps.complaints.act(input.code, caller.actor, command(input.body));
      return sendAction(reply, deps, caller, input.code, path, result);
    });
  };
  action('acknowledge', NoteBody, (b) => ({ kind: 'acknowledge', ...(b.note ? { note: b.note } : {}) }));
  action('answer', AnswerBody, (b) => ({ kind: 'answer', text: b.text }));
  action('transfer', TransferBody, (b) => ({ kind: 'transfer', toAgencyId: b.agencyId, ...(b.note ? { note: b.note } : {}) }));
  action('resolve', NoteBody, (b) => ({ kind: 'resolve', ...(b.note ? { note: b.note } : {}) }));
  action('close', CloseBody, (b) => ({ kind: 'close', note: b.note }));
  action('reassign', TransferBody, (b) => ({ kind: 'reassign', toAgencyId: b.agencyId, ...(b.note ? { note: b.note } : {}) }));

  const isCoordinator = (caller: AgencyCaller): boolean => caller.agencyId === deps.directory.current().coordinator.id;

  scope.get('/deliveries', async (request, reply) => {
    const query = parse(DeliveryQuery, request.query, reply);
    if (!query) return reply;
    const caller = callerOf(request);
    const items = await deps.deliveries.list({
      state: query.state ?? 'dead',
      ...(isCoordinator(caller) ? {} : { match: { agencyId: caller.agencyId } }),
      limit: query.limit ?? 50,
    });
    return reply.send({ deliveries: items.map(describeDelivery) });
  });

  scope.post('/deliveries/:key/resend', post, async (request, reply) => {
    const params = parse(DeliveryParams, request.params, reply);
    if (!params) return reply;
    const caller = callerOf(request);
    // The same read for an unknown key and someone else's, and the same answer.
    const delivery = await deps.deliveries.reload(params.key);
    if (!delivery || (!isCoordinator(caller) && delivery.agencyId !== caller.agencyId)) {
      return sendError(reply, 404, 'NOT_FOUND', 'no delivery with this key for your agency');
    }
    const outcome = await deps.deliveries.resend(params.key, caller.actor.id, deps.clock?.() ?? new Date());
    deps.logger.info({ key: params.key, agencyId: caller.agencyId, actor: caller.actor.id, outcome }, 'agency API: delivery re-sent');
    if (outcome === 'not_dead') return sendError(reply, 409, 'INVALID_STATE', 'only a dead delivery can be re-sent');
    if (outcome === 'not_found') return sendError(reply, 404, 'NOT_FOUND', 'no delivery with this key for your agency');
    const fresh = await deps.deliveries.reload(params.key);
    return reply.send({ delivery: fresh ? describeDelivery(fresh) : undefined });
  });

  scope.get('/complaints/:code/photos/:photoId', async (request, reply) => {
    const params = parse(PhotoParams, request.params, reply);
    if (!params) return reply;
    const complaint = await deps.complaints.getForAgency(params.code, callerOf(request).agencyId);
    if (!complaint.ok || !complaint.complaint.photoIds.includes(params.photoId))
      return sendError(reply, 404, 'NOT_FOUND', 'no such photo for your agency');
    const photo = await deps.photos.load(params.code, params.photoId);
    if (!photo) return sendError(reply, 404, 'NOT_FOUND', 'no such photo for your agency');
    const image = IMAGE_TYPES.has(photo.contentType);
    return reply
      .header('Content-Type', image ? photo.contentType : 'application/octet-stream')
      .header('Content-Disposition', image ? 'inline' : 'attachment')
      .header('Cache-Control', 'private, no-store')
      .header('X-Content-Type-Options', 'nosniff')
      .header('Content-Security-Policy', "default-src 'none'")
      .send(photo.bytes);
  });
}

/** Validates `value`; on failure sends 400 and returns undefined. */
function parse<T>(schema: z.ZodType<T>, value: unknown, reply: FastifyReply): T | undefined {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  void sendError(reply, 400, 'INVALID_REQUEST', describeIssues(result.error));
  return undefined;
}

function parseAction<T>(request: FastifyRequest, reply: FastifyReply, body: z.ZodType<T>): { code: string; body: T } | undefined {
  const params = parse(CodeParams, request.params, reply);
  if (!params) return undefined;
  const parsed = parse(body, request.body, reply);
  return parsed === undefined ? undefined : { code: params.code, body: parsed };
}

/** "text: must be at most 4000 characters; note: expected string" — field names and rules only, never values. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'body'}: ${issue.message}`)
    .join('; ');
}

function sendAction(
  reply: FastifyReply,
  deps: AgencyApiDeps,
  caller: AgencyCaller,
  code: string,
  action: string,
  result: ActionResult,
): FastifyReply {
  deps.logger.info(
    { code, action, agencyId: caller.agencyId, actor: caller.actor.id, ok: result.ok, error: result.ok ? undefined : result.error },
    'agency API action',
  );
  return sendResult(reply, result);
}

function sendResult(reply: FastifyReply, result: ActionResult): FastifyReply {
  if (result.ok) return reply.send({ complaint: result.complaint });
  switch (result.error) {
    case 'not_found':
    case 'forbidden':
      // The same answer for "no such code" and "not yours": codes cannot be probed.
      return sendError(reply, 404, 'NOT_FOUND', 'no complaint with this code for your agency');
    case 'invalid_state':
      return sendError(reply, 409, 'INVALID_STATE', result.message);
    case 'unknown_agency':
      return sendError(reply, 422, 'UNKNOWN_AGENCY', 'no agency with this id in the directory');
    case 'invalid_input':
      return sendError(reply, 400, 'INVALID_REQUEST', result.message);
  }
}

function sendError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.status(status).header('Cache-Control', 'no-store').send({ error: { code, message } });
}

/** Errors fastify raises before our handlers (body parsing, limits) and unexpected ones. */
function sendFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply, logger: Logger): FastifyReply {
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
  if (status === 500) {
    logger.error({ err: error, url: request.routeOptions.url }, 'agency API request failed');
    return sendError(reply, 500, 'INTERNAL', 'internal error');
  }
  if (status === 413) return sendError(reply, 413, 'PAYLOAD_TOO_LARGE', `the body must be at most ${AGENCY_API_BODY_LIMIT} bytes`);
  if (status === 415) return sendError(reply, 415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
  if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || error instanceof SyntaxError) {
    return sendError(reply, 400, 'INVALID_JSON', 'the body is not valid JSON');
  }
  return sendError(reply, status, 'INVALID_REQUEST', error.code ?? 'bad request');
}
