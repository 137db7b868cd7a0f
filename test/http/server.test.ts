import type { FastifyInstance } from 'fastify';
import { createHttpServer } from '../../src/http/server';
import { Metrics } from '../../src/observability/metrics';
import { silentLogger } from '../../src/infra/logger';

describe('HTTP server: health, readiness, metrics, errors', () => {
  let app: FastifyInstance;
  let ready = true;
  const metrics = new Metrics();
  let warnings: string[] = [];

  beforeAll(async () => {
    app = createHttpServer({
      logger: silentLogger(),
      metrics,
      ready: async () => ready,
      readyWarnings: () => warnings,
      metricsToken: 'scrape-token',
      bodyLimit: 1024,
    });
    app.post('/echo', async (request) => request.body);
    await app.ready();
  });
  afterAll(() => app.close());

  it('answers /healthz, and /readyz follows the database', async () => {
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
    ready = false;
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(503);
    ready = true;
  });

  it('lists warnings on /readyz without failing it', async () => {
    expect((await app.inject({ url: '/readyz' })).json()).toEqual({ status: 'ready' });
    warnings = ['the holiday calendar does not cover 2028'];
    const res = await app.inject({ url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready', warnings: ['the holiday calendar does not cover 2028'] });
    warnings = [];
  });

  it('exports counters and database gauges to Prometheus, behind the token', async () => {
    metrics.messageHandled({ channel: 'zalo', intent: 'fallback', fallbackReason: 'out_of_scope', replies: 2 });
    metrics.setStateSnapshot({
      complaints: { received: 3, resolved: 1 },
      outboxes: { deliveries: { pending: 2, dead: 1 }, notifications: { held: 4 } },
    });
    expect((await app.inject({ url: '/metrics' })).statusCode).toBe(401);
    const body = (await app.inject({ url: '/metrics', headers: { authorization: 'Bearer scrape-token' } })).body;
    expect(body).toContain('bot_messages_in_total{channel="zalo"} 1');
    expect(body).toContain('bot_messages_out_total{channel="zalo"} 2');
    expect(body).toContain('bot_fallbacks_total{channel="zalo",reason="out_of_scope"} 1');
    expect(body).toContain('bot_complaints{status="received"} 3');
    expect(body).toContain('bot_outbox_items{outbox="notifications",state="held"} 4');
  });

  it('answers malformed JSON, oversized bodies and unknown routes with JSON 4xx errors', async () => {
    const bad = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: '{bad' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('FST_ERR_CTP_INVALID_JSON_BODY');
    const big = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ x: 'a'.repeat(5000) }),
    });
    expect(big.statusCode).toBe(413);
    expect((await app.inject({ url: '/nope' })).json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no such route' } });
  });
});
