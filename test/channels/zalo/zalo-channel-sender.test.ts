/**
 * ZaloChannelSender against the fake Zalo: results as values for the outbox, quick
 * retries of transient failures without resending delivered parts, the template fallback,
 * and the Mongo menu store it writes.
 */
import { ZaloChannelSender } from '../../../src/channels/zalo/zalo-channel-sender';
import { ZaloClient } from '../../../src/channels/zalo/zalo-client';
import { InMemoryZaloMenuStore, MongoZaloMenuStore } from '../../../src/channels/zalo/zalo-menu-store';
import { InMemoryConversationStore } from '../../../src/core/conversation-store';
import type { Database } from '../../../src/storage/mongo/database';
import { FAKE_CS_PATH, FAKE_TEMPLATE_PATH, FakeZaloServer } from '../../fakes/zalo-oa-server';
import { dropTestDatabase, openTestDatabase } from '../../support/database';
import { realContent } from './zalo-channel-harness';

const USER = '2468458835296117922';

describe('ZaloChannelSender', () => {
  let fake: FakeZaloServer;
  let client: ZaloClient;
  let menus: InMemoryZaloMenuStore;
  let sleeps: number[];
  let conversations: InMemoryConversationStore;

  const sender = (templateId?: string, maxAttempts = 3) =>
    new ZaloChannelSender({
      client,
      content: { current: () => content },
      menus,
      conversations,
      templateId,
      maxAttempts,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
  let content: Awaited<ReturnType<typeof realContent>>;

  beforeAll(async () => {
    content = await realContent();
    fake = new FakeZaloServer();
    await fake.start();
    const token = fake.issueTokens().accessToken;
    client = new ZaloClient({
      openApiBase: fake.url,
      oauthBase: fake.url,
      appId: fake.appId,
      appSecret: fake.appSecret,
      tokens: { getAccessToken: async () => token, invalidate: async () => undefined },
    });
    // Training the matcher takes seconds alone, much longer on a machine running other test files.
  }, 120_000);

  afterAll(async () => {
    await fake.close();
  });

  beforeEach(() => {
    fake.sent.length = 0;
    fake.setLastInteraction(USER, new Date());
    menus = new InMemoryZaloMenuStore();
    conversations = new InMemoryConversationStore();
    sleeps = [];
  });

  it('renders notifications in the citizen’s stored language and remembers the menu', async () => {
    await conversations.save(`zalo:${USER}`, { locale: 'en' }, 0);
    const result = await sender().send(USER, [
      { text: 'Your complaint was answered.', quickReplies: [{ label: 'Rate', payload: '/rate' }] },
    ]);
    expect(result).toEqual({ ok: true });
    expect(fake.sent.map((m) => m.text)).toEqual(['Your complaint was answered.\n\n1. Rate\nReply 1']);
    expect(await menus.get(USER)).toEqual(['/rate']);
  });

  it('retries the rate limit (-32) and succeeds without resending earlier parts', async () => {
    const s = sender();
    const long = `${'a '.repeat(900)}\n\n${'b '.repeat(900)}`;
    // The first part goes through; the second meets the rate limit twice, then passes.
    const sendText = client.sendText.bind(client);
    let calls = 0;
    client.sendText = async (userId, text) => {
      calls += 1;
      if (calls === 2) fake.failNext(FAKE_CS_PATH, -32, 2);
      return sendText(userId, text);
    };
    try {
      expect(await s.sendReply(USER, [{ text: long }], 'vi')).toEqual({ ok: true });
    } finally {
      client.sendText = sendText;
    }
    expect(fake.sent.map((m) => m.text?.[0])).toEqual(['a', 'b']);
    expect(sleeps).toHaveLength(2);
    expect(sleeps[1]).toBeGreaterThan(sleeps[0]);
  });

  it('gives up on a persistent rate limit with "retry" and a retry-after for the outbox', async () => {
    fake.failNext(FAKE_CS_PATH, -32, 3);
    const result = await sender().send(USER, [{ text: 'x' }]);
    expect(result).toMatchObject({ ok: false, kind: 'retry', retryAfterMs: 60_000 });
    expect(fake.sent).toHaveLength(0);
  });

  it.each([
    [-230, 'outside_window'],
    [-232, 'outside_window'],
    [-213, 'outside_window'],
    [-201, 'permanent'],
  ])('maps Zalo error %i to %s without retrying', async (code, kind) => {
    fake.failNext(FAKE_CS_PATH, code);
    const result = await sender().send(USER, [{ text: 'x', quickReplies: [{ label: 'A', payload: 'a' }] }]);
    expect(result).toMatchObject({ ok: false, kind });
    expect(sleeps).toEqual([]);
    expect(await menus.get(USER)).toBeUndefined();
  });

  it('reports a network failure as "retry" after its attempts', async () => {
    const offline = new ZaloClient({
      openApiBase: 'http://127.0.0.1:9',
      appId: fake.appId,
      appSecret: fake.appSecret,
      tokens: { getAccessToken: async () => 'AT', invalidate: async () => undefined },
      timeoutMs: 500,
    });
    const s = new ZaloChannelSender({
      client: offline,
      content: { current: () => content },
      menus,
      sleep: async (ms) => void sleeps.push(ms),
    });
    expect(await s.send(USER, [{ text: 'x' }])).toMatchObject({ ok: false, kind: 'retry' });
    expect(sleeps).toHaveLength(2);
  });

  it('sends the approved template outside the window when one is configured', async () => {
    expect(await sender().sendHeldFallback(USER, 'complaint_answered')).toMatchObject({ ok: false, kind: 'permanent' });
    fake.setLastInteraction(USER, new Date(Date.now() - 9 * 24 * 3600 * 1000));
    const s = sender('tmpl-123');
    expect(await s.send(USER, [{ text: 'x' }])).toMatchObject({ ok: false, kind: 'outside_window' });
    expect(await s.sendHeldFallback(USER, 'complaint_answered', { code: 'PA-7K3M9Q' })).toEqual({ ok: true });
    const template = fake.sent.find((m) => m.path === FAKE_TEMPLATE_PATH);
    expect(template).toMatchObject({ templateId: 'tmpl-123', templateData: { kind: 'complaint_answered', code: 'PA-7K3M9Q' } });
  });
});

describe('MongoZaloMenuStore', () => {
  let db: Database;

  beforeAll(async () => {
    db = await openTestDatabase('zalo_menus');
  });

  afterAll(async () => {
    await dropTestDatabase(db);
  });

  it('keeps one menu per citizen, forgets stale ones, and prunes', async () => {
    let now = Date.UTC(2025, 0, 1);
    const store = new MongoZaloMenuStore(db.connection, { clock: () => now, maxAgeMs: 3600_000 });
    await store.set('u1', ['#intent:a', '#intent:b']);
    await store.set('u2', ['x']);
    await store.set('u1', ['#intent:c']);
    expect(await store.get('u1')).toEqual(['#intent:c']);
    await store.set('u2', []);
    expect(await store.get('u2')).toBeUndefined();
    now += 2 * 3600_000;
    expect(await store.get('u1')).toBeUndefined();
    expect(await store.prune(new Date(now - 3600_000))).toBe(1);
    expect(await db.connection.collection('zalo_menus').countDocuments()).toBe(0);
  });
});
