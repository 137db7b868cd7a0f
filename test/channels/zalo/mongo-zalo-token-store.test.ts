/**
 * MongoZaloTokenStore on the real test database (FerretDB, where conditional updates are
 * not atomic): compare-and-set through claims, seeding through the unique _id, the lease,
 * and two token managers (two "instances", each with its own connection) refreshing the
 * single-use refresh token exactly once against the fake Zalo.
 */
import { MongoZaloTokenStore, ZALO_TOKENS_SETTING_ID } from '../../../src/channels/zalo/mongo-zalo-token-store';
import { ZaloClient } from '../../../src/channels/zalo/zalo-client';
import { ZaloTokenManager } from '../../../src/channels/zalo/zalo-token-manager';
import type { ZaloTokenPair } from '../../../src/channels/zalo/zalo-types';
import { silentLogger } from '../../../src/infra/logger';
import { openDatabase, type Database } from '../../../src/storage/mongo/database';
import { FakeZaloServer } from '../../fakes/zalo-oa-server';
import { dropTestDatabase, openTestDatabase, testMongoUri } from '../../support/database';

const HOUR = 3600 * 1000;

function pair(n: number, accessExpiresAt = Date.now() + 25 * HOUR): ZaloTokenPair {
  return {
    accessToken: `AT${n}`,
    refreshToken: `RT${n}`,
    accessExpiresAt: new Date(accessExpiresAt),
    refreshExpiresAt: new Date(Date.now() + 2000 * HOUR),
  };
}

describe('MongoZaloTokenStore', () => {
  let db: Database;
  let second: Database;

  beforeAll(async () => {
    db = await openTestDatabase('zalo_tokens');
    // A second connection to the same database: another instance of the bot.
    second = await openDatabase({ uri: testMongoUri(), dbName: db.connection.name, embeddedDataDir: '', logger: silentLogger() });
  });

  afterAll(async () => {
    await second.close();
    await dropTestDatabase(db);
  });

  beforeEach(async () => {
    await db.models.Setting.deleteMany({});
  });

  it('seeds an empty store once and round-trips the pair with its dates', async () => {
    const store = new MongoZaloTokenStore(db);
    expect(await store.load()).toBeUndefined();
    const p = pair(1);
    expect(await store.save(p, '')).toBe(true);
    expect(await store.save(pair(99), '')).toBe(false);
    expect(await store.load()).toEqual(p);
  });

  it('compare-and-set: refuses a stale expected refresh token and lets exactly one of concurrent writers win', async () => {
    const a = new MongoZaloTokenStore(db);
    const b = new MongoZaloTokenStore(second);
    await a.save(pair(1), '');
    expect(await a.save(pair(2), 'RT-wrong')).toBe(false);
    const results = await Promise.all([a.save(pair(2), 'RT1'), b.save(pair(3), 'RT1'), a.save(pair(4), 'RT1'), b.save(pair(5), 'RT1')]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = [2, 3, 4, 5][results.indexOf(true)];
    expect((await b.load())?.refreshToken).toBe(`RT${winner}`);
    expect(await a.save(pair(6), `RT${winner}`)).toBe(true);
    // Rotating away from RT1 was claimed once: even if an old pair is restored by hand, a
    // late writer that still expects RT1 cannot overwrite it (the claim, not the read, says no).
    await db.models.Setting.updateOne({ _id: ZALO_TOKENS_SETTING_ID }, { $set: { 'value.refreshToken': 'RT1' } });
    expect(await a.save(pair(7), 'RT1')).toBe(false);
    const claims = await db.connection
      .collection('claims')
      .find({ _id: { $regex: /^zalo-rotate:/ } as never })
      .toArray();
    expect(JSON.stringify(claims)).not.toContain('RT1');
  });

  it('throws rather than reading a corrupted setting as empty (which would re-seed over it)', async () => {
    await db.models.Setting.create({ _id: ZALO_TOKENS_SETTING_ID, value: { hello: 'world' } });
    await expect(new MongoZaloTokenStore(db).load()).rejects.toThrow(/not a Zalo token pair/);
  });

  it('gives the refresh lease to one owner at a time', async () => {
    const a = new MongoZaloTokenStore(db);
    const b = new MongoZaloTokenStore(second);
    expect(await a.acquireRefreshLease('instance-a', 60_000)).toBe(true);
    expect(await b.acquireRefreshLease('instance-b', 60_000)).toBe(false);
    expect(await a.acquireRefreshLease('instance-a', 60_000)).toBe(true);
    await b.releaseRefreshLease('instance-b');
    expect(await b.acquireRefreshLease('instance-b', 60_000)).toBe(false);
    await a.releaseRefreshLease('instance-a');
    expect(await b.acquireRefreshLease('instance-b', 60_000)).toBe(true);
    await b.releaseRefreshLease('instance-b');
  });

  it('two token managers sharing the store refresh the expired token once and send with the new one', async () => {
    const fake = new FakeZaloServer();
    await fake.start();
    try {
      const issued = fake.issueTokens();
      const seeded = { ...issued, accessExpiresAt: new Date(Date.now() - 1000) };
      await new MongoZaloTokenStore(db).save(seeded, '');
      const instance = (database: Database, name: string) => {
        let client: ZaloClient | undefined;
        const manager = new ZaloTokenManager({
          store: new MongoZaloTokenStore(database, { owner: name }),
          refresher: { refreshAccessToken: (t) => client!.refreshAccessToken(t) },
          owner: name,
          pollIntervalMs: 20,
        });
        client = new ZaloClient({
          openApiBase: fake.url,
          oauthBase: fake.url,
          appId: fake.appId,
          appSecret: fake.appSecret,
          tokens: manager,
        });
        return { manager, client };
      };
      const one = instance(db, 'instance-1');
      const two = instance(second, 'instance-2');
      const tokens = await Promise.all([
        one.manager.getAccessToken(),
        two.manager.getAccessToken(),
        one.manager.getAccessToken(),
        two.manager.getAccessToken(),
      ]);
      expect(fake.refreshCount).toBe(1);
      expect(new Set(tokens).size).toBe(1);
      const stored = await new MongoZaloTokenStore(second).load();
      expect(stored?.accessToken).toBe(tokens[0]);
      expect(stored?.refreshToken).not.toBe(issued.refreshToken);
      expect(fake.isRefreshTokenValid(issued.refreshToken)).toBe(false);
      expect(fake.isRefreshTokenValid(stored!.refreshToken)).toBe(true);

      // Zalo expires the token early: the client refreshes (once, across both instances) and retries.
      const user = '2468458835296117922';
      fake.setLastInteraction(user, new Date());
      fake.expireAccessToken(tokens[0]);
      await Promise.all([one.client.sendText(user, 'Xin chào'), two.client.sendText(user, 'Xin chào')]);
      expect(fake.refreshCount).toBe(2);
      expect(fake.sent).toHaveLength(2);
    } finally {
      await fake.close();
    }
  });
});
