/**
 * A local fake of the Telegram Bot API (https://core.telegram.org/bots/api) for end-to-end
 * tests and benchmarks. The bot under test is pointed at it with telegraf's
 * `telegram: { apiRoot }` and talks to it over real HTTP, in long-polling or webhook mode,
 * while the test plays the users through the driving API (`userSendsText`, ...).
 *
 * Only node:http is used, and the fake never contacts anything but loopback addresses:
 * webhook URLs must point at 127.0.0.0/8, localhost or [::1], and photos sent "by URL" are
 * registered without being fetched.
 */
import { randomBytes } from 'node:crypto';
import {
  createServer,
  request as httpRequest,
  type ClientRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  ApiResponse,
  ApiResult,
  CallbackQuery,
  Chat,
  ChatMember,
  ChatMemberStatus,
  ChatMemberUpdated,
  InlineKeyboardButton,
  InlineKeyboardMarkup,
  JsonValue,
  Location,
  Message,
  MessageEntity,
  PhotoSize,
  ResponseParameters,
  TelegramFile,
  Update,
  User,
  WebhookInfo,
} from './telegram-types';

export type * from './telegram-types';

// ---------------------------------------------------------------------------------------
// Public option and record types
// ---------------------------------------------------------------------------------------

/** Flood limits, as design notes §4 describes Telegram's: per private chat, per group, per bot. */
export interface RateLimits {
  perChatPerSecond: number;
  perGroupPerMinute: number;
  globalPerSecond: number;
}

/** Telegram's documented defaults, used by `rateLimits: true`. */
export const TELEGRAM_RATE_LIMITS: RateLimits = { perChatPerSecond: 1, perGroupPerMinute: 20, globalPerSecond: 30 };

/** Construction options; every field has a default that suits fast tests. */
export interface FakeTelegramOptions {
  /** Bot token; its numeric prefix is the bot's user id. */
  token?: string;
  botUsername?: string;
  botFirstName?: string;
  /** Off by default; `true` means {@link TELEGRAM_RATE_LIMITS}. */
  rateLimits?: boolean | Partial<RateLimits>;
  /** Pause before a failed webhook delivery is tried again (default 50 ms). */
  webhookRetryDelayMs?: number;
  /** Attempts per update before the fake gives up on it, as Telegram eventually does (default 10). */
  webhookMaxAttempts?: number;
  /** How long a webhook POST may take before it counts as failed (default 10 s). */
  webhookTimeoutMs?: number;
}

/** An error to answer instead of running a method, see {@link FakeTelegramServer.failNext}. */
export interface InjectedError {
  error_code: number;
  description: string;
  retry_after?: number;
}

/** A file part of a multipart/form-data request. */
export interface UploadedFile {
  filename: string;
  contentType: string;
  data: Buffer;
}

/** Parameters of one call, whatever the transport; JSON-typed fields are decoded. */
export type Params = Record<string, JsonValue>;

/** One successful Bot API call made by the bot (getUpdates polling is not recorded). */
export interface SentCall {
  method: string;
  params: Params;
  uploads: Record<string, UploadedFile>;
  result: ApiResult;
  /** `webhook-response` when the bot answered a webhook POST with a method call. */
  via: 'http' | 'webhook-response';
  at: number;
}

/** A Telegram Chat for a private conversation with `user` (its id is the user's id). */
export function privateChatOf(user: User): Chat {
  return { id: user.id, type: 'private', first_name: user.first_name, ...(user.username ? { username: user.username } : {}) };
}

/** Narrows an API result to a Message. */
export function isMessage(result: ApiResult | undefined): result is Message {
  return typeof result === 'object' && result !== null && !Array.isArray(result) && 'message_id' in result;
}

// ---------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------

/** An error answer of the Bot API; its code is also the HTTP status, as Telegram does. */
class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly parameters?: ResponseParameters,
  ) {
    super(description);
  }

  toResponse(): ApiResponse<never> {
    const base = { ok: false as const, error_code: this.code, description: this.description };
    return this.parameters ? { ...base, parameters: this.parameters } : base;
  }
}

function badRequest(what: string): ApiError {
  return new ApiError(400, `Bad Request: ${what}`);
}

function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ApiError(500, `Internal Server Error: ${message}`);
}

// ---------------------------------------------------------------------------------------
// Request parsing: query string, JSON, urlencoded and multipart/form-data
// ---------------------------------------------------------------------------------------

const MAX_BODY_BYTES = 60 * 1024 * 1024;
const MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024;

interface RawParams {
  fields: Record<string, JsonValue>;
  uploads: Record<string, UploadedFile>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ApiError(413, 'Request Entity Too Large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Parses a request or webhook-answer body according to its content type. */
export function parseBodyParams(contentType: string | undefined, body: Buffer): RawParams {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (body.length === 0) return { fields: {}, uploads: {} };
  if (type === 'application/json') return { fields: parseJsonObject(body.toString('utf8')), uploads: {} };
  if (type === 'application/x-www-form-urlencoded') {
    return { fields: Object.fromEntries(new URLSearchParams(body.toString('utf8'))), uploads: {} };
  }
  if (type === 'multipart/form-data') return parseMultipart(body, multipartBoundary(contentType ?? ''));
  return { fields: {}, uploads: {} };
}

function parseJsonObject(text: string): Record<string, JsonValue> {
  let value: JsonValue;
  try {
    value = JSON.parse(text) as JsonValue;
  } catch {
    throw badRequest("can't parse JSON encoded request body");
  }
  if (!isJsonObject(value)) throw badRequest('JSON object expected as request body');
  return value;
}

function multipartBoundary(contentType: string): string {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) throw badRequest('multipart/form-data request without boundary');
  return boundary;
}

/**
 * A minimal RFC 7578 parser over the whole body: parts are split on CRLF--boundary, headers
 * end at the first blank line, and a part with a `filename` is a file upload.
 */
export function parseMultipart(body: Buffer, boundary: string): RawParams {
  const delimiter = Buffer.from(`--${boundary}`);
  const separator = Buffer.from(`\r\n--${boundary}`);
  const result: RawParams = { fields: {}, uploads: {} };
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw badRequest('multipart/form-data body without boundary');
  pos += delimiter.length;
  while (body.subarray(pos, pos + 2).toString('latin1') !== '--') {
    const lineEnd = body.indexOf('\r\n', pos);
    const headerEnd = lineEnd < 0 ? -1 : body.indexOf('\r\n\r\n', lineEnd);
    const next = headerEnd < 0 ? -1 : body.indexOf(separator, headerEnd + 4);
    if (next < 0) throw badRequest('malformed multipart/form-data body');
    const headerText = headerEnd > lineEnd ? body.subarray(lineEnd + 2, headerEnd).toString('utf8') : '';
    addPart(result, parsePartHeaders(headerText), body.subarray(headerEnd + 4, next));
    pos = next + separator.length;
  }
  return result;
}

function parsePartHeaders(text: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

function dispositionParams(value: string): Map<string, string> {
  const params = new Map<string, string>();
  const pattern = /;\s*([^=;\s]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (const match of value.matchAll(pattern)) {
    params.set(match[1].toLowerCase(), match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3].trim());
  }
  return params;
}

function addPart(result: RawParams, headers: Map<string, string>, data: Buffer): void {
  const disposition = dispositionParams(headers.get('content-disposition') ?? '');
  const name = disposition.get('name');
  if (name === undefined) return;
  const filename = disposition.get('filename');
  if (filename === undefined) {
    result.fields[name] = data.toString('utf8');
    return;
  }
  const contentType = headers.get('content-type') ?? 'application/octet-stream';
  result.uploads[name] = { filename, contentType, data: Buffer.from(data) };
}

const INT_FIELDS = new Set([
  'chat_id',
  'from_chat_id',
  'message_id',
  'reply_to_message_id',
  'message_thread_id',
  'offset',
  'limit',
  'timeout',
  'user_id',
  'cache_time',
  'max_connections',
]);
const BOOL_FIELDS = new Set([
  'drop_pending_updates',
  'show_alert',
  'disable_notification',
  'protect_content',
  'has_spoiler',
  'disable_web_page_preview',
  'allow_sending_without_reply',
  'show_caption_above_media',
]);
const JSON_FIELDS = new Set([
  'reply_markup',
  'reply_parameters',
  'allowed_updates',
  'link_preview_options',
  'entities',
  'caption_entities',
  'media',
  'results',
]);

/**
 * Gives every transport the same parameter shapes (numbers, booleans, decoded JSON fields),
 * so tests can assert on `sent[i].params` without caring whether telegraf used JSON or multipart.
 */
export function normalizeParams(raw: Record<string, JsonValue>): Params {
  const params: Params = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key !== 'method') params[key] = normalizeValue(key, value);
  }
  return params;
}

function normalizeValue(key: string, value: JsonValue): JsonValue {
  if (typeof value !== 'string') return value;
  if (JSON_FIELDS.has(key)) {
    try {
      return JSON.parse(value) as JsonValue;
    } catch {
      throw badRequest(key === 'reply_markup' ? "can't parse reply keyboard markup JSON object" : `can't parse ${key} JSON object`);
    }
  }
  if (INT_FIELDS.has(key) && /^\s*-?\d+\s*$/.test(value)) return Number(value);
  if (BOOL_FIELDS.has(key)) return value === 'true' || value === '1' || value === 'True';
  return value;
}

function isJsonObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function paramString(params: Params, key: string): string | undefined {
  const value = params[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw badRequest(`field "${key}" must be of type String`);
}

function paramInt(params: Params, key: string): number | undefined {
  const value = params[key];
  if (typeof value === 'number') return Math.trunc(value);
  if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) return Number(value);
  if (value === undefined || value === null || value === '') return undefined;
  throw badRequest(`field "${key}" must be of type Integer`);
}

function paramBool(params: Params, key: string): boolean {
  const value = params[key];
  return value === true || value === 'true' || value === 1;
}

// ---------------------------------------------------------------------------------------
// Formatting: parse_mode HTML (Telegram rejects bad markup with 400, a classic bot bug)
// ---------------------------------------------------------------------------------------

interface FormattedText {
  text: string;
  entities: MessageEntity[];
}

const HTML_TAG_TYPES: Record<string, string> = {
  b: 'bold',
  strong: 'bold',
  i: 'italic',
  em: 'italic',
  u: 'underline',
  ins: 'underline',
  s: 'strikethrough',
  strike: 'strikethrough',
  del: 'strikethrough',
  code: 'code',
  pre: 'pre',
  a: 'text_link',
  'tg-spoiler': 'spoiler',
  span: 'spoiler',
  blockquote: 'blockquote',
  'tg-emoji': 'custom_emoji',
};
const HTML_ESCAPES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

interface OpenTag {
  tag: string;
  entity: MessageEntity;
}

interface HtmlState {
  text: string;
  entities: MessageEntity[];
  open: OpenTag[];
}

function entityError(what: string): ApiError {
  return badRequest(`can't parse entities: ${what}`);
}

/** Applies parse_mode: HTML is parsed into text + entities; Markdown modes pass through as text. */
function formatText(source: string, parseMode: string | undefined): FormattedText {
  if (parseMode === undefined || parseMode === '') return { text: source, entities: [] };
  if (parseMode === 'HTML') return parseHtml(source);
  if (parseMode === 'Markdown' || parseMode === 'MarkdownV2') return { text: source, entities: [] };
  throw badRequest('unsupported parse_mode');
}

function parseHtml(source: string): FormattedText {
  const state: HtmlState = { text: '', entities: [], open: [] };
  let i = 0;
  while (i < source.length) {
    if (source[i] === '<') i = consumeTag(source, i, state);
    else if (source[i] === '&') i = consumeEscape(source, i, state);
    else state.text += source[i++];
  }
  if (state.open.length > 0) throw entityError(`Can't find end tag corresponding to start tag "${state.open[0].tag}"`);
  state.entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
  return { text: state.text, entities: state.entities };
}

function consumeEscape(source: string, i: number, state: { text: string }): number {
  const match = /^&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);/.exec(source.slice(i, i + 12));
  if (!match) {
    state.text += '&';
    return i + 1;
  }
  const name = match[1];
  const code = name.startsWith('#x') ? parseInt(name.slice(2), 16) : name.startsWith('#') ? parseInt(name.slice(1), 10) : -1;
  state.text += code >= 0 ? String.fromCodePoint(code) : HTML_ESCAPES[name];
  return i + match[0].length;
}

function consumeTag(source: string, i: number, state: HtmlState): number {
  const at = Buffer.byteLength(source.slice(0, i));
  const end = source.indexOf('>', i);
  const inner = end < 0 ? '' : source.slice(i + 1, end);
  if (inner.startsWith('/')) {
    closeTag(inner.slice(1).trim().toLowerCase(), at, state);
    return end + 1;
  }
  const name = /^[a-zA-Z][\w-]*/.exec(inner)?.[0].toLowerCase() ?? '';
  const type = HTML_TAG_TYPES[name];
  if (end < 0 || type === undefined) throw entityError(`Unsupported start tag "${name}" at byte offset ${at}`);
  const entity: MessageEntity = { type, offset: state.text.length, length: 0 };
  const attrs = inner.slice(name.length);
  if (name === 'a') entity.url = htmlAttribute(attrs, 'href') ?? '';
  if (name === 'span' && htmlAttribute(attrs, 'class') !== 'tg-spoiler') {
    throw entityError(`Tag "span" must have class "tg-spoiler" at byte offset ${at}`);
  }
  const language = name === 'code' ? /^language-(.+)$/.exec(htmlAttribute(attrs, 'class') ?? '')?.[1] : undefined;
  if (language) entity.language = language;
  state.open.push({ tag: name, entity });
  return end + 1;
}

function htmlAttribute(attrs: string, name: string): string | undefined {
  const match = new RegExp(`${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(attrs);
  return match ? (match[1] ?? match[2] ?? match[3]) : undefined;
}

function closeTag(name: string, at: number, state: HtmlState): void {
  const top = state.open.pop();
  if (top === undefined) throw entityError(`Unexpected end tag at byte offset ${at}`);
  if (top.tag !== name) throw entityError(`Unmatched end tag at byte offset ${at}, expected "</${top.tag}>", found "</${name}>"`);
  const entity = { ...top.entity, length: state.text.length - top.entity.offset };
  const parent = state.open[state.open.length - 1];
  if (entity.type === 'code' && parent?.entity.type === 'pre' && entity.language) {
    parent.entity.language = entity.language;
    return;
  }
  if (entity.language && entity.type === 'code') delete entity.language;
  if (entity.length > 0) state.entities.push(entity);
}

/** Marks `/command` and `/command@bot` tokens as Telegram does, so telegraf's `bot.command()` matches. */
function commandEntities(text: string): MessageEntity[] {
  const entities: MessageEntity[] = [];
  for (const match of text.matchAll(/(^|\s)(\/[A-Za-z0-9_]{1,64}(@[A-Za-z0-9_]{3,32})?)(?=$|\s)/g)) {
    entities.push({ type: 'bot_command', offset: (match.index ?? 0) + match[1].length, length: match[2].length });
  }
  return entities;
}

// ---------------------------------------------------------------------------------------
// Rate limits
// ---------------------------------------------------------------------------------------

interface RateWindow {
  key: string;
  limit: number;
  spanMs: number;
}

/** Sliding-window counters of successful sends, per chat, per group and per bot. */
class RateLimiter {
  private readonly stamps = new Map<string, number[]>();

  constructor(private readonly limits: RateLimits) {}

  /** Seconds the caller must wait before sending to `chat`, 0 when it may send now. */
  retryAfter(chat: Chat, now: number): number {
    return Math.max(0, ...this.windowsFor(chat).map((window) => this.waitIn(window, now)));
  }

  record(chat: Chat, now: number): void {
    for (const window of this.windowsFor(chat)) {
      const list = this.stamps.get(window.key) ?? [];
      list.push(now);
      this.stamps.set(window.key, list);
    }
  }

  private windowsFor(chat: Chat): RateWindow[] {
    const perChat: RateWindow =
      chat.type === 'private'
        ? { key: `chat:${chat.id}`, limit: this.limits.perChatPerSecond, spanMs: 1000 }
        : { key: `group:${chat.id}`, limit: this.limits.perGroupPerMinute, spanMs: 60_000 };
    return [perChat, { key: 'bot', limit: this.limits.globalPerSecond, spanMs: 1000 }];
  }

  private waitIn(window: RateWindow, now: number): number {
    const list = (this.stamps.get(window.key) ?? []).filter((stamp) => stamp > now - window.spanMs);
    this.stamps.set(window.key, list);
    if (list.length < window.limit) return 0;
    const freesAt = list[list.length - window.limit] + window.spanMs;
    return Math.max(1, Math.ceil((freesAt - now) / 1000));
  }
}

// ---------------------------------------------------------------------------------------
// Images: enough of PNG and JPEG to report real PhotoSize dimensions
// ---------------------------------------------------------------------------------------

interface ImageInfo {
  width: number;
  height: number;
  extension: string;
}

function sniffImage(data: Buffer): ImageInfo {
  if (data.length >= 24 && data.readUInt32BE(0) === 0x89504e47) {
    return { width: data.readUInt32BE(16), height: data.readUInt32BE(20), extension: 'png' };
  }
  if (data.length >= 4 && data[0] === 0xff && data[1] === 0xd8) return { ...jpegSize(data), extension: 'jpg' };
  return { width: 512, height: 512, extension: 'jpg' };
}

function jpegSize(data: Buffer): { width: number; height: number } {
  let i = 2;
  while (i + 9 < data.length && data[i] === 0xff) {
    const marker = data[i + 1];
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) return { height: data.readUInt16BE(i + 5), width: data.readUInt16BE(i + 7) };
    i += 2 + data.readUInt16BE(i + 2);
  }
  return { width: 512, height: 512 };
}

// ---------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------

interface StoredFile {
  file: TelegramFile;
  data: Buffer;
  photo?: PhotoSize[];
}

interface CallInput {
  params: Params;
  uploads: Record<string, UploadedFile>;
  signal: AbortSignal;
  /** Set by handlers whose real counterpart answers with a `description` next to `result`. */
  description?: string;
}

interface Outcome {
  result: ApiResult;
  description?: string;
}

type MethodHandler = (call: CallInput) => ApiResult | Promise<ApiResult>;

interface Poller {
  limit: number;
  resolve: (updates: Update[]) => void;
  reject: (error: ApiError) => void;
  timer: NodeJS.Timeout;
}

interface Webhook {
  url: string;
  target: URL;
  secretToken?: string;
  maxConnections: number;
  allowedUpdates?: string[];
}

type DeliveryResult = { ok: true; contentType: string; body: Buffer } | { ok: false; error: string };

interface Watcher {
  predicate: (call: SentCall) => boolean;
  resolve: (call: SentCall) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

interface Sleeper {
  timer: NodeJS.Timeout;
  resolve: () => void;
}

const DEFAULT_TOKEN = '7000000001:AAFakeTokenForLocalTests-0123456789ab';
/** Update kinds delivered when allowed_updates is empty, per the getUpdates docs. */
const OPT_IN_UPDATES = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);
const SEND_METHODS = new Set(['sendMessage', 'sendPhoto']);
const CHAT_ACTIONS = new Set([
  'typing',
  'upload_photo',
  'record_video',
  'upload_video',
  'record_voice',
  'upload_voice',
  'upload_document',
  'choose_sticker',
  'find_location',
  'record_video_note',
  'upload_video_note',
]);
const NOT_MODIFIED =
  'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function randomDigits(count: number): string {
  return Array.from(randomBytes(count), (byte) => String(byte % 10)).join('');
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || hostname === '::1' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

function writeJson(res: ServerResponse, status: number, body: ApiResponse): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function withoutReply(message: Message): Message {
  const copy = { ...message };
  delete copy.reply_to_message;
  return copy;
}

/**
 * The fake Bot API server. Create it, `await start()`, give `apiRoot` to telegraf, drive users
 * with the `user*` methods, then assert on `sent` (or `waitFor*`) and `close()` it.
 */
export class FakeTelegramServer {
  /** The only token this server accepts; any other gets 401 Unauthorized. */
  readonly token: string;
  /** What getMe answers. */
  readonly botUser: User;
  /** Every successful bot call, in order (getUpdates polls are left out). */
  readonly sent: SentCall[] = [];
  /** Update ids a webhook answered 2xx, in delivery order. */
  readonly deliveredUpdateIds: number[] = [];
  /** Webhook POST attempts per update id, failed ones included. */
  readonly deliveryAttempts = new Map<number, number>();
  /** Update ids abandoned after `webhookMaxAttempts` failed webhook deliveries. */
  readonly droppedUpdateIds: number[] = [];
  /** Errors of method calls that the bot made in webhook answers (Telegram ignores them silently). */
  readonly webhookReplyErrors: string[] = [];
  /** Sends refused with 429 because a flood limit would have been exceeded. */
  floodRefusals = 0;

  private readonly webhookRetryDelayMs: number;
  private readonly webhookMaxAttempts: number;
  private readonly webhookTimeoutMs: number;
  private limiter?: RateLimiter;
  private server?: Server;
  private root?: string;
  private closed = false;
  private nextUpdateId = 100_000_001;
  private pending: Update[] = [];
  private allowedUpdates: string[] = [];
  private poller?: Poller;
  private flushScheduled = false;
  private webhook?: Webhook;
  private webhookError?: { date: number; message: string };
  private delivering = false;
  private readonly inflight = new Set<ClientRequest>();
  private readonly sleepers = new Set<Sleeper>();
  private readonly watchers = new Set<Watcher>();
  private readonly chats = new Map<number, Chat>();
  private readonly users = new Map<number, User>();
  private readonly members = new Map<number, Map<number, ChatMemberStatus>>();
  private readonly messages = new Map<string, Message>();
  private readonly lastMessageIds = new Map<number, number>();
  private readonly chatInstances = new Map<number, string>();
  private readonly files = new Map<string, StoredFile>();
  private readonly filePaths = new Map<string, StoredFile>();
  private readonly openCallbackQueries = new Set<string>();
  private readonly injected = new Map<string, InjectedError[]>();
  /** Messages the bot sent, per chat, so waitForMessages stays cheap in long benchmarks. */
  private readonly botMessagesByChat = new Map<number, Message[]>();
  private fileCounter = 0;

  private readonly handlers: Record<string, MethodHandler> = {
    getMe: () => ({ ...this.botUser }),
    getUpdates: (call) => this.getUpdates(call),
    setWebhook: (call) => this.setWebhook(call),
    deleteWebhook: (call) => this.deleteWebhook(call),
    getWebhookInfo: () => this.webhookInfo(),
    sendMessage: (call) => this.sendMessage(call),
    sendPhoto: (call) => this.sendPhoto(call),
    answerCallbackQuery: (call) => this.answerCallbackQuery(call),
    editMessageText: (call) => this.editMessageText(call),
    editMessageReplyMarkup: (call) => this.editMessageReplyMarkup(call),
    getFile: (call) => this.getFile(call),
    sendChatAction: (call) => this.sendChatAction(call),
    getChatMember: (call) => this.getChatMember(call),
  };
  /** Bot API method names are case-insensitive. */
  private readonly methodNames = new Map(Object.keys(this.handlers).map((name) => [name.toLowerCase(), name]));

  constructor(options: FakeTelegramOptions = {}) {
    this.token = options.token ?? DEFAULT_TOKEN;
    const id = Number(this.token.split(':')[0]);
    if (!Number.isSafeInteger(id) || id <= 0) throw new Error('token must look like "<bot id>:<secret>"');
    this.botUser = {
      id,
      is_bot: true,
      first_name: options.botFirstName ?? 'Fake Bot',
      username: options.botUsername ?? 'fake_test_bot',
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
    };
    this.users.set(id, this.botUser);
    this.webhookRetryDelayMs = options.webhookRetryDelayMs ?? 50;
    this.webhookMaxAttempts = options.webhookMaxAttempts ?? 10;
    this.webhookTimeoutMs = options.webhookTimeoutMs ?? 10_000;
    this.setRateLimits(options.rateLimits ?? false);
  }

  // ----- lifecycle ---------------------------------------------------------------------

  /** Listens on 127.0.0.1 with a random port; `apiRoot` goes to telegraf's `telegram.apiRoot`. */
  async start(): Promise<{ apiRoot: string }> {
    if (this.server) throw new Error('FakeTelegramServer already started');
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    this.root = `http://127.0.0.1:${port}`;
    return { apiRoot: this.root };
  }

  /** The base URL, once started. */
  get apiRoot(): string {
    if (!this.root) throw new Error('FakeTelegramServer not started');
    return this.root;
  }

  /** Stops everything it runs: long polls, webhook deliveries, timers, sockets and waiters. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.endPoller(undefined);
    for (const req of this.inflight) req.destroy();
    for (const sleeper of this.sleepers) {
      clearTimeout(sleeper.timer);
      sleeper.resolve();
    }
    for (const watcher of this.watchers) {
      clearTimeout(watcher.timer);
      watcher.reject(new Error('FakeTelegramServer closed'));
    }
    this.watchers.clear();
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  // ----- configuration -----------------------------------------------------------------

  /** Turns flood limits on or off at run time (counters restart). */
  setRateLimits(limits: boolean | Partial<RateLimits>): void {
    if (limits === false) this.limiter = undefined;
    else this.limiter = new RateLimiter({ ...TELEGRAM_RATE_LIMITS, ...(limits === true ? {} : limits) });
  }

  /** The next `times` calls of `method` answer this error instead of running. */
  failNext(method: string, error: InjectedError, times = 1): void {
    const key = method.toLowerCase();
    const queue = this.injected.get(key) ?? [];
    for (let i = 0; i < times; i++) queue.push(error);
    this.injected.set(key, queue);
  }

  /** Makes a chat known without any update, so the bot may write there first. */
  addChat(chat: Chat): void {
    this.chats.set(chat.id, { ...chat });
  }

  /** Makes a user known (for getChatMember) without any update. */
  addUser(user: User): void {
    this.users.set(user.id, { ...user });
  }

  /** Forgets recorded bot calls (between benchmark rounds, say); chats and messages stay. */
  clearSent(): void {
    this.sent.length = 0;
    this.botMessagesByChat.clear();
  }

  /** Update ids queued and not yet confirmed (polling) or delivered (webhook). */
  get pendingUpdateIds(): number[] {
    return this.pending.map((update) => update.update_id);
  }

  /** True while a getUpdates long poll is being held, i.e. the bot is really polling. */
  get longPollWaiting(): boolean {
    return this.poller !== undefined;
  }

  /** The current state of a stored message, user's or bot's. */
  getMessage(chatId: number, messageId: number): Message | undefined {
    return this.messages.get(`${chatId}:${messageId}`);
  }

  /** Bytes of a registered file, by file_id. */
  fileBytes(fileId: string): Buffer | undefined {
    return this.files.get(fileId)?.data;
  }

  // ----- driving API: what users do --------------------------------------------------------

  /** A user writes `text` in `chat`; `/commands` get bot_command entities as on Telegram. */
  userSendsText(user: User, chat: Chat, text: string, opts: { replyToMessageId?: number } = {}): Update {
    const entities = commandEntities(text);
    const message = this.storeUserMessage(user, chat, { text, ...(entities.length ? { entities } : {}) }, opts.replyToMessageId);
    return this.enqueue({ message });
  }

  /** A user sends a photo; the bytes are registered so getFile and the download URL serve them. */
  userSendsPhoto(user: User, chat: Chat, photo: { bytes: Buffer; caption?: string }): Update {
    const stored = this.registerPhoto(photo.bytes);
    const content: Partial<Message> = { photo: stored.photo };
    if (photo.caption !== undefined) {
      const entities = commandEntities(photo.caption);
      Object.assign(content, { caption: photo.caption }, entities.length ? { caption_entities: entities } : {});
    }
    return this.enqueue({ message: this.storeUserMessage(user, chat, content) });
  }

  /** A user shares a location. */
  userSendsLocation(user: User, chat: Chat, location: Location): Update {
    const content = { location: { latitude: location.latitude, longitude: location.longitude } };
    return this.enqueue({ message: this.storeUserMessage(user, chat, content) });
  }

  /** A user presses an inline button of a message the bot sent; the button must exist. */
  userPressesButton(user: User, message: { chat: { id: number }; message_id: number }, callbackData: string): Update {
    const stored = this.getMessage(message.chat.id, message.message_id);
    if (!stored || stored.from?.id !== this.botUser.id) {
      throw new Error(`message ${message.message_id} in chat ${message.chat.id} was not sent by the bot`);
    }
    const buttons = (stored.reply_markup?.inline_keyboard ?? []).flat();
    if (!buttons.some((button) => button.callback_data === callbackData)) {
      throw new Error(`message ${message.message_id} has no inline button with callback_data ${JSON.stringify(callbackData)}`);
    }
    this.registerParticipant(user, stored.chat);
    const query: CallbackQuery = {
      id: randomDigits(19),
      from: { ...user },
      message: stored,
      chat_instance: this.chatInstance(stored.chat.id),
      data: callbackData,
    };
    this.openCallbackQueries.add(query.id);
    return this.enqueue({ callback_query: query });
  }

  /**
   * Sets a user's status in a group (getChatMember answers it) and queues the matching
   * chat_member update — or my_chat_member for the bot itself. As on Telegram, chat_member
   * updates are only delivered when the bot asked for them in allowed_updates.
   */
  addChatMember(chatId: number, userId: number, status: ChatMemberStatus): Update {
    const chat = this.chats.get(chatId) ?? { id: chatId, type: chatId < -1e12 ? 'supergroup' : 'group', title: `Group ${chatId}` };
    this.chats.set(chatId, chat);
    const user = this.users.get(userId) ?? { id: userId, is_bot: false, first_name: `User ${userId}` };
    this.users.set(userId, user);
    const statuses = this.members.get(chatId) ?? new Map<number, ChatMemberStatus>();
    const old = statuses.get(userId) ?? 'left';
    statuses.set(userId, status);
    this.members.set(chatId, statuses);
    const change: ChatMemberUpdated = {
      chat: { ...chat },
      from: { ...user },
      date: nowSeconds(),
      old_chat_member: chatMember(user, old),
      new_chat_member: chatMember(user, status),
    };
    return this.enqueue(userId === this.botUser.id ? { my_chat_member: change } : { chat_member: change });
  }

  // ----- driving API: what tests wait for -------------------------------------------------

  /** Resolves with the first bot call (past or future) matching `predicate`. */
  waitFor(predicate: (call: SentCall) => boolean, timeoutMs = 2000): Promise<SentCall> {
    const found = this.sent.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const watcher: Watcher = {
        predicate,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.watchers.delete(watcher);
          const seen =
            this.sent
              .slice(-20)
              .map((call) => call.method)
              .join(', ') || 'none';
          reject(new Error(`waitFor timed out after ${timeoutMs} ms; last bot calls: ${seen}`));
        }, timeoutMs),
      };
      this.watchers.add(watcher);
    });
  }

  /**
   * Resolves with all messages the bot has sent (sendMessage, sendPhoto) to `chatId` since the
   * start, once there are at least `n`; on timeout the error lists what did arrive.
   */
  async waitForMessages(chatId: number, n: number, timeoutMs = 2000): Promise<Message[]> {
    const collect = (): Message[] => [...(this.botMessagesByChat.get(chatId) ?? [])];
    const enough = (): boolean => (this.botMessagesByChat.get(chatId)?.length ?? 0) >= n;
    try {
      if (!enough()) await this.waitFor(enough, timeoutMs);
    } catch (error) {
      const texts = collect().map((m) => JSON.stringify(m.text ?? m.caption ?? ''));
      throw new Error(`expected ${n} bot messages in chat ${chatId}, got ${texts.length}: [${texts.join(', ')}] (${String(error)})`);
    }
    return collect();
  }

  // ----- HTTP ------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    try {
      const body = await readBody(req);
      const url = new URL(req.url ?? '/', 'http://fake.invalid');
      const download = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
      if (download) return this.serveFile(res, download[1], decodeURIComponent(download[2]));
      const api = /^\/bot([^/]+)\/([^/]+)\/?$/.exec(url.pathname);
      if (!api) throw new ApiError(404, 'Not Found');
      if (api[1] !== this.token) throw new ApiError(401, 'Unauthorized');
      const method = this.methodNames.get(api[2].toLowerCase());
      if (!method) throw new ApiError(404, 'Not Found: method not found');
      const raw = parseBodyParams(req.headers['content-type'], body);
      const fields = { ...Object.fromEntries(url.searchParams), ...raw.fields };
      const outcome = await this.dispatch(method, normalizeParams(fields), raw.uploads, 'http', abort.signal);
      writeJson(res, 200, { ok: true, result: outcome.result, ...(outcome.description ? { description: outcome.description } : {}) });
    } catch (error) {
      const apiError = toApiError(error);
      writeJson(res, apiError.code, apiError.toResponse());
    }
  }

  private serveFile(res: ServerResponse, token: string, path: string): void {
    if (token !== this.token) throw new ApiError(401, 'Unauthorized');
    const stored = this.filePaths.get(path);
    if (!stored) throw new ApiError(404, 'Not Found');
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': stored.data.length });
    res.end(stored.data);
  }

  private async dispatch(
    method: string,
    params: Params,
    uploads: Record<string, UploadedFile>,
    via: SentCall['via'],
    signal: AbortSignal,
  ): Promise<Outcome> {
    this.throwInjected(method);
    const call: CallInput = { params, uploads, signal };
    const result = await this.handlers[method](call);
    if (method !== 'getUpdates') this.record({ method, params, uploads, result, via, at: Date.now() });
    return { result, description: call.description };
  }

  private throwInjected(method: string): void {
    const queue = this.injected.get(method.toLowerCase());
    const error = queue?.shift();
    if (!error) return;
    const parameters = error.retry_after !== undefined ? { retry_after: error.retry_after } : undefined;
    throw new ApiError(error.error_code, error.description, parameters);
  }

  private record(call: SentCall): void {
    this.sent.push(call);
    if (SEND_METHODS.has(call.method) && isMessage(call.result)) {
      const list = this.botMessagesByChat.get(call.result.chat.id) ?? [];
      list.push(call.result);
      this.botMessagesByChat.set(call.result.chat.id, list);
    }
    for (const watcher of [...this.watchers]) {
      if (!watcher.predicate(call)) continue;
      clearTimeout(watcher.timer);
      this.watchers.delete(watcher);
      watcher.resolve(call);
    }
  }

  // ----- updates: queue and long polling ---------------------------------------------------

  private enqueue(content: Omit<Update, 'update_id'>): Update {
    const update: Update = { update_id: this.nextUpdateId++, ...content };
    const kind = Object.keys(content)[0];
    const allowed = this.webhook?.allowedUpdates ?? this.allowedUpdates;
    const wanted = allowed.length > 0 ? allowed.includes(kind) : !OPT_IN_UPDATES.has(kind);
    if (!wanted || this.closed) return update;
    this.pending.push(update);
    this.schedulePollerFlush();
    this.kickDelivery();
    return update;
  }

  private getUpdates(call: CallInput): Update[] | Promise<Update[]> {
    if (this.webhook) {
      throw new ApiError(
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
    }
    const { params } = call;
    const limit = Math.min(100, Math.max(1, paramInt(params, 'limit') ?? 100));
    const timeout = Math.max(0, paramInt(params, 'timeout') ?? 0);
    this.setAllowedUpdates(params);
    this.confirm(paramInt(params, 'offset') ?? 0);
    this.endPoller(new ApiError(409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running'));
    const ready = this.pending.slice(0, limit);
    if (ready.length > 0 || timeout === 0 || this.closed) return ready;
    return new Promise((resolve, reject) => {
      const poller: Poller = { limit, resolve, reject, timer: setTimeout(() => this.endPoller(undefined), timeout * 1000) };
      this.poller = poller;
      call.signal.addEventListener('abort', () => this.poller === poller && this.endPoller(undefined));
    });
  }

  /** offset > 0 confirms every earlier update; offset < 0 keeps only the last -offset ones. */
  private confirm(offset: number): void {
    if (offset > 0) this.pending = this.pending.filter((update) => update.update_id >= offset);
    else if (offset < 0) this.pending = this.pending.slice(offset);
  }

  private setAllowedUpdates(params: Params): void {
    const value = params.allowed_updates;
    if (Array.isArray(value)) this.allowedUpdates = value.filter((kind): kind is string => typeof kind === 'string');
  }

  /** Ends the waiting long poll: with `error`, or with whatever is pending (maybe nothing). */
  private endPoller(error: ApiError | undefined): void {
    const poller = this.poller;
    if (!poller) return;
    this.poller = undefined;
    clearTimeout(poller.timer);
    if (error) poller.reject(error);
    else poller.resolve(this.pending.slice(0, poller.limit));
  }

  /** Answers a waiting poll on the next turn, so updates queued together arrive together. */
  private schedulePollerFlush(): void {
    if (!this.poller || this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      if (this.pending.length > 0) this.endPoller(undefined);
    });
  }

  // ----- webhook -----------------------------------------------------------------------------

  private setWebhook(call: CallInput): true {
    const { params } = call;
    const url = paramString(params, 'url') ?? '';
    if (url === '') return this.deleteWebhook(call);
    const target = this.webhookTarget(url);
    const secretToken = paramString(params, 'secret_token');
    if (secretToken !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secretToken)) {
      throw badRequest('bad webhook: Secret token contains unallowed characters');
    }
    if (paramBool(params, 'drop_pending_updates')) this.pending = [];
    this.setAllowedUpdates(params);
    this.endPoller(new ApiError(409, 'Conflict: terminated by setWebhook request'));
    const maxConnections = paramInt(params, 'max_connections') ?? 40;
    call.description = this.webhook?.url === url ? 'Webhook is already set' : 'Webhook was set';
    this.webhook = { url, target, secretToken, maxConnections, allowedUpdates: this.allowedUpdates };
    this.webhookError = undefined;
    this.kickDelivery();
    return true;
  }

  private webhookTarget(url: string): URL {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      throw badRequest('bad webhook: Failed to resolve host: Name or service not known');
    }
    if (target.protocol !== 'http:') throw badRequest('bad webhook: the fake delivers over plain http only');
    if (!isLoopback(target.hostname)) throw badRequest('bad webhook: the fake only delivers to loopback addresses');
    return target;
  }

  private deleteWebhook(call: CallInput): true {
    if (paramBool(call.params, 'drop_pending_updates')) this.pending = [];
    call.description = this.webhook ? 'Webhook was deleted' : 'Webhook is already deleted';
    this.webhook = undefined;
    return true;
  }

  private webhookInfo(): WebhookInfo {
    const info: WebhookInfo = { url: this.webhook?.url ?? '', has_custom_certificate: false, pending_update_count: this.pending.length };
    if (this.webhook) {
      info.max_connections = this.webhook.maxConnections;
      if (this.webhook.allowedUpdates?.length) info.allowed_updates = this.webhook.allowedUpdates;
    }
    if (this.webhookError) {
      info.last_error_date = this.webhookError.date;
      info.last_error_message = this.webhookError.message;
    }
    return info;
  }

  /** Starts the single delivery loop if it is not running: one update at a time, in order. */
  private kickDelivery(): void {
    if (this.delivering || !this.webhook || this.closed || this.pending.length === 0) return;
    this.delivering = true;
    void this.deliveryLoop().finally(() => {
      this.delivering = false;
      this.kickDelivery();
    });
  }

  private async deliveryLoop(): Promise<void> {
    while (!this.closed && this.webhook && this.pending.length > 0) {
      const update = this.pending[0];
      const attempts = (this.deliveryAttempts.get(update.update_id) ?? 0) + 1;
      this.deliveryAttempts.set(update.update_id, attempts);
      const outcome = await this.postUpdate(this.webhook, update);
      if (this.closed || this.pending[0] !== update) continue;
      if (outcome.ok) {
        this.pending.shift();
        this.deliveredUpdateIds.push(update.update_id);
        await this.runWebhookReply(outcome.contentType, outcome.body);
        continue;
      }
      this.webhookError = { date: nowSeconds(), message: outcome.error };
      if (attempts >= this.webhookMaxAttempts) {
        this.pending.shift();
        this.droppedUpdateIds.push(update.update_id);
      } else await this.sleep(this.webhookRetryDelayMs);
    }
  }

  private postUpdate(hook: Webhook, update: Update): Promise<DeliveryResult> {
    const body = Buffer.from(JSON.stringify(update));
    const headers: OutgoingHttpHeaders = { 'content-type': 'application/json', 'content-length': body.length };
    if (hook.secretToken) headers['x-telegram-bot-api-secret-token'] = hook.secretToken;
    return new Promise((resolve) => {
      const req = httpRequest(hook.target, { method: 'POST', headers, agent: false, timeout: this.webhookTimeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => resolve({ ok: false, error: error.message }));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300)
            resolve({ ok: true, contentType: res.headers['content-type'] ?? '', body: Buffer.concat(chunks) });
          else resolve({ ok: false, error: `Wrong response from the webhook: ${status} ${res.statusMessage ?? ''}`.trim() });
        });
      });
      this.inflight.add(req);
      req.on('close', () => this.inflight.delete(req));
      req.on('timeout', () => req.destroy(new Error('Read timeout expired')));
      req.on('error', (error) => resolve({ ok: false, error: error.message }));
      req.end(body);
    });
  }

  /** Telegram runs a method the bot puts in its webhook answer (telegraf's webhookReply). */
  private async runWebhookReply(contentType: string, body: Buffer): Promise<void> {
    try {
      const raw = parseBodyParams(contentType, body);
      const name = raw.fields.method;
      if (typeof name !== 'string') return;
      const method = this.methodNames.get(name.toLowerCase());
      if (!method || method === 'getUpdates') throw new ApiError(404, 'Not Found: method not found');
      await this.dispatch(method, normalizeParams(raw.fields), raw.uploads, 'webhook-response', new AbortController().signal);
    } catch (error) {
      this.webhookReplyErrors.push(toApiError(error).description);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const sleeper: Sleeper = {
        resolve,
        timer: setTimeout(() => {
          this.sleepers.delete(sleeper);
          resolve();
        }, ms),
      };
      this.sleepers.add(sleeper);
    });
  }

  // ----- messages ----------------------------------------------------------------------------

  private sendMessage(call: CallInput): Message {
    const { params } = call;
    const chat = this.requireChat(params);
    const { text, entities } = formatText(paramString(params, 'text') ?? '', paramString(params, 'parse_mode'));
    if (text.trim() === '') throw badRequest('message text is empty');
    if (text.length > 4096) throw badRequest('message is too long');
    return this.sendToChat(chat, params, { text, ...(entities.length ? { entities } : {}) });
  }

  private sendPhoto(call: CallInput): Message {
    const { params } = call;
    const chat = this.requireChat(params);
    const photo = this.resolvePhoto(params, call.uploads);
    const content: Partial<Message> = { photo };
    const caption = paramString(params, 'caption');
    if (caption !== undefined && caption !== '') {
      const formatted = formatText(caption, paramString(params, 'parse_mode'));
      if (formatted.text.length > 1024) throw badRequest('message caption is too long');
      content.caption = formatted.text;
      if (formatted.entities.length) content.caption_entities = formatted.entities;
    }
    return this.sendToChat(chat, params, content);
  }

  /** The shared tail of send* methods: markup, reply target, flood limits, then storage. */
  private sendToChat(chat: Chat, params: Params, content: Partial<Message>): Message {
    const markup = inlineMarkup(params.reply_markup);
    const replyTo = this.replyTarget(chat, params);
    this.checkRateLimit(chat);
    const message = this.storeMessage(chat, this.botUser, {
      ...content,
      ...(replyTo ? { reply_to_message: replyTo } : {}),
      ...(markup ? { reply_markup: markup } : {}),
    });
    this.limiter?.record(chat, Date.now());
    return message;
  }

  private checkRateLimit(chat: Chat): void {
    const retryAfter = this.limiter?.retryAfter(chat, Date.now()) ?? 0;
    if (retryAfter > 0) {
      this.floodRefusals++;
      throw new ApiError(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });
    }
  }

  private requireChat(params: Params): Chat {
    const id = params.chat_id;
    if (id === undefined || id === null || id === '') throw badRequest('chat_id is empty');
    const chat =
      typeof id === 'number'
        ? this.chats.get(id)
        : [...this.chats.values()].find((known) => typeof id === 'string' && known.username && `@${known.username}` === id);
    if (!chat) throw badRequest('chat not found');
    return chat;
  }

  private replyTarget(chat: Chat, params: Params): Message | undefined {
    const reply = params.reply_parameters;
    const options = isJsonObject(reply) ? normalizeParams(reply) : params;
    const messageId = paramInt(options, isJsonObject(reply) ? 'message_id' : 'reply_to_message_id');
    if (messageId === undefined) return undefined;
    const chatId = paramInt(options, 'chat_id') ?? chat.id;
    const target = this.getMessage(chatId, messageId);
    if (target) return withoutReply(target);
    if (paramBool(options, 'allow_sending_without_reply')) return undefined;
    throw badRequest('message to be replied not found');
  }

  private storeMessage(chat: Chat, from: User, content: Partial<Message>): Message {
    const messageId = (this.lastMessageIds.get(chat.id) ?? 0) + 1;
    this.lastMessageIds.set(chat.id, messageId);
    const message: Message = { message_id: messageId, from: { ...from }, chat: { ...chat }, date: nowSeconds(), ...content };
    this.messages.set(`${chat.id}:${messageId}`, message);
    return message;
  }

  private storeUserMessage(user: User, chat: Chat, content: Partial<Message>, replyToMessageId?: number): Message {
    this.registerParticipant(user, chat);
    if (replyToMessageId === undefined) return this.storeMessage(chat, user, content);
    const target = this.getMessage(chat.id, replyToMessageId);
    if (!target) throw new Error(`no message ${replyToMessageId} in chat ${chat.id} to reply to`);
    return this.storeMessage(chat, user, { ...content, reply_to_message: withoutReply(target) });
  }

  /** A user who writes in a chat is known, and is at least a member of it. */
  private registerParticipant(user: User, chat: Chat): void {
    this.users.set(user.id, { ...user });
    if (!this.chats.has(chat.id)) this.chats.set(chat.id, { ...chat });
    if (chat.type === 'private') return;
    const statuses = this.members.get(chat.id) ?? new Map<number, ChatMemberStatus>();
    const status = statuses.get(user.id);
    if (status === undefined || status === 'left') statuses.set(user.id, 'member');
    this.members.set(chat.id, statuses);
  }

  private editableMessage(params: Params): Message {
    if (params.inline_message_id !== undefined) throw badRequest('message to edit not found');
    const chat = this.requireChat(params);
    const messageId = paramInt(params, 'message_id');
    if (messageId === undefined) throw badRequest('message identifier is not specified');
    const message = this.getMessage(chat.id, messageId);
    if (!message) throw badRequest('message to edit not found');
    if (message.from?.id !== this.botUser.id) throw badRequest("message can't be edited");
    return message;
  }

  private editMessageText(call: CallInput): Message {
    const { params } = call;
    const message = this.editableMessage(params);
    if (message.text === undefined) throw badRequest('there is no text in the message to edit');
    const { text, entities } = formatText(paramString(params, 'text') ?? '', paramString(params, 'parse_mode'));
    if (text.trim() === '') throw badRequest('message text is empty');
    if (text.length > 4096) throw badRequest('message is too long');
    const edited: Message = { ...message, text, reply_markup: inlineMarkup(params.reply_markup), entities };
    if (!entities.length) delete edited.entities;
    return this.replaceMessage(message, edited);
  }

  private editMessageReplyMarkup(call: CallInput): Message {
    const message = this.editableMessage(call.params);
    return this.replaceMessage(message, { ...message, reply_markup: inlineMarkup(call.params.reply_markup) });
  }

  private replaceMessage(before: Message, after: Message): Message {
    if (after.reply_markup === undefined) delete after.reply_markup;
    const comparable = (m: Message): string => JSON.stringify([m.text, m.entities ?? [], m.caption, m.reply_markup ?? null]);
    if (comparable(before) === comparable(after)) throw badRequest(NOT_MODIFIED);
    const edited = { ...after, edit_date: nowSeconds() };
    this.messages.set(`${edited.chat.id}:${edited.message_id}`, edited);
    return edited;
  }

  // ----- callbacks, chat actions, members ------------------------------------------------------

  private answerCallbackQuery(call: CallInput): true {
    const id = paramString(call.params, 'callback_query_id');
    if (!id) throw badRequest('callback_query_id is empty');
    if (!this.openCallbackQueries.delete(id)) {
      throw badRequest('query is too old and response timeout expired or query ID is invalid');
    }
    if ((paramString(call.params, 'text') ?? '').length > 200) throw badRequest('MESSAGE_TOO_LONG');
    return true;
  }

  private sendChatAction(call: CallInput): true {
    this.requireChat(call.params);
    const action = paramString(call.params, 'action');
    if (!action || !CHAT_ACTIONS.has(action)) throw badRequest('wrong parameter action in request');
    return true;
  }

  private getChatMember(call: CallInput): ChatMember {
    const chat = this.requireChat(call.params);
    const userId = paramInt(call.params, 'user_id');
    if (userId === undefined) throw badRequest('user_id is empty');
    const user = this.users.get(userId);
    if (!user) throw badRequest('user not found');
    const known = this.members.get(chat.id)?.get(userId);
    const inPrivate = chat.type === 'private' && (userId === chat.id || userId === this.botUser.id);
    const status = known ?? (inPrivate || userId === this.botUser.id ? 'member' : 'left');
    return chatMember(user, status);
  }

  private chatInstance(chatId: number): string {
    const existing = this.chatInstances.get(chatId);
    if (existing) return existing;
    const created = `-${randomDigits(18)}`;
    this.chatInstances.set(chatId, created);
    return created;
  }

  // ----- files ----------------------------------------------------------------------------------

  private resolvePhoto(params: Params, uploads: Record<string, UploadedFile>): PhotoSize[] {
    const value = paramString(params, 'photo');
    const attached = value?.startsWith('attach://') ? uploads[value.slice('attach://'.length)] : undefined;
    const upload = uploads.photo ?? attached;
    if (upload) {
      if (upload.data.length === 0) throw badRequest('file must be non-empty');
      return this.registerPhoto(upload.data).photo ?? [];
    }
    if (value === undefined || value === '') throw badRequest('there is no photo in the request');
    const known = this.files.get(value);
    if (known?.photo) return known.photo;
    if (known) throw badRequest(`can't use file of type Document as Photo`);
    if (/^https?:\/\//i.test(value)) return this.registerPhoto(Buffer.alloc(0)).photo ?? [];
    throw badRequest('wrong file identifier/HTTP URL specified');
  }

  private registerPhoto(data: Buffer): StoredFile {
    const image = sniffImage(data);
    const stored = this.registerFile(data, `photos/file_${this.fileCounter}.${image.extension}`);
    const { file } = stored;
    stored.photo = [
      { file_id: file.file_id, file_unique_id: file.file_unique_id, width: image.width, height: image.height, file_size: data.length },
    ];
    return stored;
  }

  private registerFile(data: Buffer, path: string): StoredFile {
    this.fileCounter++;
    const file: TelegramFile = {
      file_id: `AgAC${randomBytes(24).toString('base64url')}`,
      file_unique_id: `AQAD${randomBytes(8).toString('base64url')}`,
      file_size: data.length,
      file_path: path,
    };
    const stored: StoredFile = { file, data: Buffer.from(data) };
    this.files.set(file.file_id, stored);
    this.filePaths.set(path, stored);
    return stored;
  }

  private getFile(call: CallInput): TelegramFile {
    const fileId = paramString(call.params, 'file_id');
    if (!fileId) throw badRequest('file_id is empty');
    const stored = this.files.get(fileId);
    if (!stored) throw badRequest('invalid file_id');
    if (stored.data.length > MAX_DOWNLOAD_BYTES) throw badRequest('file is too big');
    return { ...stored.file };
  }
}

// ---------------------------------------------------------------------------------------
// Shapes built from parameters
// ---------------------------------------------------------------------------------------

/** Validates reply_markup; only an inline keyboard is echoed in Message.reply_markup. */
function inlineMarkup(value: JsonValue | undefined): InlineKeyboardMarkup | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) throw badRequest("can't parse reply keyboard markup JSON object");
  const rows = value.inline_keyboard;
  if (rows === undefined) return undefined;
  if (!Array.isArray(rows)) throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array');
  return { inline_keyboard: rows.map((row) => inlineRow(row)) };
}

function inlineRow(row: JsonValue): InlineKeyboardButton[] {
  if (!Array.isArray(row)) throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
  return row.map((button) => inlineButton(button));
}

const BUTTON_ACTIONS = [
  'callback_data',
  'url',
  'web_app',
  'login_url',
  'switch_inline_query',
  'switch_inline_query_current_chat',
  'switch_inline_query_chosen_chat',
  'copy_text',
  'callback_game',
  'pay',
];

function inlineButton(button: JsonValue): InlineKeyboardButton {
  if (!isJsonObject(button)) throw badRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object");
  const { text, callback_data: data } = button;
  if (typeof text !== 'string' || text === '') throw badRequest("can't parse inline keyboard button: Text must be non-empty");
  if (!BUTTON_ACTIONS.some((field) => button[field] !== undefined)) throw badRequest('text buttons are unallowed in the inline keyboard');
  if (data !== undefined && (typeof data !== 'string' || data === '' || Buffer.byteLength(data) > 64)) {
    throw badRequest('BUTTON_DATA_INVALID');
  }
  // Telegram echoes only the fields it knows (telegraf's `hide: false` disappears, for one).
  const kept: InlineKeyboardButton = { text };
  for (const field of BUTTON_ACTIONS) if (button[field] !== undefined) kept[field] = button[field];
  return kept;
}

function chatMember(user: User, status: ChatMemberStatus): ChatMember {
  const base: ChatMember = { status, user: { ...user } };
  if (status === 'creator') return { ...base, is_anonymous: false };
  if (status === 'kicked') return { ...base, until_date: 0 };
  if (status !== 'administrator') return base;
  return {
    ...base,
    can_be_edited: false,
    is_anonymous: false,
    can_manage_chat: true,
    can_delete_messages: true,
    can_restrict_members: true,
    can_promote_members: false,
    can_change_info: true,
    can_invite_users: true,
    can_pin_messages: true,
  };
}
