import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  isOutsideWindow,
  isRateLimited,
  isTokenError,
  ZaloApiError,
  ZaloClient,
  ZaloNetworkError,
} from '../../../src/channels/zalo/zalo-client';
import { InMemoryZaloTokenStore, ZaloTokenManager } from '../../../src/channels/zalo/zalo-token-manager';
import type { ZaloTokenProvider } from '../../../src/channels/zalo/zalo-types';
import { FAKE_CS_PATH, FAKE_TEMPLATE_PATH, FAKE_TOKEN_PATH, FakeZaloServer } from '../../fakes/zalo-oa-server';

const USER = '2468458835296117922';
const DAY_MS = 24 * 3600 * 1000;

describe('ZaloClient against the fake Zalo server', () => {
  let fake: FakeZaloServer;
  let store: InMemoryZaloTokenStore;
  let client: ZaloClient;

  beforeAll(async () => {
    fake = new FakeZaloServer();
    await fake.start();
  });

  afterAll(async () => {
    await fake.close();
  });

  beforeEach(() => {
    store = new InMemoryZaloTokenStore(fake.issueTokens());
    client = makeClient(fake, new ZaloTokenManager({ store, refresher: { refreshAccessToken: (t) => client.refreshAccessToken(t) } }));
    fake.setLastInteraction(USER, new Date());
    fake.sent.length = 0;
    fake.calls.length = 0;
  });

  it('sends a text to the exact 19-digit user id', async () => {
    const results = await client.sendText(USER, 'Chào anh/chị, hồ sơ cần: tờ khai, ảnh 4x6.');
    expect(fake.sent).toHaveLength(1);
    expect(fake.sent[0]).toMatchObject({ path: FAKE_CS_PATH, userId: USER, text: 'Chào anh/chị, hồ sơ cần: tờ khai, ảnh 4x6.' });
    expect(results).toEqual([{ messageId: fake.sent[0]?.messageId, userId: USER }]);
  });

  it('NFC-normalises decomposed Vietnamese before sending', async () => {
    await client.sendText(USER, 'Thủ tục'.normalize('NFD'));
    expect(fake.sent[0]?.text).toBe('Thủ tục'.normalize('NFC'));
  });

  it('splits a long text into ≤ 2000-character parts sent in order', async () => {
    const paragraphs = Array.from({ length: 5 }, (_, i) => `Đoạn ${i + 1}. ` + 'nộp hồ sơ trực tuyến '.repeat(40).trim());
    const text = paragraphs.join('\n\n');
    expect(text.length).toBeGreaterThan(4000);
    const results = await client.sendText(USER, text);
    const texts = fake.sent.map((m) => m.text ?? '');
    expect(texts.length).toBeGreaterThanOrEqual(3);
    expect(results).toHaveLength(texts.length);
    for (const part of texts) expect(part.length).toBeLessThanOrEqual(2000);
    expect(texts.join('\n\n')).toBe(text);
    expect(texts[0]?.startsWith('Đoạn 1.')).toBe(true);
  });

  it('refuses an empty text without calling Zalo', async () => {
    await expect(client.sendText(USER, '  \n ')).rejects.toThrow(TypeError);
    expect(fake.calls).toHaveLength(0);
  });

  it('on -216 refreshes the token, retries once and succeeds', async () => {
    const before = await store.load();
    fake.failNext(FAKE_CS_PATH, -216);
    await client.sendText(USER, 'Xin chào');
    const after = await store.load();
    expect(after?.accessToken).not.toBe(before?.accessToken);
    expect(fake.calls.map((c) => [c.path, c.error])).toEqual([
      [FAKE_CS_PATH, -216],
      [FAKE_TOKEN_PATH, 0],
      [FAKE_CS_PATH, 0],
    ]);
    expect(fake.calls[0]?.accessToken).toBe(before?.accessToken);
    expect(fake.sent[0]?.accessToken).toBe(after?.accessToken);
  });

  it('on a really expired token (-220) refreshes and retries', async () => {
    const before = await store.load();
    fake.expireAccessToken(before?.accessToken ?? '');
    await client.sendText(USER, 'Xin chào');
    expect(fake.calls.map((c) => c.error)).toEqual([-220, 0, 0]);
  });

  it('retries only once: a second token error reaches the caller', async () => {
    fake.failNext(FAKE_CS_PATH, -216, 2);
    const error = await client.sendText(USER, 'Xin chào').catch((e: unknown) => e);
    expect(isTokenError(error)).toBe(true);
    expect(fake.calls.filter((c) => c.path === FAKE_CS_PATH)).toHaveLength(2);
    expect(fake.sent).toHaveLength(0);
  });

  it('reports -230 outside the 7-day window as isOutsideWindow, without user id or text in the message', async () => {
    fake.setLastInteraction(USER, new Date(Date.now() - 8 * DAY_MS));
    const error = await client.sendText(USER, 'Kết quả xử lý phản ánh của anh/chị').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZaloApiError);
    expect(isOutsideWindow(error)).toBe(true);
    expect(isTokenError(error)).toBe(false);
    const apiError = error as ZaloApiError;
    expect(apiError.code).toBe(-230);
    expect(apiError.endpoint).toBe(FAKE_CS_PATH);
    expect(apiError.hint).toMatch(/7 days/);
    expect(apiError.message).not.toContain(USER);
    expect(apiError.message).not.toContain('phản ánh');
    expect(fake.sent).toHaveLength(0);
  });

  it('classifies -232 and -213 as outside the window and -32 as rate limited', async () => {
    for (const code of [-232, -213]) {
      fake.failNext(FAKE_CS_PATH, code);
      expect(isOutsideWindow(await client.sendText(USER, 'a').catch((e: unknown) => e))).toBe(true);
    }
    fake.failNext(FAKE_CS_PATH, -32);
    const limited = await client.sendText(USER, 'a').catch((e: unknown) => e);
    expect(isRateLimited(limited)).toBe(true);
    expect(isOutsideWindow(limited)).toBe(false);
  });

  it('sends an image as a media template with its caption', async () => {
    await client.sendImage(USER, fake.imageUrl('so-do'), 'Sơ đồ bộ phận một cửa');
    expect(fake.sent[0]).toMatchObject({
      userId: USER,
      text: 'Sơ đồ bộ phận một cửa',
      attachment: {
        type: 'template',
        payload: { template_type: 'media', elements: [{ media_type: 'image', url: fake.imageUrl('so-do') }] },
      },
    });
  });

  it('sends an over-long caption as text after the image', async () => {
    const caption = 'chú thích '.repeat(300).trim();
    await client.sendImage(USER, fake.imageUrl(), caption);
    expect(fake.sent[0]?.text).toBeUndefined();
    expect(fake.sent[0]?.attachment).toBeDefined();
    expect(
      fake.sent
        .slice(1)
        .map((m) => m.text)
        .join(' '),
    ).toBe(caption);
  });

  it('sends a template message even outside the 7-day window', async () => {
    fake.setLastInteraction(USER, new Date(Date.now() - 30 * DAY_MS));
    const result = await client.sendTemplate(USER, '7895417a7d3f9461cd2e', { ma_ho_so: 'PA-2024-0001', trang_thai: 'Đã xử lý' });
    expect(fake.sent[0]).toMatchObject({
      path: FAKE_TEMPLATE_PATH,
      userId: USER,
      templateId: '7895417a7d3f9461cd2e',
      templateData: { ma_ho_so: 'PA-2024-0001', trang_thai: 'Đã xử lý' },
    });
    expect(result.messageId).toBe(fake.sent[0]?.messageId);
  });

  it('sends a request_user_info card', async () => {
    await client.requestUserInfo(USER, { title: 'UBND tỉnh Kon Tum', subtitle: 'Xin thông tin liên hệ', imageUrl: fake.imageUrl('logo') });
    expect(fake.sent[0]?.attachment).toEqual({
      type: 'template',
      payload: {
        template_type: 'request_user_info',
        elements: [{ title: 'UBND tỉnh Kon Tum', subtitle: 'Xin thông tin liên hệ', image_url: fake.imageUrl('logo') }],
      },
    });
  });

  it('refresh rotates the pair, and the old refresh token no longer works', async () => {
    const old = await store.load();
    const start = Date.now();
    const fresh = await client.refreshAccessToken(old?.refreshToken ?? '');
    expect(fresh.accessToken).not.toBe(old?.accessToken);
    expect(fresh.refreshToken).not.toBe(old?.refreshToken);
    const ttl = fresh.accessExpiresAt.getTime() - start;
    expect(ttl).toBeGreaterThanOrEqual(90_000_000 - 1000);
    expect(ttl).toBeLessThanOrEqual(90_000_000 + 5000);
    expect(fresh.refreshExpiresAt.getTime() - start).toBeGreaterThan(85 * DAY_MS);

    const reuse = await client.refreshAccessToken(old?.refreshToken ?? '').catch((e: unknown) => e);
    expect(reuse).toBeInstanceOf(ZaloApiError);
    expect((reuse as ZaloApiError).code).toBe(-14014);
    expect((reuse as ZaloApiError).endpoint).toBe(FAKE_TOKEN_PATH);
    expect((reuse as ZaloApiError).hint).toMatch(/re-authorise/);
    expect(fake.isRefreshTokenValid(fresh.refreshToken)).toBe(true);
  });

  it('sends the app secret as secret_key: a wrong one is -14004', async () => {
    const wrong = new ZaloClient({
      openApiBase: fake.url,
      oauthBase: fake.url,
      appId: fake.appId,
      appSecret: 'nope',
      tokens: staticTokens('x'),
    });
    const error = await wrong.refreshAccessToken((await store.load())?.refreshToken ?? '').catch((e: unknown) => e);
    expect((error as ZaloApiError).code).toBe(-14004);
  });
});

describe('ZaloClient network failures', () => {
  const servers: Server[] = [];

  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  async function serve(handler: RequestListener): Promise<string> {
    const server = createServer(handler);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  function clientAt(base: string, timeoutMs = 2000): ZaloClient {
    return new ZaloClient({ openApiBase: base, oauthBase: base, appId: '1', appSecret: 's', tokens: staticTokens('t'), timeoutMs });
  }

  it('turns a refused connection into a ZaloNetworkError', async () => {
    const base = await serve((_req, res) => res.end());
    const server = servers.pop();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    const error = await clientAt(base)
      .sendText(USER, 'a')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZaloNetworkError);
    expect((error as ZaloNetworkError).message).toMatch(/could not be reached/);
    expect((error as ZaloNetworkError).message).not.toContain(USER);
  });

  it('turns a timeout into a ZaloNetworkError', async () => {
    const base = await serve(() => undefined); // never answers
    const error = await clientAt(base, 150)
      .sendText(USER, 'a')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZaloNetworkError);
    expect((error as ZaloNetworkError).message).toMatch(/within 150 ms/);
  });

  it('turns a non-JSON gateway answer into a ZaloNetworkError carrying the status', async () => {
    const base = await serve((_req, res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad Gateway</h1>'));
    const error = await clientAt(base)
      .sendText(USER, 'a')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZaloNetworkError);
    expect((error as ZaloNetworkError).status).toBe(502);
  });
});

function makeClient(fake: FakeZaloServer, tokens: ZaloTokenProvider): ZaloClient {
  return new ZaloClient({ openApiBase: fake.url, oauthBase: fake.url, appId: fake.appId, appSecret: fake.appSecret, tokens });
}

function staticTokens(token: string): ZaloTokenProvider {
  return { getAccessToken: async () => token, invalidate: async () => undefined };
}
