/**
 * The web chat's HTTP side with the real engine and content: validation, answers, the
 * language switch, flood control, held notifications and the static page.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { UserRateLimiter } from '../../../src/channels/rate-limiter';
import { mongoTakeHeld } from '../../../src/channels/web/held-notifications';
import { WebChannelSender } from '../../../src/channels/web/web-channel-sender';
import { webChatRoutes, type TakeHeld } from '../../../src/channels/web/web-chat-routes';
import { ConversationEngine } from '../../../src/core/conversation-engine';
import { InMemoryConversationStore } from '../../../src/core/conversation-store';
import type { ChannelName, OutgoingMessage } from '../../../src/core/messages';
import type { Database } from '../../../src/storage/mongo/database';
import { dropTestDatabase, openTestDatabase } from '../../support/database';
import { webChatTestDeps } from '../support/web';
import { realContent } from '../zalo/zalo-channel-harness';

const SESSION = 'sess_0123456789abcdefXYZ';
const BOT_NAME = 'Trợ lý <CCHC> Kon Tum';

interface Res {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  json(): unknown;
}

/** A real HTTP request to the server (fastify's inject needs a module jest cannot load here). */
async function request(
  base: string,
  method: string,
  url: string,
  options: { payload?: unknown; headers?: Record<string, string> } = {},
): Promise<Res> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { ...(options.payload === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
    body: options.payload === undefined ? undefined : JSON.stringify(options.payload),
  });
  const body = await res.text();
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return { statusCode: res.status, headers, body, json: () => JSON.parse(body) };
}

describe('web chat routes', () => {
  let app: FastifyInstance;
  let base: string;
  const held = new Map<string, OutgoingMessage[]>();
  const takeHeld: TakeHeld = async (channel: ChannelName, userId: string) => {
    const messages = held.get(`${channel}:${userId}`) ?? [];
    held.delete(`${channel}:${userId}`);
    return messages;
  };

  let routesDb: Database;

  beforeAll(async () => {
    const content = await realContent();
    const engine = new ConversationEngine({ content: { current: () => content }, store: new InMemoryConversationStore() });
    routesDb = await openTestDatabase('web_routes');
    app = Fastify();
    await app.register(
      webChatRoutes,
      webChatTestDeps({
        db: routesDb,
        engine,
        content,
        takeHeld,
        botName: BOT_NAME,
        // A slow refill, so a slow machine cannot earn an 11th token during the flood test.
        pipelineLimits: { citizenBurst: new UserRateLimiter({ burst: 10, refillPerSecond: 0.05 }) },
      }),
    );
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    // Training the matcher takes seconds alone, much longer on a machine running other test files.
  }, 120_000);

  afterAll(async () => {
    await app.close();
    await dropTestDatabase(routesDb);
  });

  const chat = (body: unknown) => request(base, 'POST', '/api/chat', { payload: body });
  const get = (url: string, headers: Record<string, string> = {}) => request(base, 'GET', url, { headers });

  it('answers a question with the engine’s messages and the locale', async () => {
    const res = await chat({ sessionId: SESSION, text: 'lam giay khai sinh o dau' });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { messages: OutgoingMessage[]; locale: string };
    expect(body.locale).toBe('vi');
    expect(body.messages[0]?.text).toContain('khai sinh');
    // The catalog's answer (where to register), with buttons for the rest of the procedure.
    expect(body.messages[0]?.quickReplies?.map((q) => q.payload)).toContain('#proc:dang-ky-khai-sinh:all');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('a procedure the catalog lacks gets, in a fresh session, the national search link and the hotline, never another procedure', async () => {
    // The ranker likes vehicle registration here, but the message calls no procedure of the catalog by its names.
    const res = await chat({ sessionId: 'sess_unknown_procedure_01', text: 'đăng ký tàu cá mới đóng thì làm sao' });
    const body = res.json() as { messages: OutgoingMessage[] };
    const text = body.messages.map((m) => m.text).join('\n');
    expect(text).toContain('dichvucong.gov.vn');
    expect(text).toContain('0260 1022');
    // No procedure's answer (an answer has the "everything about it" button): at most "did you mean" buttons.
    const payloads = body.messages.flatMap((m) => m.quickReplies ?? []).map((q) => q.payload);
    expect(payloads.filter((p) => p.endsWith(':all'))).toEqual([]);
  });

  it('switches language with /en and with the locale field', async () => {
    const session = 'sess_language_switch_01';
    const en = (await chat({ sessionId: session, text: '/en' })).json() as { messages: OutgoingMessage[]; locale: string };
    expect(en.locale).toBe('en');
    expect(en.messages[0]?.text).toMatch(/I can help/);
    const vi = (await chat({ sessionId: session, text: 'hotline', locale: 'vi' })).json() as { locale: string };
    expect(vi.locale).toBe('vi');
  });

  it.each([
    [{ sessionId: 'short', text: 'x' }],
    [{ sessionId: 'has spaces in it 0123456', text: 'x' }],
    [{ sessionId: 'x'.repeat(65), text: 'x' }],
    [{ sessionId: SESSION, text: '   ' }],
    [{ sessionId: SESSION, text: 'a'.repeat(2001) }],
    [{ sessionId: SESSION, text: 'x', locale: 'fr' }],
    [{ sessionId: SESSION }],
  ])('refuses %j with 400', async (body) => {
    const res = await chat(body);
    expect(res.statusCode).toBe(400);
  });

  it('accepts exactly 2,000 characters', async () => {
    expect((await chat({ sessionId: 'sess_long_text_0000001', text: 'a '.repeat(1000) })).statusCode).toBe(200);
  });

  it('throttles a flooding session with one polite notice, without affecting others', async () => {
    const flooder = 'sess_flooder_000000001';
    const statuses: number[] = [];
    const notices: string[] = [];
    for (let i = 0; i < 15; i += 1) {
      const res = await chat({ sessionId: flooder, text: `câu ${i}` });
      statuses.push(res.statusCode);
      if (res.statusCode === 429) notices.push(...(res.json() as { messages: OutgoingMessage[] }).messages.map((m) => m.text));
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain('chờ một chút');
    expect((await chat({ sessionId: 'sess_other_user_000001', text: 'hotline' })).statusCode).toBe(200);
  });

  it('returns held notifications once through /api/chat/updates', async () => {
    held.set(`web:${SESSION}`, [{ text: 'Phản ánh PA-7K3M9Q đã có trả lời.' }]);
    const first = await get(`/api/chat/updates?sessionId=${SESSION}`);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ messages: [{ text: 'Phản ánh PA-7K3M9Q đã có trả lời.' }] });
    expect((await get(`/api/chat/updates?sessionId=${SESSION}`)).json()).toEqual({ messages: [] });
    expect((await get('/api/chat/updates?sessionId=bad')).statusCode).toBe(400);
  });

  it('serves the page, script and style with content types, caching, CSP and the escaped bot name', async () => {
    const page = await get('/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.body).toContain('Trợ lý &#60;CCHC&#62; Kon Tum');
    expect(page.body).not.toContain('{{botName}}');
    expect(page.body).not.toMatch(/https?:\/\/(?!www\.w3\.org)/); // nothing loaded from elsewhere
    const again = await get('/', { 'if-none-match': String(page.headers.etag) });
    expect(again.statusCode).toBe(304);
    const js = await get('/chat.js');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=3600');
    const css = await get('/chat.css');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.body).toContain('.quick-replies');
  });

  it('the web sender always holds notifications for the page to collect', async () => {
    expect(await new WebChannelSender().send(SESSION, [{ text: 'x' }])).toMatchObject({ ok: false, kind: 'outside_window' });
  });
});

describe('mongoTakeHeld', () => {
  let db: Database;

  beforeAll(async () => {
    db = await openTestDatabase('web_held');
  });

  afterAll(async () => {
    await dropTestDatabase(db);
  });

  it('renders the session’s held notifications in its language, once even with concurrent polls, and marks them sent', async () => {
    const base = { channel: 'web', userId: SESSION, state: 'held' as 'held' | 'sent', nextAttemptAt: new Date() };
    const docs = [
      { ...base, idempotencyKey: 'PA-7K3M9Q:answer:1', complaintCode: 'PA-7K3M9Q', kind: 'answer', params: { n: 1 } },
      { ...base, idempotencyKey: 'PA-7K3M9Q:resolved:2', complaintCode: 'PA-7K3M9Q', kind: 'resolved', params: { n: 2 } },
      { ...base, userId: 'someone_else_000000001', idempotencyKey: 'PA-AAAAAA:answer:1', kind: 'answer' },
      { ...base, state: 'sent' as const, idempotencyKey: 'PA-7K3M9Q:old:0', kind: 'answer' },
    ];
    for (const doc of docs) await db.models.Notification.create(doc);
    await db.models.Conversation.create({ _id: `web:${SESSION}`, locale: 'en' });
    const takeHeld = mongoTakeHeld({
      models: db.models,
      claims: db.claims,
      render: (n, locale) => [{ text: `${locale}:${n.kind}:${n.complaintCode}:${String(n.params.n)}` }],
    });
    const [a, b] = await Promise.all([takeHeld('web', SESSION), takeHeld('web', SESSION)]);
    expect([...a, ...b].map((m) => m.text).sort()).toEqual(['en:answer:PA-7K3M9Q:1', 'en:resolved:PA-7K3M9Q:2']);
    expect(await takeHeld('web', SESSION)).toEqual([]);
    const states = await db.models.Notification.find({ userId: SESSION }).sort({ idempotencyKey: 1 }).lean();
    expect(states.map((s) => s.state)).toEqual(['sent', 'sent', 'sent']);
    expect(await db.models.Notification.countDocuments({ userId: 'someone_else_000000001', state: 'held' })).toBe(1);
  });
});
