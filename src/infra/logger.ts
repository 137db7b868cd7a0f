/**
 * The structured JSON logger (pino). Personal data stays out of logs by construction —
 * the code logs intents, codes and ids, never message texts — and by redaction as a
 * safety net for fields that could carry it.
 */
import pino, { type Logger } from 'pino';

export type { Logger };

/** Field names whose values are replaced by "[redacted]" wherever they appear (two levels deep). */
export const REDACTED_FIELDS = [
  'text',
  'phone',
  'name',
  'contact',
  'idNumber',
  'address',
  'message',
  'body',
  'caption',
  'apiKey',
  'token',
  'access_token',
  'refresh_token',
  'authorization',
  'secret',
];

const redactPaths = REDACTED_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]);

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  const config: pino.LoggerOptions = {
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    redact: { paths: redactPaths, censor: '[redacted]' },
    base: { service: 'cchc-chatbot' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}

/** A logger that discards everything, for tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
