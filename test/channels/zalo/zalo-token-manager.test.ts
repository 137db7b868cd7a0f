import { ZaloApiError, ZaloClient } from '../../../src/channels/zalo/zalo-client';
import {
  InMemoryZaloTokenStore,
  ZaloTokenError,
  ZaloTokenManager,
  type ZaloTokenEvent,
  type ZaloTokenManagerOptions,
} from '../../../src/channels/zalo/zalo-token-manager';
import type { ZaloTokenPair, ZaloTokenRefresher, ZaloTokenStore } from '../../../src/channels/zalo/zalo-types';
import { FAKE_CS_PATH, FAKE_TOKEN_PATH, FakeZaloServer } from '../../fakes/zalo-oa-server';

const HOUR = 3600 * 1000;
const T0 = Date.UTC(2024, 5, 1, 8, 0, 0);

function pair(n: number, accessExpiresAt: number): ZaloTokenPair {
  return {
    accessToken: `AT${n}`,
    refreshToken: `RT${n}`,
    accessExpiresAt: new Date(accessExpiresAt),
    refreshExpiresAt: new Date(T0 + 2000 * HOUR),
  };
}

/** A refresher that mints AT<n+1>/RT<n+1> from RT<n>, rejects reused tokens, and logs. */
class StubRefresher implements ZaloTokenRefresher {
  calls: string[] = [];
  private used = new Set<string>();

  constructor(
    private readonly now: () => number,
    private readonly log: string[] = [],
    private readonly delayMs = 0,
  ) {}

  async refreshAccessToken(refreshToken: string): Promise<ZaloTokenPair> {
    this.calls.push(refreshToken);
    if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.used.has(refreshToken)) throw new ZaloApiError(-14014, 'Invalid refresh token.', '/v4/oa/access_token');
    this.used.add(refreshToken);
    const next = Number(refreshToken.replace('RT', '')) + 1;
    this.log.push(`refreshed:AT${next}`);
    return pair(next, this.now() + 25 * HOUR);
  }
}

/** Wraps a store to record the order of writes in a shared log. */
class LoggingStore implements ZaloTokenStore {
  constructor(
    private readonly inner: ZaloTokenStore,
    private readonly log: string[],
  ) {}
  load(): Promise<ZaloTokenPair | undefined> {
    return this.inner.load();
  }
  async save(p: ZaloTokenPair, expected: string): Promise<boolean> {
    const ok = await this.inner.save(p, expected);
    this.log.push(`${ok ? 'saved' : 'save-rejected'}:${p.accessToken}`);
    return ok;
  }
  acquireRefreshLease(owner: string, ttlMs: number): Promise<boolean> {
    return this.inner.acquireRefreshLease(owner, ttlMs);
  }
  releaseRefreshLease(owner: string): Promise<void> {
    return this.inner.releaseRefreshLease(owner);
  }
}

describe('ZaloTokenManager', () => {
  let now: number;
  const clock = (): number => now;

  beforeEach(() => {
    now = T0;
  });

  function manager(store: ZaloTokenStore, refresher: ZaloTokenRefresher, extra: Partial<ZaloTokenManagerOptions> = {}): ZaloTokenManager {
    return new ZaloTokenManager({ store, refresher, clock, ...extra });
  }

  it('reuses the pair it read for cacheMs, and reads the store again when Zalo rejects the token', async () => {
    const store = new InMemoryZaloTokenStore(pair(1, T0 + 20 * HOUR), clock);
    let loads = 0;
    const counting: ZaloTokenStore = Object.assign(Object.create(store) as ZaloTokenStore, {
      load: () => (loads++, store.load()),
    });
    const m = manager(counting, new StubRefresher(clock), { cacheMs: 30_000 });
    for (let i = 0; i < 5; i++) await expect(m.getAccessToken()).resolves.toBe('AT1');
    expect(loads).toBe(1);
    // Another instance rotated the pair: seen after the cache time…
    await store.save(pair(2, T0 + 25 * HOUR), 'RT1');
    await expect(m.getAccessToken()).resolves.toBe('AT1');
    now += 30_001;
    await expect(m.getAccessToken()).resolves.toBe('AT2');
    // …or at once when Zalo rejects the cached token.
    await store.save(pair(3, T0 + 25 * HOUR), 'RT2');
    await m.invalidate('AT2');
    await expect(m.getAccessToken()).resolves.toBe('AT3');
  });

  it('returns the stored token while it is far from expiry, without refreshing', async () => {
    const refresher = new StubRefresher(clock);
    const m = manager(new InMemoryZaloTokenStore(pair(1, T0 + 20 * HOUR)), refresher);
    expect(await m.getAccessToken()).toBe('AT1');
    expect(refresher.calls).toEqual([]);
  });

  it('refreshes ahead of expiry (within the 1 h margin) and stores the new pair', async () => {
    const store = new InMemoryZaloTokenStore(pair(1, T0 + 20 * HOUR), clock);
    const refresher = new StubRefresher(clock);
    const events: ZaloTokenEvent[] = [];
    const m = manager(store, refresher, { onEvent: (e) => events.push(e) });
    now = T0 + 18 * HOUR; // 2 h left: still fine
    expect(await m.getAccessToken()).toBe('AT1');
    now = T0 + 19 * HOUR + 1; // 59 min left: refresh now, before it fails
    expect(await m.getAccessToken()).toBe('AT2');
    expect(refresher.calls).toEqual(['RT1']);
    expect((await store.load())?.refreshToken).toBe('RT2');
    expect(events).toEqual([{ type: 'refreshed', accessExpiresAt: new Date(now + 25 * HOUR) }]);
  });

  it('honours a custom margin', async () => {
    const refresher = new StubRefresher(clock);
    const m = manager(new InMemoryZaloTokenStore(pair(1, T0 + 5 * HOUR)), refresher, { refreshMarginMs: 6 * HOUR });
    expect(await m.getAccessToken()).toBe('AT2');
  });

  it('saves the new pair before handing it out, and never hands out an unsaved one', async () => {
    const log: string[] = [];
    const store = new LoggingStore(new InMemoryZaloTokenStore(pair(1, T0)), log);
    const m = manager(store, new StubRefresher(clock, log));
    const token = await m.getAccessToken();
    log.push(`used:${token}`);
    expect(log).toEqual(['refreshed:AT2', 'saved:AT2', 'used:AT2']);

    const failing: ZaloTokenStore = new InMemoryZaloTokenStore(pair(5, T0));
    failing.save = async () => {
      throw new Error('disk full');
    };
    await expect(manager(failing, new StubRefresher(clock)).getAccessToken()).rejects.toThrow('disk full');
  });

  it('shares one refresh among concurrent callers of one manager', async () => {
    const refresher = new StubRefresher(clock, [], 20);
    const m = manager(new InMemoryZaloTokenStore(pair(1, T0)), refresher);
    const tokens = await Promise.all(Array.from({ length: 10 }, () => m.getAccessToken()));
    expect(new Set(tokens)).toEqual(new Set(['AT2']));
    expect(refresher.calls).toEqual(['RT1']);
  });

  it('lets only one of several managers sharing a store refresh; the others wait for the new pair', async () => {
    const store = new InMemoryZaloTokenStore(pair(1, T0));
    const refresher = new StubRefresher(Date.now, [], 50);
    const managers = Array.from(
      { length: 4 },
      (_, i) => new ZaloTokenManager({ store, refresher, owner: `instance-${i}`, pollIntervalMs: 5 }),
    );
    const tokens = await Promise.all(managers.map((m) => m.getAccessToken()));
    expect(tokens).toEqual(['AT2', 'AT2', 'AT2', 'AT2']);
    expect(refresher.calls).toEqual(['RT1']);
  });

  it('takes over when the lease holder died, once its lease expires', async () => {
    const store = new InMemoryZaloTokenStore(pair(1, T0), clock);
    await store.acquireRefreshLease('crashed-instance', 10_000);
    const refresher = new StubRefresher(clock);
    const m = manager(store, refresher, { pollIntervalMs: 1000, sleep: async (ms) => void (now += ms) });
    expect(await m.getAccessToken()).toBe('AT2');
    expect(now - T0).toBeGreaterThanOrEqual(10_000);
    expect(refresher.calls).toEqual(['RT1']);
  });

  it('gives up waiting for another instance after waitTimeoutMs', async () => {
    const store = new InMemoryZaloTokenStore(pair(1, T0), clock);
    await store.acquireRefreshLease('slow-instance', 10 * 60_000);
    const m = manager(store, new StubRefresher(clock), {
      waitTimeoutMs: 5000,
      pollIntervalMs: 1000,
      sleep: async (ms) => void (now += ms),
    });
    await expect(m.getAccessToken()).rejects.toBeInstanceOf(ZaloTokenError);
  });

  it('invalidate(token) forces a refresh when the token is still current, and is a no-op otherwise', async () => {
    const store = new InMemoryZaloTokenStore(pair(1, T0 + 20 * HOUR));
    const refresher = new StubRefresher(clock);
    const m = manager(store, refresher);
    await m.invalidate('AT1');
    expect(await m.getAccessToken()).toBe('AT2');
    await m.invalidate('AT1'); // stale: someone already replaced it
    expect(await m.getAccessToken()).toBe('AT2');
    expect(refresher.calls).toEqual(['RT1']);
  });

  it('seeds an empty store from the initial tokens and refreshes them at first use', async () => {
    const store = new InMemoryZaloTokenStore();
    const events: ZaloTokenEvent[] = [];
    const refresher = new StubRefresher(clock);
    const m = manager(store, refresher, { initialTokens: { accessToken: 'AT7', refreshToken: 'RT7' }, onEvent: (e) => events.push(e) });
    expect(await m.getAccessToken()).toBe('AT8');
    expect((await store.load())?.refreshToken).toBe('RT8');
    expect(events.map((e) => e.type)).toEqual(['seeded', 'refreshed']);
  });

  it('uses a seeded access token as is when its expiry is given', async () => {
    const refresher = new StubRefresher(clock);
    const m = manager(new InMemoryZaloTokenStore(), refresher, {
      initialTokens: { accessToken: 'AT7', refreshToken: 'RT7', accessExpiresAt: new Date(T0 + 24 * HOUR) },
    });
    expect(await m.getAccessToken()).toBe('AT7');
    expect(refresher.calls).toEqual([]);
  });

  it('ignores the initial tokens once the store holds a pair', async () => {
    const m = manager(new InMemoryZaloTokenStore(pair(3, T0 + 20 * HOUR)), new StubRefresher(clock), {
      initialTokens: { accessToken: 'AT-env', refreshToken: 'RT-env' },
    });
    expect(await m.getAccessToken()).toBe('AT3');
  });

  it('fails with a hint when there is no pair and no seed', async () => {
    const error = await manager(new InMemoryZaloTokenStore(), new StubRefresher(clock))
      .getAccessToken()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZaloTokenError);
    expect((error as ZaloTokenError).hint).toMatch(/ZALO_REFRESH_TOKEN/);
  });

  it('reports a dead refresh token and leaves the store untouched', async () => {
    const store = new InMemoryZaloTokenStore(pair(1, T0));
    const refresher = new StubRefresher(clock);
    await refresher.refreshAccessToken('RT1'); // used elsewhere: now dead
    const events: ZaloTokenEvent[] = [];
    const error = await manager(store, refresher, { onEvent: (e) => events.push(e) })
      .getAccessToken()
      .catch((e: unknown) => e);
    expect((error as ZaloApiError).code).toBe(-14014);
    expect(events.map((e) => e.type)).toEqual(['refresh_failed']);
    expect((await store.load())?.refreshToken).toBe('RT1');
  });

  it('adopts a pair another writer stored while its own refresh failed', async () => {
    const store = new InMemoryZaloTokenStore(pair(1, T0));
    const refresher: ZaloTokenRefresher = {
      refreshAccessToken: async () => {
        await store.save(pair(9, T0 + 25 * HOUR), 'RT1'); // e.g. an instance whose lease had expired
        throw new ZaloApiError(-14014, 'Invalid refresh token.', '/v4/oa/access_token');
      },
    };
    expect(await manager(store, refresher).getAccessToken()).toBe('AT9');
  });
});

describe('InMemoryZaloTokenStore', () => {
  it('compare-and-sets on the refresh token, the empty string meaning "only if empty"', async () => {
    const store = new InMemoryZaloTokenStore();
    expect(await store.save(pair(1, T0), 'RT0')).toBe(false);
    expect(await store.save(pair(1, T0), '')).toBe(true);
    expect(await store.save(pair(2, T0), '')).toBe(false);
    expect(await store.save(pair(2, T0), 'RT1')).toBe(true);
    expect(await store.save(pair(3, T0), 'RT1')).toBe(false);
    expect((await store.load())?.accessToken).toBe('AT2');
  });

  it('grants the lease to one owner until released or expired', async () => {
    let now = T0;
    const store = new InMemoryZaloTokenStore(undefined, () => now);
    expect(await store.acquireRefreshLease('a', 1000)).toBe(true);
    expect(await store.acquireRefreshLease('b', 1000)).toBe(false);
    expect(await store.acquireRefreshLease('a', 1000)).toBe(true);
    await store.releaseRefreshLease('b'); // not the holder: no effect
    expect(await store.acquireRefreshLease('b', 1000)).toBe(false);
    now += 1001;
    expect(await store.acquireRefreshLease('b', 1000)).toBe(true);
    await store.releaseRefreshLease('b');
    expect(await store.acquireRefreshLease('a', 1000)).toBe(true);
  });

  it('returns copies, so callers cannot mutate the stored pair', async () => {
    const store = new InMemoryZaloTokenStore(pair(1, T0));
    const loaded = await store.load();
    loaded?.accessExpiresAt.setTime(0);
    expect((await store.load())?.accessExpiresAt.getTime()).toBe(T0);
  });
});

describe('ZaloTokenManager with ZaloClient and the fake Zalo server', () => {
  const USER = '2468458835296117922';
  let fake: FakeZaloServer;

  beforeAll(async () => {
    fake = new FakeZaloServer();
    await fake.start();
  });

  afterAll(async () => {
    await fake.close();
  });

  function wire(store: ZaloTokenStore, fetchFn?: typeof fetch): ZaloClient {
    const m = new ZaloTokenManager({ store, refresher: { refreshAccessToken: (t) => client.refreshAccessToken(t) }, pollIntervalMs: 5 });
    const client: ZaloClient = new ZaloClient({
      openApiBase: fake.url,
      oauthBase: fake.url,
      appId: fake.appId,
      appSecret: fake.appSecret,
      tokens: m,
      ...(fetchFn ? { fetch: fetchFn } : {}),
    });
    return client;
  }

  it('two instances sharing one store refresh the real (single-use) token only once', async () => {
    const issued = fake.issueTokens();
    const store = new InMemoryZaloTokenStore({ ...issued, accessExpiresAt: new Date(Date.now() + 10 * 60_000) });
    fake.setLastInteraction(USER, new Date());
    const tokenCalls = (): number => fake.calls.filter((c) => c.path === FAKE_TOKEN_PATH).length;
    const before = tokenCalls();
    await Promise.all([wire(store).sendText(USER, 'một'), wire(store).sendText(USER, 'hai')]);
    expect(tokenCalls() - before).toBe(1); // not even a failed second attempt
    expect(fake.isRefreshTokenValid(issued.refreshToken)).toBe(false);
    const stored = await store.load();
    expect(fake.isRefreshTokenValid(stored?.refreshToken ?? '')).toBe(true);
    expect(fake.sent.slice(-2).map((m) => m.accessToken)).toEqual([stored?.accessToken, stored?.accessToken]);
  });

  it('stores the new pair before the first message is sent with it', async () => {
    const log: string[] = [];
    const issued = fake.issueTokens();
    const store = new LoggingStore(new InMemoryZaloTokenStore({ ...issued, accessExpiresAt: new Date() }), log);
    const loggingFetch: typeof fetch = async (input, init) => {
      const headers = new Headers(init?.headers);
      if ((input instanceof Request ? input.url : input.toString()).endsWith(FAKE_CS_PATH))
        log.push(`sent-with:${headers.get('access_token') ?? ''}`);
      return fetch(input, init);
    };
    fake.setLastInteraction(USER, new Date());
    await wire(store, loggingFetch).sendText(USER, 'Xin chào');
    const fresh = (await store.load())?.accessToken;
    expect(log).toEqual([`saved:${fresh}`, `sent-with:${fresh}`]);
  });
});
