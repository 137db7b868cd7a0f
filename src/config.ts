/**
 * The service's configuration, read from the environment (and `.env` through dotenv),
 * validated once at start-up. Every problem is listed at once — an operator fixing a
 * deployment should not have to restart ten times to find ten typos.
 */
import { z } from 'zod';

const optionalString = z
  .string()
  .trim()
  .transform((s) => (s === '' ? undefined : s))
  .optional();
const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const url = z.string().trim().url();

export const ConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  PORT: port.default(3000),
  PUBLIC_URL: url.optional(),
  /**
   * Reverse proxies whose X-Forwarded-For is believed (comma-separated addresses or CIDR
   * ranges, e.g. "127.0.0.1,10.0.0.0/8"). Empty: the header is ignored and the client
   * address is the socket's — never trust the header from anyone.
   */
  TRUSTED_PROXIES: z
    .string()
    .trim()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
    ),

  MONGODB_URI: optionalString,
  MONGODB_DB: optionalString,
  DATA_DIR: z.string().trim().min(1).default('./data'),
  /** Port of the embedded database on 127.0.0.1; 0: any free port (the lock file in DATA_DIR records it). */
  EMBEDDED_DB_PORT: port.default(0),

  INTENTS_DIR: z.string().trim().min(1).default('intents'),
  LOCALES_DIR: z.string().trim().min(1).default('locales'),
  /** The procedure catalog (procedures/<field>/<id>.yaml, docs/procedure-catalog.md). */
  PROCEDURES_DIR: z.string().trim().min(1).default('procedures'),
  ABBREVIATIONS_FILE: z.string().trim().min(1).default('config/abbreviations.yaml'),
  DIRECTORY_FILE: z.string().trim().min(1).default('config/directory/kontum-2021.yaml'),
  HOLIDAYS_FILE: z.string().trim().min(1).default('config/holidays.yaml'),
  SECTORS_FILE: z.string().trim().min(1).default('config/sectors.yaml'),
  NEWS_TOPICS_FILE: z.string().trim().min(1).default('config/news-topics.yaml'),
  SURVEYS_DIR: z.string().trim().min(1).default('surveys'),
  /** Telegram's bot-wide limit (≈30 messages/s); every message, replies and news, is paced under it. */
  TELEGRAM_GLOBAL_PER_SECOND: positiveInt.default(30),
  /** News and survey invitations to Telegram per second: below the bot-wide limit, so replies keep room. */
  NEWS_TELEGRAM_PER_SECOND: positiveInt.default(20),
  /** News to Zalo per minute (Zalo allows 4,000 API calls a minute per OA, replies included). */
  NEWS_ZALO_PER_MINUTE: positiveInt.default(2000),
  /** News goes to a Zalo citizen only this long after their last message (Zalo's consultation window: 7 days). */
  NEWS_ZALO_WINDOW_HOURS: positiveInt.default(168),
  WATCH_CONTENT: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),

  BOT_NAME: z.string().trim().min(1).default('Trợ lý CCHC'),
  /** The hotline number; unset, texts say where to find one instead of "call this number". */
  HOTLINE: optionalString,
  NLU_THRESHOLD: z.coerce.number().min(0).max(1).optional(),

  TELEGRAM_BOT_TOKEN: optionalString,
  TELEGRAM_MODE: z.enum(['polling', 'webhook']).default('polling'),
  TELEGRAM_API_ROOT: url.default('https://api.telegram.org'),
  TELEGRAM_WEBHOOK_SECRET: optionalString,

  ZALO_APP_ID: optionalString,
  ZALO_APP_SECRET: optionalString,
  ZALO_OA_SECRET_KEY: optionalString,
  ZALO_ACCESS_TOKEN: optionalString,
  ZALO_REFRESH_TOKEN: optionalString,
  ZALO_OPENAPI_BASE: url.default('https://openapi.zalo.me'),
  ZALO_OAUTH_BASE: url.default('https://oauth.zaloapp.com'),
  ZALO_TEMPLATE_ID: optionalString,

  FORWARDING_MODE: z.enum(['live', 'noop']).default('live'),
  SMTP_URL: optionalString,
  MAIL_FROM: z.string().trim().min(3).default('Trợ lý CCHC <no-reply@localhost>'),

  USER_MESSAGES_BURST: positiveInt.default(10),
  USER_MESSAGES_PER_MINUTE: positiveInt.default(30),
  ADDRESS_MESSAGES_BURST: positiveInt.default(30),
  ADDRESS_MESSAGES_PER_MINUTE: positiveInt.default(120),
  WEB_MESSAGES_PER_ADDRESS_PER_DAY: positiveInt.default(1000),
  WEB_CHALLENGE_AFTER: z.coerce.number().int().min(0).default(150),
  WEB_UPDATES_PER_MINUTE: positiveInt.default(60),
  COMPLAINTS_PER_DAY: positiveInt.default(5),
  FLOW_IDLE_MINUTES: positiveInt.default(30),
  OUTBOX_POLL_MS: positiveInt.default(1000),
  OUTBOX_MAX_ATTEMPTS: positiveInt.default(8),
  /**
   * Retention (docs/privacy.md says why each period): personal data of a resolved or
   * closed complaint is erased this many days after its last change (the record stays,
   * anonymous, for statistics).
   */
  RETENTION_FINISHED_COMPLAINT_DAYS: positiveInt.default(365),
  /** Conversation state (language, draft) of Telegram and Zalo citizens untouched this long is deleted. */
  RETENTION_CONVERSATION_DAYS: positiveInt.default(30),
  /** Conversation state of the anonymous web chat and the console untouched this long is deleted. */
  RETENTION_WEB_CONVERSATION_DAYS: positiveInt.default(2),
  /** Records of complaint cards posted in agencies' Telegram groups (the main card stays known through its complaint). */
  RETENTION_TELEGRAM_CARD_DAYS: positiveInt.default(90),
  /** Numbered menus last shown to Zalo citizens (a menu is answered within 24 h or not at all). */
  RETENTION_ZALO_MENU_DAYS: positiveInt.default(2),
  /** /metrics on a listener of its own (e.g. 9464); off when unset. */
  METRICS_PORT: port.optional(),
  METRICS_HOST: z.string().trim().min(1).default('127.0.0.1'),
  /** When set, /metrics is also served on the public listener to `Authorization: Bearer <token>`. */
  METRICS_TOKEN: optionalString,
  /** Days the question log (what citizens ask, for the reports) is kept. */
  QUESTION_LOG_RETENTION_DAYS: positiveInt.default(365),
  /** The console's session cookie: `auto` (Secure over HTTPS, as a trusted proxy reports it), `true` or `false`. */
  CONSOLE_SECURE_COOKIE: z.enum(['auto', 'true', 'false']).default('auto'),
});

/**
 * Rules that involve several variables. Checked on the raw environment, apart from the
 * schema, so they are reported together with type errors instead of after them.
 */
function crossFieldProblems(env: NodeJS.ProcessEnv): string[] {
  const value = (key: string): string | undefined => (env[key]?.trim() ? env[key].trim() : undefined);
  const problems: string[] = [];
  const need = (condition: boolean, key: string, message: string): void => {
    if (!condition) problems.push(`${key}: ${message}`);
  };
  const token = value('TELEGRAM_BOT_TOKEN');
  if (token) {
    need(/^\d+:[A-Za-z0-9_-]{20,}$/.test(token), 'TELEGRAM_BOT_TOKEN', 'does not look like a bot token from @BotFather (digits:letters)');
    if (value('TELEGRAM_MODE') === 'webhook') {
      need(
        Boolean(value('PUBLIC_URL')),
        'PUBLIC_URL',
        'is required when TELEGRAM_MODE=webhook (Telegram must reach https://…/telegram/webhook)',
      );
      need(Boolean(value('TELEGRAM_WEBHOOK_SECRET')), 'TELEGRAM_WEBHOOK_SECRET', 'is required when TELEGRAM_MODE=webhook');
    }
  }
  const secret = value('TELEGRAM_WEBHOOK_SECRET');
  if (secret)
    need(/^[A-Za-z0-9_-]{16,256}$/.test(secret), 'TELEGRAM_WEBHOOK_SECRET', 'must be 16–256 characters of A-Z a-z 0-9 _ - (Telegram rule)');
  const zaloKeys = ['ZALO_APP_ID', 'ZALO_APP_SECRET', 'ZALO_OA_SECRET_KEY', 'ZALO_REFRESH_TOKEN'];
  if (zaloKeys.some((k) => value(k))) {
    for (const k of zaloKeys)
      need(
        Boolean(value(k)),
        k,
        'is required when Zalo is configured (set all of ZALO_APP_ID, ZALO_APP_SECRET, ZALO_OA_SECRET_KEY, ZALO_REFRESH_TOKEN)',
      );
  }
  return problems;
}

export type Config = z.output<typeof ConfigSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration (${problems.length} problem(s)):\n` + problems.map((p) => `  - ${p}`).join('\n'));
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws {@link ConfigError} listing every problem. Secrets never appear in messages. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = ConfigSchema.safeParse(env);
  const problems = [
    ...(result.success ? [] : result.error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`)),
    ...crossFieldProblems(env),
  ];
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return result.data;
}

/** Which channels this configuration runs, for the start-up log. */
export function enabledChannels(config: Config): string[] {
  const channels = ['web'];
  if (config.TELEGRAM_BOT_TOKEN) channels.push(`telegram (${config.TELEGRAM_MODE})`);
  if (config.ZALO_APP_ID) channels.push('zalo');
  return channels;
}
