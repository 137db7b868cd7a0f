/**
 * Keeps the Zalo OA access token valid across every instance of the bot.
 *
 * Why so careful: the refresh token is single-use. If two instances refresh at once, or one
 * refreshes and dies before storing the answer, the grant is lost and an officer must
 * re-authorise the app by hand. So: one refresh at a time cluster-wide (a lease in the
 * shared store), the new pair saved (compare-and-set) before anyone uses it, and instances
 * that did not win the lease wait for the stored pair to change instead of refreshing too.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { ZaloTokenPair, ZaloTokenProvider, ZaloTokenRefresher, ZaloTokenStore } from './zalo-types';

const HOUR_MS = 3600 * 1000;
const REFRESH_TOKEN_LIFETIME_MS = 90 * 24 * HOUR_MS;

/** No usable token: a configuration or re-authorisation problem a human must look at. */
export class ZaloTokenError extends Error {
  override readonly name = 'ZaloTokenError';
  readonly hint: string;

  constructor(message: string, hint: string) {
    super(message);
    this.hint = hint;
  }
}

/** What the manager did, for logs and alerts (a failed refresh should page someone). */
export type ZaloTokenEvent =
  { type: 'seeded' } | { type: 'refreshed'; accessExpiresAt: Date } | { type: 'adopted' } | { type: 'refresh_failed'; error: unknown };

/** Tokens from the environment (ZALO_ACCESS_TOKEN / ZALO_REFRESH_TOKEN), used only if the store is empty. */
export interface ZaloInitialTokens {
  accessToken: string;
  refreshToken: string;
  /** Unknown for tokens pasted from the console: by default treated as expired, so the first use refreshes. */
  accessExpiresAt?: Date;
  refreshExpiresAt?: Date;
}

export interface ZaloTokenManagerOptions {
  store: ZaloTokenStore;
  refresher: ZaloTokenRefresher;
  initialTokens?: ZaloInitialTokens;
  /** Refresh when the access token expires within this; default 1 h (of its 25 h). */
  refreshMarginMs?: number;
  /** How long a refresh lease is held at most; default 60 s. */
  leaseTtlMs?: number;
  /** How often a waiting instance re-reads the store; default 200 ms. */
  pollIntervalMs?: number;
  /** How long to wait for another instance's refresh before giving up; default 90 s. */
  waitTimeoutMs?: number;
  /**
   * How long the pair read from the store is reused without reading it again; default
   * 30 s. A broadcast sends thousands of messages a minute, one store read each was a
   * quarter of a Zalo send's database work. Another instance's rotation is seen within
   * this time, or at once when Zalo rejects the old token (`invalidate` reads the store).
   */
  cacheMs?: number;
  /** Lease owner name; default host, pid and a random suffix. */
  owner?: string;
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
  onEvent?: (event: ZaloTokenEvent) => void;
}

/** `ZaloTokenProvider` over a shared `ZaloTokenStore`; see the module comment. */
export class ZaloTokenManager implements ZaloTokenProvider {
  private readonly store: ZaloTokenStore;
  private readonly refresher: ZaloTokenRefresher;
  private readonly initialTokens?: ZaloInitialTokens;
  private readonly marginMs: number;
  private readonly leaseTtlMs: number;
  private readonly pollIntervalMs: number;
  private readonly waitTimeoutMs: number;
  private readonly owner: string;
  private readonly clock: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly onEvent: (event: ZaloTokenEvent) => void;
  /** Access tokens Zalo rejected: refreshed even if their expiry is far away. */
  private rejected = new Set<string>();
  /** The refresh under way in this process, shared by concurrent callers. */
  private inflight?: Promise<string>;
  private readonly cacheMs: number;
  /** The pair last read and until when it is reused. */
  private cached?: { readonly pair: ZaloTokenPair; readonly until: number };

  constructor(options: ZaloTokenManagerOptions) {
    this.store = options.store;
    this.refresher = options.refresher;
    this.initialTokens = options.initialTokens;
    this.marginMs = options.refreshMarginMs ?? HOUR_MS;
    this.leaseTtlMs = options.leaseTtlMs ?? 60_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
    this.waitTimeoutMs = options.waitTimeoutMs ?? 90_000;
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.clock = options.clock ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.onEvent = options.onEvent ?? (() => undefined);
    this.cacheMs = options.cacheMs ?? 30_000;
  }

  /** The stored access token, refreshed first when it expires within the margin. */
  async getAccessToken(): Promise<string> {
    const now = this.clock();
    let pair = this.cached && this.cached.until > now ? this.cached.pair : undefined;
    if (!pair) {
      pair = await this.loadOrSeed();
      this.cached = { pair, until: now + this.cacheMs };
    }
    if (!this.needsRefresh(pair)) return pair.accessToken;
    this.cached = undefined;
    return this.refreshOnce(pair);
  }

  /** Zalo rejected `token`: refresh now, unless the stored pair already moved on. */
  async invalidate(token: string): Promise<void> {
    this.cached = undefined;
    const pair = await this.loadOrSeed();
    if (pair.accessToken !== token) return;
    this.rejected.add(token);
    await this.refreshOnce(pair);
  }

  private needsRefresh(pair: ZaloTokenPair): boolean {
    return this.rejected.has(pair.accessToken) || pair.accessExpiresAt.getTime() - this.clock() <= this.marginMs;
  }

  /** One refresh per process at a time; concurrent callers share its result. */
  private refreshOnce(stale: ZaloTokenPair): Promise<string> {
    this.inflight ??= this.refreshAcrossProcesses(stale).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** Takes the lease and refreshes, or waits until another instance stored a new pair. */
  private async refreshAcrossProcesses(stale: ZaloTokenPair): Promise<string> {
    const deadline = this.clock() + this.waitTimeoutMs;
    for (;;) {
      const current = (await this.store.load()) ?? stale;
      if (current.refreshToken !== stale.refreshToken && !this.needsRefresh(current)) return current.accessToken;
      if (await this.store.acquireRefreshLease(this.owner, this.leaseTtlMs)) {
        try {
          return await this.refreshUnderLease();
        } finally {
          await this.store.releaseRefreshLease(this.owner);
        }
      }
      if (this.clock() >= deadline) {
        throw new ZaloTokenError(
          'Timed out waiting for another instance to refresh the Zalo OA token',
          'Check the other instances and the token store; the lease expires by itself after its TTL.',
        );
      }
      await this.sleep(this.pollIntervalMs);
    }
  }

  /** Re-reads the pair under the lease, refreshes it and saves the new pair before returning it. */
  private async refreshUnderLease(): Promise<string> {
    const base = await this.loadOrSeed();
    if (!this.needsRefresh(base)) return base.accessToken;
    let fresh: ZaloTokenPair;
    try {
      fresh = await this.refresher.refreshAccessToken(base.refreshToken);
    } catch (error) {
      const adopted = await this.adoptIfRotated(base);
      if (adopted) return adopted;
      this.onEvent({ type: 'refresh_failed', error });
      throw error;
    }
    if (await this.store.save(fresh, base.refreshToken)) {
      this.rejected = new Set();
      this.onEvent({ type: 'refreshed', accessExpiresAt: fresh.accessExpiresAt });
      return fresh.accessToken;
    }
    const adopted = await this.adoptIfRotated(base);
    if (adopted) return adopted;
    throw new ZaloTokenError(
      'The Zalo token store changed during a refresh and holds no usable pair',
      'Another writer replaced the pair; check the store and re-authorise the app if needed.',
    );
  }

  /** Another writer stored a newer, usable pair: use it rather than ours. */
  private async adoptIfRotated(base: ZaloTokenPair): Promise<string | undefined> {
    const after = await this.store.load();
    if (!after || after.refreshToken === base.refreshToken || this.needsRefresh(after)) return undefined;
    this.onEvent({ type: 'adopted' });
    return after.accessToken;
  }

  /** The stored pair, or the initial tokens written into the empty store. */
  private async loadOrSeed(): Promise<ZaloTokenPair> {
    const stored = await this.store.load();
    if (stored) return stored;
    const seed = this.initialTokens;
    if (!seed) {
      throw new ZaloTokenError(
        'No Zalo OA token pair is stored and none was configured',
        'Set ZALO_ACCESS_TOKEN and ZALO_REFRESH_TOKEN (API Explorer, "OA Access Token") for the first start.',
      );
    }
    const now = this.clock();
    const pair: ZaloTokenPair = {
      accessToken: seed.accessToken,
      refreshToken: seed.refreshToken,
      accessExpiresAt: seed.accessExpiresAt ?? new Date(now),
      refreshExpiresAt: seed.refreshExpiresAt ?? new Date(now + REFRESH_TOKEN_LIFETIME_MS),
    };
    if (await this.store.save(pair, '')) {
      this.onEvent({ type: 'seeded' });
      return pair;
    }
    return (await this.store.load()) ?? pair;
  }
}

/**
 * A `ZaloTokenStore` in process memory: for tests and single-instance development only
 * (a restart loses the pair, and with it the single-use refresh token).
 */
export class InMemoryZaloTokenStore implements ZaloTokenStore {
  private pair?: ZaloTokenPair;
  private lease?: { owner: string; expiresAt: number };
  private readonly clock: () => number;

  constructor(initial?: ZaloTokenPair, clock: () => number = Date.now) {
    this.pair = initial ? copyPair(initial) : undefined;
    this.clock = clock;
  }

  async load(): Promise<ZaloTokenPair | undefined> {
    return this.pair ? copyPair(this.pair) : undefined;
  }

  async save(pair: ZaloTokenPair, expectedRefreshToken: string): Promise<boolean> {
    if ((this.pair?.refreshToken ?? '') !== expectedRefreshToken) return false;
    this.pair = copyPair(pair);
    return true;
  }

  async acquireRefreshLease(owner: string, ttlMs: number): Promise<boolean> {
    const now = this.clock();
    if (this.lease && this.lease.owner !== owner && this.lease.expiresAt > now) return false;
    this.lease = { owner, expiresAt: now + ttlMs };
    return true;
  }

  async releaseRefreshLease(owner: string): Promise<void> {
    if (this.lease?.owner === owner) this.lease = undefined;
  }
}

function copyPair(pair: ZaloTokenPair): ZaloTokenPair {
  return {
    accessToken: pair.accessToken,
    refreshToken: pair.refreshToken,
    accessExpiresAt: new Date(pair.accessExpiresAt.getTime()),
    refreshExpiresAt: new Date(pair.refreshExpiresAt.getTime()),
  };
}
