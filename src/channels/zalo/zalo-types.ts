/**
 * Types for the Zalo Official Account (OA) Open API v3 and its OAuth v4 token endpoint.
 *
 * Why a file of its own: the webhook parser, the HTTP client, the token manager and the
 * storage adapters (MongoDB, in memory) all speak these shapes, and none of them should
 * import the others just to name a type.
 *
 * Every Zalo id (user, OA, app, message) is a decimal string of 18–19 digits: beyond
 * `Number.MAX_SAFE_INTEGER`, so it is typed `string` everywhere and never parsed.
 */

/** An OA-scoped user id (`sender.id` of a webhook event): the address we reply to. */
export type ZaloUserId = string;

// Webhook: the raw bodies Zalo posts (`user_send_*`, `follow`/`unfollow`, `user_submit_info`)
// are read field by field in zalo-events.ts (docs/zalo.md shows them).

// ---------------------------------------------------------------------------
// Webhook: the normalised events the rest of the bot consumes.
// ---------------------------------------------------------------------------

/** A citizen typed a message. `msgId` is the redelivery key (Zalo retries for ~2 hours). */
export interface ZaloTextEvent {
  kind: 'text';
  userId: ZaloUserId;
  msgId: string;
  text: string;
  timestamp: string;
}

/** A citizen sent one or more pictures, possibly with a caption. */
export interface ZaloImageEvent {
  kind: 'image';
  userId: ZaloUserId;
  msgId: string;
  urls: string[];
  text?: string;
  timestamp: string;
}

/** A citizen shared a location (useful for complaints about a place). */
export interface ZaloLocationEvent {
  kind: 'location';
  userId: ZaloUserId;
  msgId: string;
  latitude: number;
  longitude: number;
  timestamp: string;
}

/** Follow/unfollow the OA. Following opens the 7-day messaging window. */
export interface ZaloFollowEvent {
  kind: 'follow' | 'unfollow';
  userId: ZaloUserId;
  timestamp: string;
}

/** Contact details shared through a `request_user_info` card. */
export interface ZaloSubmitInfoEvent {
  kind: 'user_submit_info';
  userId: ZaloUserId;
  name?: string;
  phone?: string;
  address?: string;
  timestamp: string;
}

/** The citizen withdrew consent: their personal data must be deleted (Decree 13/2023). */
export interface ZaloWithdrawEvent {
  kind: 'user_withdraw';
  userId: ZaloUserId;
  timestamp: string;
}

/** Any event the bot deliberately ignores (stickers, audio, files, links, OA echoes…). */
export interface ZaloOtherEvent {
  kind: 'other';
  eventName: string;
  userId?: ZaloUserId;
  timestamp?: string;
}

/** Everything `parseZaloEvent` can return on success. */
export type ZaloInboundEvent =
  ZaloTextEvent | ZaloImageEvent | ZaloLocationEvent | ZaloFollowEvent | ZaloSubmitInfoEvent | ZaloWithdrawEvent | ZaloOtherEvent;

// ---------------------------------------------------------------------------
// Open API responses.
// ---------------------------------------------------------------------------

/**
 * The universal Open API envelope. Zalo answers HTTP 200 even on failure: `error` is 0 on
 * success and negative otherwise, so the client must always look at it.
 */
export interface ZaloApiEnvelope<T> {
  error: number;
  message: string;
  data?: T;
}

/** `data` of a successful `/message/cs` or `/message/template` call. */
export interface ZaloSendData {
  message_id: string;
  user_id: string;
  sent_time?: string;
  quota?: { quota_type?: string; remain?: number; total?: number };
}

/** What our client returns for each message it delivered. */
export interface ZaloSendResult {
  messageId: string;
  userId: ZaloUserId;
}

/** Body of a successful `POST /v4/oa/access_token`. `expires_in` is a string of seconds. */
export interface ZaloOAuthTokenBody {
  access_token: string;
  refresh_token: string;
  expires_in: string;
  refresh_token_expires_in?: string;
}

/**
 * Body of a failed `POST /v4/oa/access_token` (also HTTP 200): `error` is a `-14xxx` code,
 * `error_name` the only human-readable signal.
 */
export interface ZaloOAuthErrorBody {
  error: number;
  error_name?: string;
  error_description?: string;
  error_reason?: string;
  ref_doc?: string;
}

// ---------------------------------------------------------------------------
// Tokens.
// ---------------------------------------------------------------------------

/**
 * An OA access/refresh pair. The access token lives 25 h; the refresh token 3 months and is
 * single-use: each refresh returns a new pair and kills the old refresh token.
 */
export interface ZaloTokenPair {
  accessToken: string;
  refreshToken: string;
  accessExpiresAt: Date;
  refreshExpiresAt: Date;
}

/** Where the client gets its access token from; implemented by `ZaloTokenManager`. */
export interface ZaloTokenProvider {
  /** A currently valid access token (refreshing it first when it is about to expire). */
  getAccessToken(): Promise<string>;
  /** Zalo rejected `token` (-216/-220): refresh unless another caller already replaced it. */
  invalidate(token: string): Promise<void>;
}

/** Exchanges a refresh token for a new pair; implemented by `ZaloClient`. */
export interface ZaloTokenRefresher {
  refreshAccessToken(refreshToken: string): Promise<ZaloTokenPair>;
}

/**
 * Durable storage of the one OA token pair, shared by every instance of the bot.
 *
 * Why compare-and-set and a lease: the refresh token is single-use, so two instances that
 * refresh at once would leave one of them (and maybe the store) holding a dead token, and a
 * lost refresh token needs an officer to re-authorise the app by hand.
 */
export interface ZaloTokenStore {
  /** The current pair, or undefined when nothing was ever stored. */
  load(): Promise<ZaloTokenPair | undefined>;
  /**
   * Replaces the stored pair only if its refresh token still equals `expectedRefreshToken`
   * (the empty string means "only if the store is empty", used to seed it). Returns false,
   * without writing, when another process already rotated the pair.
   */
  save(pair: ZaloTokenPair, expectedRefreshToken: string): Promise<boolean>;
  /**
   * Takes the cluster-wide refresh lease for `ttlMs` if it is free, expired or already held
   * by `owner`. Returns whether `owner` now holds it.
   */
  acquireRefreshLease(owner: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease back early; a no-op if `owner` does not hold it. */
  releaseRefreshLease(owner: string): Promise<void>;
}
