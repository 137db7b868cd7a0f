/**
 * The web chat: the page at `/`, `POST /api/chat` (one message, the bot's replies) and
 * `GET /api/chat/updates` (notifications waiting for this session).
 *
 * The page is anonymous: its conversation is a random session id it keeps in
 * localStorage, validated strictly (it becomes a conversation key). A script can make up
 * session ids but not addresses, so every limit keys on the client's real address
 * (`request.ip`, which fastify reads from X-Forwarded-For only when the request comes from
 * a configured trusted proxy), as a keyed hash — the requester key the pipeline and the
 * daily complaint cap use:
 * - messages per address per day are capped (`perAddressPerDay`), and past its normal
 *   volume (`challengeAfter`) a session must solve a proof of work once (web-challenge.ts)
 *   before it may go on: 428 with the challenge, then the message again with the proof;
 * - per minute and in flight, the inbound pipeline's limits; two messages of an address
 *   do their work at a time, six more wait (address-lanes.ts), beyond that 429;
 * - `updates` polls: `updatesPerMinute` per address. GET only: a HEAD must never take
 *   (and mark sent) held notifications, so fastify's automatic HEAD route is off here.
 * A web page cannot be pushed to, so notifications wait until the page polls `updates`
 * (every 15 s while open). Logs carry intents and counts, never texts or addresses.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ContentSource } from '../../core/bot-content';
import type { ChannelName, Locale, OutgoingMessage, Reply } from '../../core/messages';
import type { Logger } from '../../infra/logger';
import { silentLogger } from '../../infra/logger';
import type { Pseudonymize } from '../../infra/pseudonyms';
import type { InboundPipeline } from '../pipeline/inbound-pipeline';
import type { SharedWindowLimits, WindowRule } from '../pipeline/shared-limits';
import { slowDownText } from '../rate-limiter';
import type { Challenge, WebChallenge } from './web-challenge';
import { RefusalTarpit } from '../../http/refusal-tarpit';
import { AddressLanes } from './address-lanes';
import { defaultPublicDir, loadWebAssets, registerWebAssets } from './web-static';

/** Notifications held for a citizen, rendered, and marked sent (the notification outbox provides it). */
export type TakeHeld = (channel: ChannelName, userId: string) => Promise<OutgoingMessage[]>;

export interface WebLimits {
  /** Messages an address may send a day (all its sessions); beyond, 429 until the next day. */
  readonly perAddressPerDay: number;
  /** Messages of an address a day after which each new session must solve the challenge. */
  readonly challengeAfter: number;
  /** `updates` polls per address per minute. */
  readonly updatesPerMinute: number;
}

export interface WebChatDeps {
  readonly inbound: Pick<InboundPipeline, 'submit' | 'refusesRequester'>;
  readonly takeHeld: TakeHeld;
  readonly content: ContentSource;
  readonly shared: Pick<SharedWindowLimits, 'take'>;
  readonly limits: WebLimits;
  readonly challenge: Pick<WebChallenge, 'issue' | 'verify'>;
  /** Keyed hash: the requester key of an address. */
  readonly pseudonymize: Pseudonymize;
  /** Counts refusals (metrics: bot_rejected_requests_total). */
  readonly onRejected?: (endpoint: string, reason: string) => void;
  /** Shown in the page's header and title. */
  readonly botName: string;
  /** Folder of index.html, chat.js, chat.css; default: the `public` folder beside this module. */
  readonly publicDir?: string;
  readonly logger?: Logger;
}

export const WEB_CHAT_TEXT_LIMIT = 2000;
const DAY_MS = 24 * 3_600_000;

const sessionId = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'sessionId: 16–64 characters A–Z, a–z, 0–9, _ or -');
const chatRequest = z.object({
  sessionId,
  text: z
    .string()
    .max(WEB_CHAT_TEXT_LIMIT, `text: at most ${WEB_CHAT_TEXT_LIMIT} characters`)
    .refine((t) => t.trim().length > 0, 'text: must not be empty'),
  locale: z.enum(['vi', 'en']).optional(),
  /** The solved challenge (base64 ALTCHA payload), once the address needed one. */
  proof: z.string().max(2000).optional(),
});
const updatesQuery = z.object({ sessionId });

/** Response of POST /api/chat. */
export interface ChatResponse {
  readonly messages: readonly OutgoingMessage[];
  readonly locale: Locale;
  /** True when the message was refused by a limit. */
  readonly throttled?: boolean;
  /** Set with status 428: solve it and send the message again with `proof`. */
  readonly challenge?: Challenge;
}

/** The fastify plugin (register it without fastify-plugin; it declares `/` and `/api/chat*`). */
export async function webChatRoutes(app: FastifyInstance, deps: WebChatDeps): Promise<void> {
  const logger = deps.logger ?? silentLogger();
  const rules = {
    day: { name: 'web-addr-day', limit: deps.limits.perAddressPerDay, windowMs: DAY_MS },
    updates: { name: 'web-updates', limit: deps.limits.updatesPerMinute, windowMs: 60_000 },
  } satisfies Record<string, WindowRule>;
  const tarpit = new RefusalTarpit();
  const lanes = new AddressLanes();
  registerWebAssets(app, await loadWebAssets(deps.publicDir ?? defaultPublicDir(), deps.botName));
  app.post('/api/chat', {
    bodyLimit: 16 * 1024,
    // An address whose burst is spent is turned away before its body is parsed: a flood
    // costs a hash and a map look-up per request, not JSON, validation and a database write.
    onRequest: async (request, reply) => {
      const requester = requesterOf(request, deps);
      const full = lanes.full(requester);
      if (full) deps.onRejected?.('web_chat', 'in_flight');
      if (!full && !deps.inbound.refusesRequester('web', requester)) return undefined;
      // A client that keeps being refused is answered slowly (refusal-tarpit.ts).
      await tarpit.delay(requester);
      return reply
        .code(429)
        .header('retry-after', '1')
        .send({ messages: [], locale: 'vi', throttled: true } satisfies ChatResponse);
    },
    handler: async (request, reply) => {
      // Two messages of an address at a time do their work; the next ones wait their turn (address-lanes.ts).
      const requester = requesterOf(request, deps);
      await lanes.enter(requester);
      try {
        return await handleChat(request, reply, deps, rules.day, logger);
      } finally {
        lanes.leave(requester);
      }
    },
  });
  app.get('/api/chat/updates', { exposeHeadRoute: false }, (request, reply) => handleUpdates(request, reply, deps, rules.updates, logger));
}

function requesterOf(request: FastifyRequest, deps: WebChatDeps): string {
  return `ip:${deps.pseudonymize(`ip:${request.ip}`)}`;
}

async function handleChat(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: WebChatDeps,
  dayRule: WindowRule,
  logger: Logger,
): Promise<unknown> {
  const parsed = chatRequest.safeParse(request.body);
  if (!parsed.success) return badRequest(reply, parsed.error, deps);
  const { sessionId: userId, text, locale, proof } = parsed.data;
  const replyLocale = locale ?? 'vi';
  const requesterKey = requesterOf(request, deps);
  // The daily cap and the challenge run in the pipeline's gate: after its limits held in
  // memory, so a flood those refuse costs no database round trip.
  let gated: (() => FastifyReply) | undefined;
  let refusedNotice: string | undefined;
  const submission = deps.inbound.submit<Reply>({
    message: { channel: 'web', userId, requesterKey, text, ...(locale ? { locale } : {}) },
    run: (message, converse) => converse(message),
    slowDown: async () => {
      refusedNotice = slowDownText(deps.content.current(), replyLocale);
    },
    gate: async () => {
      const day = await deps.shared.take(dayRule, requesterKey);
      if (!day.allowed) {
        gated = () => throttled(reply, deps, replyLocale, day.firstRefusal, 'address_day', logger);
        return false;
      }
      if (day.count > deps.limits.challengeAfter && !(await deps.challenge.verify(proof, userId))) {
        const challenge = await deps.challenge.issue(userId);
        gated = () => {
          deps.onRejected?.('web_chat', proof ? 'bad_proof' : 'challenge');
          logger.info({ channel: 'web', proof: Boolean(proof) }, 'web message needs a solved challenge');
          return reply.code(428).send({ messages: [], locale: replyLocale, challenge } satisfies ChatResponse);
        };
        return false;
      }
      return true;
    },
  });
  const admission = await submission.admitted;
  if (admission.kind === 'gated' && gated) return gated();
  if (admission.kind !== 'accepted') {
    const messages = refusedNotice ? [{ text: refusedNotice }] : [];
    logger.info({ channel: 'web', refused: admission.kind }, 'web message refused');
    return reply
      .code(admission.kind === 'busy' ? 503 : 429)
      .header('retry-after', '1')
      .send({ messages, locale: replyLocale, throttled: true } satisfies ChatResponse);
  }
  const answer = await submission.done;
  if (!answer) throw new Error('the conversation turn ended without a reply');
  logger.info({ channel: 'web', intent: answer.intent }, 'web reply');
  return reply.header('cache-control', 'no-store').send({ messages: answer.messages, locale: answer.locale } satisfies ChatResponse);
}

function throttled(reply: FastifyReply, deps: WebChatDeps, locale: Locale, notify: boolean, reason: string, logger: Logger): FastifyReply {
  deps.onRejected?.('web_chat', reason);
  logger.info({ channel: 'web', limit: reason }, 'web message refused by a limit');
  const messages = notify ? [{ text: slowDownText(deps.content.current(), locale) }] : [];
  return reply
    .code(429)
    .header('retry-after', '60')
    .send({ messages, locale, throttled: true } satisfies ChatResponse);
}

async function handleUpdates(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: WebChatDeps,
  rule: WindowRule,
  logger: Logger,
): Promise<unknown> {
  const parsed = updatesQuery.safeParse(request.query);
  if (!parsed.success) return badRequest(reply, parsed.error, deps);
  const window = await deps.shared.take(rule, requesterOf(request, deps));
  if (!window.allowed) {
    deps.onRejected?.('web_updates', 'per_minute');
    return reply.code(429).header('retry-after', '60').send({ error: 'too many polls, retry later' });
  }
  const messages = await deps.takeHeld('web', parsed.data.sessionId);
  if (messages.length) logger.info({ channel: 'web', count: messages.length }, 'web notifications delivered');
  return reply.header('cache-control', 'no-store').send({ messages });
}

function badRequest(reply: FastifyReply, error: z.ZodError, deps: WebChatDeps): FastifyReply {
  deps.onRejected?.('web_chat', 'malformed');
  return reply.code(400).send({ error: error.issues.map((i) => i.message).join('; ') });
}
