/**
 * A small typed client for the Zalo OA Open API v3 (sending) and OAuth v4 (token refresh).
 *
 * Why our own: no usable npm SDK exists (the packages target retired v1/v2 endpoints or a
 * personal account). Why this shape: Zalo answers HTTP 200 with a negative `error` on
 * failure, so every call checks the envelope; failures are split into the API saying no
 * (`ZaloApiError`, with a hint) and the network failing (`ZaloNetworkError`); base URLs are
 * configuration so tests and proxies can stand in for Zalo. Error messages never carry
 * message text, user ids or tokens.
 */
import { splitForZalo, ZALO_TEXT_LIMIT } from './split-text';
import type {
  ZaloApiEnvelope,
  ZaloOAuthErrorBody,
  ZaloOAuthTokenBody,
  ZaloSendData,
  ZaloSendResult,
  ZaloTokenPair,
  ZaloTokenProvider,
  ZaloTokenRefresher,
  ZaloUserId,
} from './zalo-types';

export const DEFAULT_OPEN_API_BASE = 'https://openapi.zalo.me';
export const DEFAULT_OAUTH_BASE = 'https://oauth.zaloapp.com';

export const CS_MESSAGE_PATH = '/v3.0/oa/message/cs';
export const TEMPLATE_MESSAGE_PATH = '/v3.0/oa/message/template';
export const OAUTH_TOKEN_PATH = '/v4/oa/access_token';

/** Refresh tokens live 3 months; used when Zalo does not say (`refresh_token_expires_in`). */
const REFRESH_TOKEN_LIFETIME_MS = 90 * 24 * 3600 * 1000;
const DEFAULT_TIMEOUT_MS = 10_000;

/** Codes after which a fresh access token may succeed (-124 is the same fault on ZBS hosts). */
const TOKEN_ERROR_CODES: ReadonlySet<number> = new Set([-216, -220, -124]);
/** Codes meaning "no consultation reply possible now": keep the notification for later. */
const OUTSIDE_WINDOW_CODES: ReadonlySet<number> = new Set([-230, -232, -213]);
const RATE_LIMIT_CODE = -32;

const HINTS: ReadonlyMap<number, string> = new Map([
  [-216, 'The OA access token is invalid: it is refreshed and the call retried once; if this persists, check the stored token pair.'],
  [-220, 'The OA access token has expired: it is refreshed and the call retried once.'],
  [-124, 'The access token is invalid: it is refreshed and the call retried once.'],
  [
    -230,
    'The citizen has not interacted with the OA in the last 7 days: keep the notification until they write again, or use an approved template message.',
  ],
  [
    -232,
    'The citizen has not interacted recently enough: keep the notification until they write again, or use an approved template message.',
  ],
  [-213, 'The user does not follow the OA: a consultation reply is not possible; keep the notification.'],
  [-32, 'Rate limit reached (about 4,000 requests per minute per OA): back off and retry later.'],
  [-201, 'A parameter was rejected: check the user id, the template id and the message shape.'],
  [-14002, 'Zalo rejected the app id: check ZALO_APP_ID and that the app is activated.'],
  [-14004, 'Zalo rejected the secret key: check ZALO_APP_SECRET (the app secret, not the OA webhook key).'],
  [-14014, 'The refresh token is invalid, already used or expired: an OA admin must re-authorise the app and the new pair must be stored.'],
]);
const DEFAULT_HINT = "See Zalo's error code table for this code.";

/** Zalo answered, and said no (a negative `error` in the body). */
export class ZaloApiError extends Error {
  override readonly name = 'ZaloApiError';
  /** Zalo's negative `error` code. */
  readonly code: number;
  /** Zalo's own `message` / `error_name`, as received. */
  readonly zaloMessage: string;
  /** The path that failed, e.g. `/v3.0/oa/message/cs`. */
  readonly endpoint: string;
  /** What a human (or the caller) should do about it. */
  readonly hint: string;

  constructor(code: number, zaloMessage: string, endpoint: string) {
    super(`Zalo error ${code} on ${endpoint}: ${zaloMessage}`);
    this.code = code;
    this.zaloMessage = zaloMessage;
    this.endpoint = endpoint;
    this.hint = HINTS.get(code) ?? DEFAULT_HINT;
  }
}

/** Zalo could not be reached, timed out, or answered something that is not its API. */
export class ZaloNetworkError extends Error {
  override readonly name = 'ZaloNetworkError';
  readonly endpoint: string;
  readonly hint: string;
  /** HTTP status when a response arrived (e.g. a proxy's 502). */
  readonly status?: number;

  constructor(message: string, endpoint: string, options: { cause?: unknown; status?: number; hint?: string } = {}) {
    super(`${message} (${endpoint})`, options.cause === undefined ? undefined : { cause: options.cause });
    this.endpoint = endpoint;
    this.status = options.status;
    this.hint = options.hint ?? 'Check the network path to Zalo (DNS, proxy, firewall) and retry later.';
  }
}

/** True when refreshing the access token and retrying may succeed (-216, -220, -124). */
export function isTokenError(e: unknown): e is ZaloApiError {
  return e instanceof ZaloApiError && TOKEN_ERROR_CODES.has(e.code);
}

/** True when the 7-day window is closed (-230, -232) or the user does not follow (-213). */
export function isOutsideWindow(e: unknown): e is ZaloApiError {
  return e instanceof ZaloApiError && OUTSIDE_WINDOW_CODES.has(e.code);
}

/** True on Zalo's rate limit (-32). */
export function isRateLimited(e: unknown): e is ZaloApiError {
  return e instanceof ZaloApiError && e.code === RATE_LIMIT_CODE;
}

export interface ZaloClientOptions {
  /** Open API base URL; default `https://openapi.zalo.me`. */
  openApiBase?: string;
  /** OAuth base URL; default `https://oauth.zaloapp.com`. */
  oauthBase?: string;
  appId: string;
  /** The app secret (sent as `secret_key` when refreshing), not the OA webhook key. */
  appSecret: string;
  tokens: ZaloTokenProvider;
  fetch?: typeof fetch;
  /** Per-request timeout; default 10 s. */
  timeoutMs?: number;
  /** Milliseconds since the epoch; injectable for tests. */
  clock?: () => number;
}

/** Card shown by `requestUserInfo`. */
export interface ZaloUserInfoRequest {
  title: string;
  subtitle: string;
  imageUrl: string;
}

type JsonObject = Record<string, unknown>;

/**
 * Sends consultation and template messages for one OA, and refreshes its tokens.
 *
 * Wiring with the token manager (each needs the other):
 * `const manager = new ZaloTokenManager({ store, refresher: { refreshAccessToken: (t) => client.refreshAccessToken(t) } });`
 * `const client = new ZaloClient({ ..., tokens: manager });`
 */
export class ZaloClient implements ZaloTokenRefresher {
  private readonly openApiBase: string;
  private readonly oauthBase: string;
  private readonly appId: string;
  private readonly appSecret: string;
  private readonly tokens: ZaloTokenProvider;
  private readonly fetchFn: typeof fetch;
  private readonly timeoutMs: number;
  private readonly clock: () => number;

  constructor(options: ZaloClientOptions) {
    this.openApiBase = trimSlash(options.openApiBase ?? DEFAULT_OPEN_API_BASE);
    this.oauthBase = trimSlash(options.oauthBase ?? DEFAULT_OAUTH_BASE);
    this.appId = options.appId;
    this.appSecret = options.appSecret;
    this.tokens = options.tokens;
    this.fetchFn = options.fetch ?? globalThis.fetch;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.clock = options.clock ?? Date.now;
  }

  /**
   * Sends a text reply, split into parts of at most 2,000 characters sent in order. The text
   * is NFC-normalised first (same letters, fewer code units for decomposed Vietnamese).
   * If a later part fails, the earlier ones have been delivered.
   */
  async sendText(userId: ZaloUserId, text: string): Promise<ZaloSendResult[]> {
    assertUserId(userId);
    const parts = splitForZalo(text.normalize('NFC'), ZALO_TEXT_LIMIT);
    if (parts.length === 0) throw new TypeError('sendText: the text is empty');
    const results: ZaloSendResult[] = [];
    for (const part of parts) {
      results.push(await this.sendCs(userId, { text: part }));
    }
    return results;
  }

  /**
   * Sends a picture by URL (a `media` template). A caption over the text limit is sent
   * after the picture as ordinary text instead.
   */
  async sendImage(userId: ZaloUserId, url: string, caption?: string): Promise<ZaloSendResult[]> {
    assertUserId(userId);
    const normalised = caption?.normalize('NFC').trim();
    const inline = normalised && normalised.length <= ZALO_TEXT_LIMIT ? normalised : undefined;
    const attachment = {
      type: 'template',
      payload: { template_type: 'media', elements: [{ media_type: 'image', url }] },
    };
    const results = [await this.sendCs(userId, inline ? { text: inline, attachment } : { attachment })];
    if (normalised && !inline) results.push(...(await this.sendText(userId, normalised)));
    return results;
  }

  /**
   * Sends a pre-approved template message: the way to reach a citizen outside the 7-day
   * window (billed; the template id comes from Zalo's approval).
   */
  async sendTemplate(userId: ZaloUserId, templateId: string, templateData: Record<string, string | number>): Promise<ZaloSendResult> {
    assertUserId(userId);
    const body = { user_id: userId, template_id: templateId, template_data: templateData };
    return toSendResult(await this.callWithToken(TEMPLATE_MESSAGE_PATH, body), userId);
  }

  /** Asks the citizen to share name, phone and address; the answer is a `user_submit_info` event. */
  async requestUserInfo(userId: ZaloUserId, card: ZaloUserInfoRequest): Promise<ZaloSendResult> {
    assertUserId(userId);
    const attachment = {
      type: 'template',
      payload: {
        template_type: 'request_user_info',
        elements: [{ title: card.title, subtitle: card.subtitle, image_url: card.imageUrl }],
      },
    };
    return this.sendCs(userId, { attachment });
  }

  /**
   * Exchanges a (single-use) refresh token for a new pair. The caller must store the new
   * pair durably before using it: the old refresh token is dead once this succeeds.
   */
  async refreshAccessToken(refreshToken: string): Promise<ZaloTokenPair> {
    const form = new URLSearchParams({ refresh_token: refreshToken, app_id: this.appId, grant_type: 'refresh_token' });
    const json = await this.request(
      this.oauthBase,
      OAUTH_TOKEN_PATH,
      {
        'content-type': 'application/x-www-form-urlencoded',
        secret_key: this.appSecret,
      },
      form.toString(),
    );
    return this.toTokenPair(json, refreshToken);
  }

  private async sendCs(userId: ZaloUserId, message: JsonObject): Promise<ZaloSendResult> {
    const body = { recipient: { user_id: userId }, message };
    return toSendResult(await this.callWithToken(CS_MESSAGE_PATH, body), userId);
  }

  /** Posts with the current token; on a token error, invalidates it and retries exactly once. */
  private async callWithToken(path: string, body: JsonObject): Promise<ZaloSendData | undefined> {
    const token = await this.tokens.getAccessToken();
    try {
      return await this.postOpenApi(path, body, token);
    } catch (error) {
      if (!isTokenError(error)) throw error;
      await this.tokens.invalidate(token);
      return this.postOpenApi(path, body, await this.tokens.getAccessToken());
    }
  }

  private async postOpenApi(path: string, body: JsonObject, token: string): Promise<ZaloSendData | undefined> {
    const json = await this.request(
      this.openApiBase,
      path,
      {
        'content-type': 'application/json',
        access_token: token,
      },
      JSON.stringify(body),
    );
    const envelope = json as Partial<ZaloApiEnvelope<ZaloSendData>>;
    if (typeof envelope.error !== 'number') {
      throw new ZaloNetworkError('Zalo answered without an error field', path, { hint: 'Is the base URL a Zalo Open API?' });
    }
    if (envelope.error !== 0) {
      throw new ZaloApiError(envelope.error, String(envelope.message ?? 'unknown error'), path);
    }
    return envelope.data;
  }

  /** One HTTP POST with a timeout, returning the parsed JSON object. */
  private async request(base: string, path: string, headers: Record<string, string>, body: string): Promise<JsonObject> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    let response: Response;
    try {
      response = await this.fetchFn(`${base}${path}`, { method: 'POST', headers, body, signal });
    } catch (cause) {
      const reason = signal.aborted ? `Zalo did not answer within ${this.timeoutMs} ms` : 'Zalo could not be reached';
      throw new ZaloNetworkError(reason, path, { cause });
    }
    const text = await response.text().catch(() => '');
    const json = parseJsonObject(text);
    if (json) return json;
    throw new ZaloNetworkError(`Zalo answered HTTP ${response.status} without a JSON body`, path, {
      status: response.status,
      hint: 'A proxy or gateway may be in the way; retry later.',
    });
  }

  private toTokenPair(json: JsonObject, usedRefreshToken: string): ZaloTokenPair {
    const ok = json as Partial<ZaloOAuthTokenBody>;
    if (typeof ok.access_token === 'string' && ok.access_token.length > 0) {
      const now = this.clock();
      const accessSeconds = Number(ok.expires_in);
      if (!Number.isFinite(accessSeconds) || accessSeconds <= 0) {
        throw new ZaloNetworkError('Zalo returned a token without a usable expires_in', OAUTH_TOKEN_PATH);
      }
      const refreshSeconds = Number(ok.refresh_token_expires_in);
      return {
        accessToken: ok.access_token,
        // Zalo rotates the refresh token; should it ever omit one, the old one is still ours.
        refreshToken: typeof ok.refresh_token === 'string' && ok.refresh_token ? ok.refresh_token : usedRefreshToken,
        accessExpiresAt: new Date(now + accessSeconds * 1000),
        refreshExpiresAt: new Date(
          now + (Number.isFinite(refreshSeconds) && refreshSeconds > 0 ? refreshSeconds * 1000 : REFRESH_TOKEN_LIFETIME_MS),
        ),
      };
    }
    const err = json as Partial<ZaloOAuthErrorBody>;
    const code = typeof err.error === 'number' && err.error !== 0 ? err.error : -1;
    throw new ZaloApiError(code, String(err.error_name ?? err.error_description ?? 'no access_token in the answer'), OAUTH_TOKEN_PATH);
  }
}

function toSendResult(data: ZaloSendData | undefined, userId: ZaloUserId): ZaloSendResult {
  return { messageId: typeof data?.message_id === 'string' ? data.message_id : '', userId };
}

function parseJsonObject(text: string): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
  } catch {
    return undefined;
  }
}

function assertUserId(userId: unknown): void {
  if (typeof userId !== 'string' || userId.length === 0) {
    throw new TypeError('Zalo user ids are non-empty strings (never numbers: they exceed safe integers)');
  }
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
