/**
 * A local stand-in for Zalo: the OA Open API v3 send endpoints, the OAuth v4 token endpoint,
 * a few image bytes, and a "citizen" that posts correctly signed webhook events to the bot.
 *
 * Why: there is no Zalo sandbox, and the behaviours that matter (HTTP 200 with a negative
 * `error`, single-use refresh tokens, the 7-day reply window, signed redeliveries) are the
 * ones that break integrations. Point both `openApiBase` and `oauthBase` at `url`.
 *
 * Sources for the shapes (public material, no live call made):
 * - Open API envelope, error codes and messages (-216 "Access token is invalid", -220
 *   "access_token is expired or removed", -230, -232, -213, -32, -201 "<field> is invalid!"):
 *   the error table of a public Zalo Platform integration specification (its §14.2), which
 *   agrees with docs/zalo.md.
 * - OAuth v4 failures come back as HTTP 200 with `{error, error_name, error_description,
 *   error_reason}`: a public design note recording a live probe (-14002 "Invalid appId",
 *   -14004 secret key, -14018 grant type). A used or dead refresh token answers
 *   `{"error":-14014,"error_name":"Invalid refresh token."}` in a public Go ZNS provider's
 *   test double. The same note reports that minting a new access token kills the previous
 *   one: `revokeOldAccessTokenOnRefresh` (default true) reproduces that.
 * - Webhook bodies: docs/zalo.md and the same specification (§13); the
 *   `user_withdraw` literal and layout are not documented anywhere we could read.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { computeZaloSignature } from '../../src/channels/zalo/webhook-signature';
import type { ZaloTokenPair } from '../../src/channels/zalo/zalo-types';

export const FAKE_CS_PATH = '/v3.0/oa/message/cs';
export const FAKE_TEMPLATE_PATH = '/v3.0/oa/message/template';
export const FAKE_TOKEN_PATH = '/v4/oa/access_token';

const DAY_MS = 24 * 3600 * 1000;
const WINDOW_MS = 7 * DAY_MS;
const TEXT_LIMIT = 2000;

/** A few bytes with JPEG start/end markers (not a decodable picture: enough for a download). */
const FAKE_JPEG = Buffer.from('ffd8ffe000104a46494600010100000100010000ffd9', 'hex');

const OPEN_API_MESSAGES: ReadonlyMap<number, string> = new Map([
  [-32, 'Your OA reached limit call api'],
  [-124, 'Access token invalid'],
  [-201, 'parameter is invalid!'],
  [-213, 'User has not followed OA'],
  [-216, 'Access token is invalid'],
  [-220, 'access_token is expired or removed'],
  [-230, 'User has not interacted with the OA in the past 7 days'],
  [-232, 'User has not interacted, or last interaction expired'],
]);

const OAUTH_NAMES: ReadonlyMap<number, string> = new Map([
  [-14002, 'Invalid appId'],
  [-14004, 'Invalid secret key'],
  [-14014, 'Invalid refresh token.'],
  [-14018, 'Invalid grant type'],
]);

export interface FakeZaloServerOptions {
  appId?: string;
  /** App secret expected in the `secret_key` header of token requests. */
  appSecret?: string;
  oaId?: string;
  /** Access token lifetime in seconds; default 90000 (25 h). */
  accessTokenTtlSec?: number;
  clock?: () => number;
  /** Answer -230 to `/message/cs` when the user has not interacted within 7 days; default true. */
  enforceWindow?: boolean;
  /** A refresh kills the access token that was current; default true. */
  revokeOldAccessTokenOnRefresh?: boolean;
  /**
   * The OA's call quota on the send endpoints: `true` is 4,000 calls a minute (the figure in
   * docs/campaign.md); a call past it answers -32 "Your OA reached limit call api" and is
   * counted in `rateRefusals`. Sliding window over the calls the fake accepted. Default off.
   */
  rateLimit?: boolean | { readonly limit: number; readonly spanMs: number };
}

/** Zalo's documented quota, used by `rateLimit: true`. */
export const ZALO_RATE_LIMIT = { limit: 4000, spanMs: 60_000 } as const;

/** A message the bot sent, as the fake received it. */
export interface FakeSentMessage {
  path: string;
  userId: string;
  text?: string;
  attachment?: unknown;
  templateId?: string;
  templateData?: unknown;
  messageId: string;
  accessToken: string;
  /** When the fake accepted it (its clock, ms). */
  at: number;
}

/** Every API call the fake answered, with the `error` it returned (0 on success). */
export interface FakeCall {
  path: string;
  accessToken?: string;
  error: number;
}

export interface FakeWebhookResult {
  status: number;
  /** The event object that was posted (signed exactly as serialised). */
  event: Record<string, unknown>;
  /** The bot's response body. */
  body: string;
}

export interface FakeEventOptions {
  /** Reuse a msg_id to simulate Zalo redelivering the same event. */
  msgId?: string;
  timestamp?: string;
}

interface Webhook {
  url: string;
  appId: string;
  oaSecretKey: string;
}

interface Waiter {
  predicate: (m: FakeSentMessage) => boolean;
  resolve: (m: FakeSentMessage) => void;
  timer: NodeJS.Timeout;
}

type Json = Record<string, unknown>;

export class FakeZaloServer {
  readonly appId: string;
  readonly appSecret: string;
  readonly oaId: string;
  readonly sent: FakeSentMessage[] = [];
  readonly calls: FakeCall[] = [];
  /** Send calls refused with -32 because the quota was used up. */
  rateRefusals = 0;
  private readonly accessTtlMs: number;
  private readonly rateLimit?: { readonly limit: number; readonly spanMs: number };
  /** When the accepted send calls inside the current quota window came (oldest first). */
  private readonly recentSends: number[] = [];
  private readonly clock: () => number;
  private readonly enforceWindow: boolean;
  private readonly revokeOldAccess: boolean;
  private readonly accessTokens = new Map<string, { expiresAt: number }>();
  private readonly refreshTokens = new Map<string, { expiresAt: number; used: boolean; access: string }>();
  private readonly lastInteraction = new Map<string, number>();
  private readonly failures = new Map<string, { code: number; remaining: number }[]>();
  private readonly waiters = new Set<Waiter>();
  private webhook?: Webhook;
  private server?: Server;
  private baseUrl?: string;

  constructor(options: FakeZaloServerOptions = {}) {
    this.appId = options.appId ?? '3608465248940903967';
    this.appSecret = options.appSecret ?? 'fake-app-secret';
    this.oaId = options.oaId ?? '388613280878808645';
    this.accessTtlMs = (options.accessTokenTtlSec ?? 90_000) * 1000;
    this.clock = options.clock ?? Date.now;
    this.enforceWindow = options.enforceWindow ?? true;
    this.revokeOldAccess = options.revokeOldAccessTokenOnRefresh ?? true;
    if (options.rateLimit) this.rateLimit = options.rateLimit === true ? ZALO_RATE_LIMIT : options.rateLimit;
  }

  /** Listens on 127.0.0.1 with a random port; returns the base URL. */
  async start(): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  get url(): string {
    if (!this.baseUrl) throw new Error('FakeZaloServer: call start() first');
    return this.baseUrl;
  }

  async close(): Promise<void> {
    for (const waiter of this.waiters) clearTimeout(waiter.timer);
    this.waiters.clear();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // ---------------------------------------------------------------- tokens

  /** Mints a valid pair, as the console's API Explorer would. */
  issueTokens(): ZaloTokenPair {
    const now = this.clock();
    const accessToken = `AT-${randomBytes(12).toString('hex')}`;
    const refreshToken = `RT-${randomBytes(12).toString('hex')}`;
    this.accessTokens.set(accessToken, { expiresAt: now + this.accessTtlMs });
    this.refreshTokens.set(refreshToken, { expiresAt: now + 90 * DAY_MS, used: false, access: accessToken });
    return {
      accessToken,
      refreshToken,
      accessExpiresAt: new Date(now + this.accessTtlMs),
      refreshExpiresAt: new Date(now + 90 * DAY_MS),
    };
  }

  /** Makes `token` expired: the next call with it gets -220. */
  expireAccessToken(token: string): void {
    const entry = this.accessTokens.get(token);
    if (entry) entry.expiresAt = this.clock() - 1;
  }

  /** Whether a refresh token would still be accepted. */
  isRefreshTokenValid(token: string): boolean {
    const entry = this.refreshTokens.get(token);
    return !!entry && !entry.used && entry.expiresAt > this.clock();
  }

  /** Number of successful refreshes so far. */
  get refreshCount(): number {
    return this.calls.filter((c) => c.path === FAKE_TOKEN_PATH && c.error === 0).length;
  }

  // ---------------------------------------------------------------- test controls

  /** The next `times` calls to `path` fail with `errorCode` (before any other check). */
  failNext(path: string, errorCode: number, times = 1): void {
    const queue = this.failures.get(path) ?? [];
    queue.push({ code: errorCode, remaining: times });
    this.failures.set(path, queue);
  }

  /** Sets when the user last interacted with the OA (e.g. 8 days ago to close the window). */
  setLastInteraction(userId: string, date: Date): void {
    this.lastInteraction.set(userId, date.getTime());
  }

  /** Resolves with the first sent message (past or future) matching `predicate`. */
  waitFor(predicate: (m: FakeSentMessage) => boolean, timeoutMs = 2000): Promise<FakeSentMessage> {
    const found = this.sent.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(`FakeZaloServer.waitFor: no matching message within ${timeoutMs} ms (${this.sent.length} sent)`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** URL of a fake picture served by this server. */
  imageUrl(name = 'photo'): string {
    return `${this.url}/img/${name}.jpg`;
  }

  // ---------------------------------------------------------------- citizen side

  /** Where events go, and the keys they are signed with. */
  configureWebhook(url: string, keys: { appId: string; oaSecretKey: string }): void {
    this.webhook = { url, appId: keys.appId, oaSecretKey: keys.oaSecretKey };
  }

  userSendsText(userId: string, text: string, options: FakeEventOptions = {}): Promise<FakeWebhookResult> {
    return this.userMessage(userId, 'user_send_text', { text }, options);
  }

  userSendsImage(userId: string, urls?: string[], options: FakeEventOptions & { text?: string } = {}): Promise<FakeWebhookResult> {
    const attachments = (urls ?? [this.imageUrl()]).map((url) => ({ type: 'image', payload: { thumbnail: url, url } }));
    const message = options.text === undefined ? { attachments } : { text: options.text, attachments };
    return this.userMessage(userId, 'user_send_image', message, options);
  }

  userSendsLocation(userId: string, latitude: number, longitude: number, options: FakeEventOptions = {}): Promise<FakeWebhookResult> {
    const coordinates = { latitude: String(latitude), longitude: String(longitude) };
    return this.userMessage(userId, 'user_send_location', { attachments: [{ type: 'location', payload: { coordinates } }] }, options);
  }

  userFollows(userId: string, options: FakeEventOptions = {}): Promise<FakeWebhookResult> {
    return this.followEvent(userId, 'follow', options);
  }

  userUnfollows(userId: string, options: FakeEventOptions = {}): Promise<FakeWebhookResult> {
    return this.followEvent(userId, 'unfollow', options);
  }

  /** Consent withdrawn (literal and layout unverified: sender/recipient like a message event). */
  userWithdraws(userId: string, options: FakeEventOptions = {}): Promise<FakeWebhookResult> {
    const ts = this.timestamp(options);
    return this.postEvent({ ...this.envelope('user_withdraw', ts), sender: { id: userId }, recipient: { id: this.oaId } });
  }

  /** The answer to a request_user_info card (the flat `info` layout). */
  userSubmitsInfo(
    userId: string,
    info: { name?: string; phone?: string; address?: string; district?: string; city?: string },
    options: FakeEventOptions = {},
  ): Promise<FakeWebhookResult> {
    const ts = this.timestamp(options);
    this.touch(userId, ts);
    return this.postEvent({ ...this.envelope('user_submit_info', ts), sender: { id: userId }, recipient: { id: this.oaId }, info });
  }

  /** Posts `body` verbatim (string, bytes or object) with the given headers: forged or malformed cases. */
  async sendRaw(body: string | Buffer | Json, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
    const webhook = this.requireWebhook();
    const payload = typeof body === 'string' ? body : Buffer.isBuffer(body) ? new Uint8Array(body) : JSON.stringify(body);
    const res = await fetch(webhook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: payload,
    });
    return { status: res.status, body: await res.text() };
  }

  private userMessage(userId: string, eventName: string, message: Json, options: FakeEventOptions): Promise<FakeWebhookResult> {
    const ts = this.timestamp(options);
    this.touch(userId, ts);
    const msgId = options.msgId ?? randomBytes(10).toString('hex');
    return this.postEvent({
      ...this.envelope(eventName, ts),
      sender: { id: userId },
      recipient: { id: this.oaId },
      message: { ...message, msg_id: msgId },
    });
  }

  private followEvent(userId: string, eventName: 'follow' | 'unfollow', options: FakeEventOptions): Promise<FakeWebhookResult> {
    const ts = this.timestamp(options);
    if (eventName === 'follow') this.touch(userId, ts);
    return this.postEvent({ ...this.envelope(eventName, ts), oa_id: this.oaId, follower: { id: userId }, source: 'oa_profile' });
  }

  private envelope(eventName: string, timestamp: string): Json {
    return { app_id: this.requireWebhook().appId, user_id_by_app: '552177279717587730', event_name: eventName, timestamp };
  }

  private timestamp(options: FakeEventOptions): string {
    return options.timestamp ?? String(this.clock());
  }

  private touch(userId: string, timestamp: string): void {
    this.lastInteraction.set(userId, Number(timestamp));
  }

  private async postEvent(event: Json): Promise<FakeWebhookResult> {
    const webhook = this.requireWebhook();
    const raw = JSON.stringify(event);
    const mac = computeZaloSignature(webhook.appId, raw, String(event.timestamp), webhook.oaSecretKey);
    const res = await fetch(webhook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-zevent-signature': `mac=${mac}` },
      body: raw,
    });
    return { status: res.status, event, body: await res.text() };
  }

  private requireWebhook(): Webhook {
    if (!this.webhook) throw new Error('FakeZaloServer: call configureWebhook() first');
    return this.webhook;
  }

  // ---------------------------------------------------------------- API side

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (req.method === 'GET' && /^\/img\/[\w.-]+\.jpg$/.test(path)) {
        res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': FAKE_JPEG.length }).end(FAKE_JPEG);
        return;
      }
      const body = await readBody(req);
      if (req.method === 'POST' && path === FAKE_TOKEN_PATH) return reply(res, this.handleToken(req, body));
      if (req.method === 'POST' && (path === FAKE_CS_PATH || path === FAKE_TEMPLATE_PATH)) {
        return reply(res, this.handleSend(req, path, body));
      }
      reply(res, { error: -404, message: 'Not found' }, 404);
    } catch {
      reply(res, { error: -500, message: 'Fake server error' }, 500);
    }
  }

  private handleSend(req: IncomingMessage, path: string, raw: string): Json {
    const accessToken = headerValue(req, 'access_token');
    const fail = (code: number, message?: string): Json => {
      this.calls.push({ path, accessToken, error: code });
      return { error: code, message: message ?? OPEN_API_MESSAGES.get(code) ?? 'Fake error' };
    };
    const injected = this.takeFailure(path);
    if (injected !== undefined) return fail(injected);
    if (!this.withinQuota()) {
      this.rateRefusals++;
      return fail(-32);
    }
    const token = accessToken ? this.accessTokens.get(accessToken) : undefined;
    if (!accessToken || !token) return fail(-216);
    if (token.expiresAt <= this.clock()) return fail(-220);
    const body = parseJson(raw);
    if (!body) return fail(-201, 'body is invalid!');
    const parsed = path === FAKE_CS_PATH ? this.readCs(body) : readTemplate(body);
    if ('invalid' in parsed) return fail(-201, `${parsed.invalid} is invalid!`);
    if (path === FAKE_CS_PATH && !this.withinWindow(parsed.userId)) return fail(-230);
    const messageId = randomBytes(10).toString('hex');
    this.calls.push({ path, accessToken, error: 0 });
    if (this.rateLimit) this.recentSends.push(this.clock());
    this.record({ path, ...parsed, messageId, accessToken, at: this.clock() });
    return { error: 0, message: 'Success', data: { message_id: messageId, user_id: parsed.userId } };
  }

  private readCs(body: Json): Omit<FakeSentMessage, 'path' | 'messageId' | 'accessToken' | 'at'> | { invalid: string } {
    const recipient = body.recipient as Json | undefined;
    const userId = recipient?.user_id;
    if (typeof userId !== 'string' || !userId) return { invalid: 'user_id' };
    const message = body.message as Json | undefined;
    const text = message?.text;
    const attachment = message?.attachment;
    if (text !== undefined && (typeof text !== 'string' || text.length > TEXT_LIMIT)) return { invalid: 'text' };
    if (text === undefined && attachment === undefined) return { invalid: 'message' };
    return { userId, ...(text !== undefined ? { text } : {}), ...(attachment !== undefined ? { attachment } : {}) };
  }

  /** Whether one more send call fits the OA's quota (always, without `rateLimit`). */
  private withinQuota(): boolean {
    if (!this.rateLimit) return true;
    const since = this.clock() - this.rateLimit.spanMs;
    while (this.recentSends.length > 0 && this.recentSends[0] <= since) this.recentSends.shift();
    return this.recentSends.length < this.rateLimit.limit;
  }

  private withinWindow(userId: string): boolean {
    if (!this.enforceWindow) return true;
    const last = this.lastInteraction.get(userId);
    return last !== undefined && this.clock() - last <= WINDOW_MS;
  }

  private handleToken(req: IncomingMessage, raw: string): Json {
    const form = new URLSearchParams(raw);
    const fail = (code: number): Json => {
      this.calls.push({ path: FAKE_TOKEN_PATH, error: code });
      return { error: code, error_name: OAUTH_NAMES.get(code) ?? 'Fake error', error_description: '', error_reason: '' };
    };
    const injected = this.takeFailure(FAKE_TOKEN_PATH);
    if (injected !== undefined) return fail(injected);
    if (headerValue(req, 'secret_key') !== this.appSecret) return fail(-14004);
    if (form.get('app_id') !== this.appId) return fail(-14002);
    if (form.get('grant_type') !== 'refresh_token') return fail(-14018);
    const used = form.get('refresh_token') ?? '';
    const entry = this.refreshTokens.get(used);
    if (!entry || entry.used || entry.expiresAt <= this.clock()) return fail(-14014);
    entry.used = true;
    if (this.revokeOldAccess) this.accessTokens.delete(entry.access);
    const pair = this.issueTokens();
    this.calls.push({ path: FAKE_TOKEN_PATH, error: 0 });
    return { access_token: pair.accessToken, refresh_token: pair.refreshToken, expires_in: String(this.accessTtlMs / 1000) };
  }

  private takeFailure(path: string): number | undefined {
    const queue = this.failures.get(path);
    const head = queue?.[0];
    if (!queue || !head) return undefined;
    head.remaining -= 1;
    if (head.remaining <= 0) queue.shift();
    return head.code;
  }

  private record(message: FakeSentMessage): void {
    this.sent.push(message);
    for (const waiter of this.waiters) {
      if (!waiter.predicate(message)) continue;
      clearTimeout(waiter.timer);
      this.waiters.delete(waiter);
      waiter.resolve(message);
    }
  }
}

function readTemplate(body: Json): Omit<FakeSentMessage, 'path' | 'messageId' | 'accessToken' | 'at'> | { invalid: string } {
  const { user_id: userId, template_id: templateId, template_data: templateData } = body;
  if (typeof userId !== 'string' || !userId) return { invalid: 'user_id' };
  if (typeof templateId !== 'string' || !templateId) return { invalid: 'template_id' };
  if (typeof templateData !== 'object' || templateData === null) return { invalid: 'template_data' };
  return { userId, templateId, templateData };
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseJson(text: string): Json | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Zalo answers HTTP 200 even for API errors; only unknown paths get another status. */
function reply(res: ServerResponse, body: Json, status = 200): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}
