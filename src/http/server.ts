/**
 * The HTTP server (fastify): health, readiness, and whatever route plugins the composition
 * root registers (webhooks, web chat, agency API). Errors are JSON bodies
 * `{error: {code, message}}` with a 4xx for the client's mistakes; nothing a client sends
 * can take the process down.
 *
 * The client address (`request.ip`, which every per-address limit keys on) is the socket's
 * unless the request comes from one of `trustedProxies`; only then is X-Forwarded-For
 * read — a header anyone can write must not choose whose limit a request counts against.
 *
 * `/metrics` is off the public listener by default: it is served there only with a token
 * (`metricsToken`), and on a listener of its own ({@link createMetricsServer}, METRICS_PORT,
 * loopback by default) for Prometheus.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger } from '../infra/logger';
import type { Metrics } from '../observability/metrics';
import { RefusalTarpit } from './refusal-tarpit';

export interface HttpServerDeps {
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Readiness: true when the database answers. */
  readonly ready: () => Promise<boolean>;
  /** Problems an operator must fix that do not stop the service (a holiday calendar missing a year): listed by `/readyz`. */
  readonly readyWarnings?: () => readonly string[];
  /**
   * Liveness: undefined when the process can serve, else why not (e.g. its embedded
   * database is down and being restarted). An external database's outage is readiness's
   * business, not liveness's: restarting the service would not fix it.
   */
  readonly liveProblem?: () => string | undefined;
  /** If set, /metrics is served on this listener to `Authorization: Bearer <token>` only. */
  readonly metricsToken?: string;
  /** Proxies whose X-Forwarded-For is believed (addresses or CIDR ranges); none by default. */
  readonly trustedProxies?: readonly string[];
  /** Largest accepted request body (webhooks and API); bigger bodies get 413. */
  readonly bodyLimit?: number;
}

export function createHttpServer(deps: HttpServerDeps): FastifyInstance {
  // The cast drops pino's concrete logger type from fastify's generics: plugins take the plain FastifyInstance.
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'http' }),
    bodyLimit: deps.bodyLimit ?? 1024 * 1024,
    // Request logs would carry URLs and ids for every webhook call: our own logs say what matters.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: deps.trustedProxies?.length ? [...deps.trustedProxies] : false,
    // Request ids help correlate logs; they carry no personal data.
    requestIdHeader: 'x-request-id',
  }) as unknown as FastifyInstance;

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    // The error's class and code, not its message or stack: either may quote what a client sent.
    if (status >= 500) request.log.error({ err: error.name, code: error.code, url: request.routeOptions.url }, 'request failed');
    else request.log.info({ status, code: error.code, url: request.routeOptions.url }, 'request rejected');
    const message = status >= 500 ? 'internal error' : error.message;
    void reply.status(status).send({ error: { code: error.code ?? httpCode(status), message } });
  });
  app.setNotFoundHandler((_request, reply) => {
    void reply.status(404).send({ error: { code: 'NOT_FOUND', message: 'no such route' } });
  });

  app.get('/healthz', async (_request, reply) => {
    const problem = deps.liveProblem?.();
    return reply.status(problem ? 503 : 200).send(problem ? { status: 'unhealthy', problem } : { status: 'ok' });
  });
  app.get('/readyz', async (_request, reply) => {
    const ok = await deps.ready();
    const warnings = deps.readyWarnings?.() ?? [];
    return reply
      .status(ok ? 200 : 503)
      .send({ status: ok ? 'ready' : 'database unavailable', ...(warnings.length > 0 ? { warnings } : {}) });
  });
  const token = deps.metricsToken;
  const tarpit = new RefusalTarpit();
  if (token) {
    const expected = createHash('sha256').update(`Bearer ${token}`).digest();
    app.get('/metrics', async (request, reply) => {
      const given = createHash('sha256')
        .update(request.headers.authorization ?? '')
        .digest();
      if (!timingSafeEqual(expected, given)) {
        deps.metrics.rejectedRequests.inc({ endpoint: 'metrics', reason: 'bad_token' });
        request.log.warn({ reason: 'bad or missing token' }, 'metrics request refused (401)');
        return reply.status(401).send({ error: { code: 'UNAUTHORIZED', message: 'metrics token required' } });
      }
      return sendMetrics(deps.metrics, reply, tarpit, request.ip);
    });
  }
  return app;
}

/** A listener of its own for Prometheus (METRICS_PORT), only `/metrics`. */
export function createMetricsServer(metrics: Metrics, logger: Logger): FastifyInstance {
  const app = Fastify({
    loggerInstance: logger.child({ component: 'metrics-http' }),
    logController: new LogController({ disableRequestLogging: true }),
  }) as unknown as FastifyInstance;
  const tarpit = new RefusalTarpit();
  app.get('/metrics', async (request, reply) => sendMetrics(metrics, reply, tarpit, request.ip));
  return app;
}

/**
 * Scrapes rendered per second, at most (a burst of {@link SCRAPE_BURST}): rendering every
 * metric costs a millisecond or two of the event loop the citizens share — measured, 10
 * scrapers in a loop took a second citizen's p99 from ~150 ms to ~700 ms. Prometheus
 * scrapes every 15 s or more; beyond the budget a scrape is answered 429 at once.
 */
const SCRAPES_PER_SECOND = 10;
const SCRAPE_BURST = 20;
const scrapeBudget = new WeakMap<Metrics, { tokens: number; at: number }>();

function mayRender(metrics: Metrics): boolean {
  const now = Date.now();
  const last = scrapeBudget.get(metrics) ?? { tokens: SCRAPE_BURST, at: now };
  const tokens = Math.min(SCRAPE_BURST, last.tokens + ((now - last.at) / 1000) * SCRAPES_PER_SECOND);
  scrapeBudget.set(metrics, { tokens: tokens >= 1 ? tokens - 1 : tokens, at: now });
  return tokens >= 1;
}

async function sendMetrics(metrics: Metrics, reply: FastifyReply, tarpit: RefusalTarpit, client: string): Promise<FastifyReply> {
  if (!mayRender(metrics)) {
    metrics.rejectedRequests.inc({ endpoint: 'metrics', reason: 'too_many_scrapes' });
    // A scraper in a loop is answered slowly (refusal-tarpit.ts): it then asks once a second per connection.
    await tarpit.delay(client);
    return reply
      .status(429)
      .header('retry-after', '1')
      .send({ error: { code: 'TOO_MANY_REQUESTS', message: 'too many scrapes' } });
  }
  return reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
}

function httpCode(status: number): string {
  if (status === 400) return 'BAD_REQUEST';
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  if (status === 429) return 'TOO_MANY_REQUESTS';
  return status >= 500 ? 'INTERNAL' : 'ERROR';
}
