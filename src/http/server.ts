/**
 * The HTTP server (fastify): health, readiness, metrics, and whatever route plugins the
 * composition root registers (webhooks, web chat, agency API). Errors are JSON bodies
 * `{error: {code, message}}` with a 4xx for the client's mistakes; nothing a client sends
 * can take the process down.
 */
import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from '../infra/logger';
import type { Metrics } from '../infra/metrics';

export interface HttpServerDeps {
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Readiness: true when the database answers. */
  readonly ready: () => Promise<boolean>;
  /**
   * Liveness: undefined when the process can serve, else why not (e.g. its embedded
   * database is down and being restarted). An external database's outage is readiness's
   * business, not liveness's: restarting the service would not fix it.
   */
  readonly liveProblem?: () => string | undefined;
  /** If set, /metrics requires `Authorization: Bearer <token>`. */
  readonly metricsToken?: string;
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
    trustProxy: true,
    // Request ids help correlate logs; they carry no personal data.
    requestIdHeader: 'x-request-id',
  }) as unknown as FastifyInstance;

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
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
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ready' : 'database unavailable' });
  });
  app.get('/metrics', async (request, reply) => {
    if (deps.metricsToken && request.headers.authorization !== `Bearer ${deps.metricsToken}`) {
      return reply.status(401).send({ error: { code: 'UNAUTHORIZED', message: 'metrics token required' } });
    }
    return reply.header('content-type', deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  return app;
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
