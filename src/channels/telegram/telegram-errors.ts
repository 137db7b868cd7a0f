/**
 * How a failed Bot API call is handled, by failure domain: the API said "too many
 * requests" (wait as told), the API or the network failed (retry with backoff), or the
 * API said no for good (the citizen blocked the bot, the group is gone, the request is
 * wrong). Error texts kept here are Telegram's descriptions, which carry no message text.
 */
import { TelegramError } from 'telegraf';
import type { ErrorDecision } from './telegram-send-queue';

/** Network error codes of node-fetch / Node sockets that are worth a retry. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
]);

/** Decides what the send queue does with an error thrown by a telegraf call. */
export function classifyTelegramError(error: unknown): ErrorDecision {
  if (error instanceof TelegramError) return classifyApiError(error.code, error.description, error.parameters?.retry_after);
  if (isNetworkError(error)) return { action: 'backoff', error: `network: ${errorName(error)}` };
  return { action: 'fail', kind: 'retry', error: `unexpected: ${errorName(error)}` };
}

/** The same decision from the parts of a Bot API error answer. */
export function classifyApiError(code: number, description: string, retryAfterSeconds?: number): ErrorDecision {
  const error = `${code}: ${description}`;
  if (code === 429) return { action: 'rate_limited', retryAfterMs: Math.max(1, retryAfterSeconds ?? 1) * 1000, code, error };
  if (code >= 500) return { action: 'backoff', code, error };
  // 403: "bot was blocked by the user", "bot was kicked from the group chat": the chat refuses for good.
  // 400: "chat not found", a bad keyboard…: sending the same request again cannot help.
  if (code === 403 || code === 400) return { action: 'fail', kind: 'permanent', code, error };
  // 401 (token revoked) and the rest: a configuration problem an admin can fix; keep the message.
  return { action: 'fail', kind: 'retry', code, error };
}

function isNetworkError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'FetchError' || error.name === 'AbortError') return true;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && NETWORK_CODES.has(code);
}

function errorName(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${error.name} ${code}` : error.name;
  }
  return typeof error;
}
