/**
 * The web chat: the page at `/`, `POST /api/chat` (one message, the bot's replies) and
 * `GET /api/chat/updates` (notifications waiting for this session).
 *
 * Why this shape: the page is anonymous, so its identity is a random session id it keeps
 * in localStorage; the id is validated strictly (it becomes a conversation key) and every
 * session is rate limited like a Zalo user. A web page cannot be pushed to, so the web
 * channel's sender always answers "outside the window" and notifications wait, held, until
 * the page polls `updates` (every 15 s while open); `takeHeld` renders them and marks them
 * sent. Logs carry intents and counts, never texts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ContentSource } from '../../core/bot-content';
import type { ConversationEngine } from '../../core/conversation-engine';
import type { ChannelName, Locale, OutgoingMessage } from '../../core/messages';
import type { Logger } from '../../infra/logger';
import { silentLogger } from '../../infra/logger';
import { slowDownText, type UserRateLimiter } from '../rate-limiter';
import { defaultPublicDir, loadWebAssets, registerWebAssets } from './web-static';

/** Notifications held for a citizen, rendered, and marked sent (the notification outbox provides it). */
export type TakeHeld = (channel: ChannelName, userId: string) => Promise<OutgoingMessage[]>;

export interface WebChatDeps {
  readonly engine: Pick<ConversationEngine, 'handle'>;
  readonly takeHeld: TakeHeld;
  readonly content: ContentSource;
  /** Per session (10 burst, 1/s is the default UserRateLimiter). */
  readonly rateLimiter: Pick<UserRateLimiter, 'take'>;
  /**
   * Optional per client address, with a larger burst: a script can make up session ids,
   * not addresses. Needs fastify's `trustProxy` behind a reverse proxy.
   */
  readonly addressRateLimiter?: Pick<UserRateLimiter, 'take'>;
  /** Shown in the page's header and title. */
  readonly botName: string;
  /** Folder of index.html, chat.js, chat.css; default: the `public` folder beside this module. */
  readonly publicDir?: string;
  readonly logger?: Logger;
}

export const WEB_CHAT_TEXT_LIMIT = 2000;

const sessionId = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'sessionId: 16–64 characters A–Z, a–z, 0–9, _ or -');
const chatRequest = z.object({
  sessionId,
  text: z
    .string()
    .max(WEB_CHAT_TEXT_LIMIT, `text: at most ${WEB_CHAT_TEXT_LIMIT} characters`)
    .refine((t) => t.trim().length > 0, 'text: must not be empty'),
  locale: z.enum(['vi', 'en']).optional(),
});
const updatesQuery = z.object({ sessionId });

/** Response of POST /api/chat. */
export interface ChatResponse {
  readonly messages: readonly OutgoingMessage[];
  readonly locale: Locale;
  /** True when the message was dropped by the rate limit. */
  readonly throttled?: boolean;
}

/** The fastify plugin (register it without fastify-plugin; it declares `/` and `/api/chat*`). */
export async function webChatRoutes(app: FastifyInstance, deps: WebChatDeps): Promise<void> {
  const logger = deps.logger ?? silentLogger();
  registerWebAssets(app, await loadWebAssets(deps.publicDir ?? defaultPublicDir(), deps.botName));
  app.post('/api/chat', { bodyLimit: 16 * 1024 }, (request, reply) => handleChat(request, reply, deps, logger));
  app.get('/api/chat/updates', (request, reply) => handleUpdates(request, reply, deps, logger));
}

async function handleChat(request: FastifyRequest, reply: FastifyReply, deps: WebChatDeps, logger: Logger): Promise<unknown> {
  const parsed = chatRequest.safeParse(request.body);
  if (!parsed.success) return badRequest(reply, parsed.error);
  const { sessionId: userId, text, locale } = parsed.data;
  const throttled = throttle(request, userId, deps);
  if (throttled) {
    const replyLocale = locale ?? 'vi';
    const messages = throttled.notify ? [{ text: slowDownText(deps.content.current(), replyLocale) }] : [];
    logger.info({ channel: 'web', notice: throttled.notify }, 'web message throttled');
    return reply
      .code(429)
      .header('retry-after', '1')
      .send({ messages, locale: replyLocale, throttled: true } satisfies ChatResponse);
  }
  const answer = await deps.engine.handle({ channel: 'web', userId, text, ...(locale ? { locale } : {}) });
  logger.info({ channel: 'web', intent: answer.intent }, 'web reply');
  return reply.header('cache-control', 'no-store').send({ messages: answer.messages, locale: answer.locale } satisfies ChatResponse);
}

async function handleUpdates(request: FastifyRequest, reply: FastifyReply, deps: WebChatDeps, logger: Logger): Promise<unknown> {
  const parsed = updatesQuery.safeParse(request.query);
  if (!parsed.success) return badRequest(reply, parsed.error);
  const messages = await deps.takeHeld('web', parsed.data.sessionId);
  if (messages.length) logger.info({ channel: 'web', count: messages.length }, 'web notifications delivered');
  return reply.header('cache-control', 'no-store').send({ messages });
}

/** The session's and the address's buckets; a throttled decision, or undefined when allowed. */
function throttle(request: FastifyRequest, userId: string, deps: WebChatDeps): { notify: boolean } | undefined {
  const byAddress = deps.addressRateLimiter?.take('web-address', request.ip);
  if (byAddress && !byAddress.allowed) return { notify: byAddress.notify };
  const bySession = deps.rateLimiter.take('web', userId);
  return bySession.allowed ? undefined : { notify: bySession.notify };
}

function badRequest(reply: FastifyReply, error: z.ZodError): FastifyReply {
  return reply.code(400).send({ error: error.issues.map((i) => i.message).join('; ') });
}
