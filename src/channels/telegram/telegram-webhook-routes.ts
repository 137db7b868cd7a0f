/**
 * The webhook endpoint Telegram POSTs updates to (`POST /telegram/webhook`). The secret
 * header is checked in `onRequest`, before the body is even parsed, so a forged request
 * costs nothing and is answered 401; the rest is {@link TelegramBot.handleWebhook}.
 */
import type { FastifyInstance } from 'fastify';
import { WEBHOOK_PATH, type TelegramBot } from './telegram-adapter';

export const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

export interface TelegramWebhookDeps {
  readonly bot: Pick<TelegramBot, 'checkSecret' | 'handleWebhook'>;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Registers `POST /telegram/webhook` (use in webhook mode only). */
export async function telegramWebhookRoutes(app: FastifyInstance, deps: TelegramWebhookDeps): Promise<void> {
  app.post(WEBHOOK_PATH, {
    bodyLimit: 1024 * 1024,
    onRequest: async (request, reply) => {
      if (!deps.bot.checkSecret(headerValue(request.headers[SECRET_HEADER]))) {
        return reply.code(401).send({ ok: false, error: 'unauthorized' });
      }
      return undefined;
    },
    handler: async (request, reply) => {
      const result = await deps.bot.handleWebhook(request.body, headerValue(request.headers[SECRET_HEADER]));
      return reply.code(result.status).send(result.body ?? {});
    },
  });
}
