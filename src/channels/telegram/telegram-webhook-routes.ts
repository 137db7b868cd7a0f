/**
 * The webhook endpoint Telegram POSTs updates to (`POST /telegram/webhook`). The secret
 * header is checked in `onRequest`, before the body is even parsed, so a forged request
 * costs nothing: it is answered 401, logged (without anything from the request) and
 * counted. The rest is the channel's `handleWebhook`.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../../infra/logger';
import { silentLogger } from '../../infra/logger';

export const WEBHOOK_PATH = '/telegram/webhook';
export const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

/** What the route needs of the Telegram channel. */
export interface WebhookReceiver {
  checkSecret(header: string | undefined): boolean;
  handleWebhook(body: unknown): Promise<{ readonly status: number; readonly body?: object }>;
}

export interface TelegramWebhookDeps {
  readonly bot: WebhookReceiver;
  /** Counts refusals (metrics: bot_rejected_requests_total). */
  readonly onRejected?: (reason: string) => void;
  readonly logger?: Logger;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Registers `POST /telegram/webhook` (use in webhook mode only). */
export async function telegramWebhookRoutes(app: FastifyInstance, deps: TelegramWebhookDeps): Promise<void> {
  const logger = deps.logger ?? silentLogger();
  app.post(WEBHOOK_PATH, {
    bodyLimit: 1024 * 1024,
    onRequest: async (_request, reply) => {
      if (!deps.bot.checkSecret(headerValue(_request.headers[SECRET_HEADER]))) {
        deps.onRejected?.('bad_secret');
        logger.warn({ channel: 'telegram', reason: 'bad or missing secret token' }, 'telegram webhook refused (401)');
        return reply.code(401).send({ ok: false, error: 'unauthorized' });
      }
      return undefined;
    },
    handler: async (request, reply) => {
      const result = await deps.bot.handleWebhook(request.body);
      if (result.status !== 200) deps.onRejected?.(result.status === 400 ? 'malformed' : 'unavailable');
      return reply.code(result.status).send(result.body ?? {});
    },
  });
}
