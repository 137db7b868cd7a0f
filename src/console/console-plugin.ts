/**
 * The web console under `/console`, on the service's fastify server, in a scope of its own
 * (its cookies, session, CSRF and form parsing touch no other route).
 *
 * Security decisions:
 * - **Sessions** (@fastify/session, store in MongoDB so every process shares them): cookie
 *   `cchc_console`, HttpOnly, path /console, 8 hours; over HTTPS (`auto`: as a trusted
 *   proxy reports it) Secure and SameSite=Strict — over plain HTTP @fastify/session lowers
 *   `auto` to SameSite=Lax without Secure; a new session id at login (no fixation); the account is read again on every
 *   request, so disabling it or changing its role takes effect at once.
 * - **CSRF** (@fastify/csrf-protection, secret in the session): every POST, the login form
 *   included, carries the token of its page; without it: 403, audited.
 * - **Logins limited** per account and per client address (shared slots, one count across
 *   processes; the address is `request.ip`, which believes X-Forwarded-For only from
 *   TRUSTED_PROXIES — a header cannot choose whose limit an attempt counts against).
 * - **Roles** checked on every route; an officer's agency is enforced by the complaint use
 *   cases themselves (another agency's complaint is "not found", as in the agency API).
 * - **Audit**: logins, logouts, every complaint opened or acted on, re-sends, report views
 *   and exports, account changes, and every refusal, in `console_audit`.
 * - Pages load nothing from elsewhere and run no inline script (Content-Security-Policy).
 */
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifySession from '@fastify/session';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { silentLogger } from '../infra/logger';
import { registerAccountRoutes } from './account-routes';
import { registerConsoleAssets } from './console-assets';
import { type ConsoleDeps, type ConsoleRequestTools } from './console-context';
import type { ConsoleAccount, ConsoleRole } from './console-ports';
import { ConsoleViews, CORE_NAV } from './console-view';
import { registerComplaintRoutes } from './complaint-routes';
import { registerDeliveryRoutes } from './delivery-routes';
import { registerLoginRoutes } from './login-routes';
import { registerReportRoutes } from './report-routes';

declare module 'fastify' {
  interface Session {
    account?: string;
  }
}

const CONSOLE_PREFIX = '/console';
const SESSION_MAX_AGE_MS = 8 * 3600_000;
/** Form posts are small (an answer is at most 4,000 characters). */
const BODY_LIMIT = 64 * 1024;

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Registers the console under {@link CONSOLE_PREFIX}. */
export async function consoleRoutes(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  await app.register(async (scope) => registerConsole(scope, deps), { prefix: CONSOLE_PREFIX });
}

/** The session cookie's options. */
function sessionCookie(secure: boolean | 'auto') {
  return { path: CONSOLE_PREFIX, httpOnly: true, sameSite: 'strict' as const, secure, maxAge: SESSION_MAX_AGE_MS };
}

async function registerConsole(scope: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const logger = deps.logger ?? silentLogger();
  const views = new ConsoleViews([...CORE_NAV.slice(0, -1), ...(deps.extraNav ?? []), ...CORE_NAV.slice(-1)]);
  const accounts = new WeakMap<FastifyRequest, ConsoleAccount>();

  await scope.register(fastifyCookie);
  await scope.register(fastifySession, {
    secret: deps.sessionSecret,
    cookieName: 'cchc_console',
    store: deps.sessionStore as never,
    saveUninitialized: false,
    rolling: true,
    cookie: sessionCookie(deps.secureCookie ?? 'auto'),
  });
  await scope.register(fastifyCsrf, { sessionPlugin: '@fastify/session' });
  await scope.register(fastifyFormbody, { bodyLimit: BODY_LIMIT });

  const tools: ConsoleRequestTools = {
    deps,
    views,
    now: () => deps.clock?.() ?? new Date(),
    account(request) {
      const account = accounts.get(request);
      if (!account) throw new Error('console route reached without an account');
      return account;
    },
    page(request, reply, template, title, data = {}) {
      const account = accounts.get(request);
      const agency = account?.agencyId ? deps.directory.current().agencyById.get(account.agencyId) : undefined;
      const html = views.render(
        template,
        title,
        { account, agencyName: agency?.name.vi, csrf: reply.generateCsrf(), path: request.url },
        data,
      );
      return reply.type('text/html; charset=utf-8').send(html);
    },
    async audit(request, entry) {
      const account = accounts.get(request);
      try {
        await deps.audit.record({
          at: tools.now(),
          actor: entry.actor ?? account?.username ?? '-',
          ...(account ? { role: account.role } : {}),
          action: entry.action,
          ...(entry.target ? { target: entry.target } : {}),
          outcome: entry.outcome,
          ...(entry.detail ? { detail: entry.detail.slice(0, 300) } : {}),
          address: deps.pseudonymize(request.ip),
        });
      } catch (err) {
        logger.error({ err: (err as Error).name, action: entry.action }, 'console audit write failed');
      }
    },
    fail: (request, reply, status, message) => sendError(tools, request, reply, status, message),
    requireRoles(...roles: ConsoleRole[]) {
      return async (request: FastifyRequest, reply: FastifyReply) => {
        const account = accounts.get(request);
        if (account && roles.includes(account.role)) return;
        await tools.audit(request, { action: 'access', target: request.routeOptions.url, outcome: 'refused', detail: 'role' });
        await sendError(tools, request, reply, 403, 'Tài khoản của bạn không có quyền mở trang này.');
      };
    },
  };

  scope.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-security-policy', CSP);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    reply.header('x-frame-options', 'DENY');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });

  // Who is signed in, before anything else; pages other than the login form need someone.
  scope.addHook('onRequest', async (request, reply) => {
    const path = request.routeOptions.url ?? '';
    if (path.startsWith(`${CONSOLE_PREFIX}/assets/`)) return;
    const name = request.session.get('account');
    const account = name ? await deps.accounts.find(name) : undefined;
    if (account && !account.disabled) accounts.set(request, account);
    else if (name) request.session.set('account', undefined);
    if (isPublic(path) || accounts.has(request)) return;
    if (path.startsWith(`${CONSOLE_PREFIX}/api/`)) {
      return reply.status(401).send({ error: { code: 'UNAUTHORIZED', message: 'sign in to the console first' } });
    }
    if (request.method === 'GET') return reply.redirect(`${CONSOLE_PREFIX}/login`, 303);
    return sendError(tools, request, reply, 401, 'Bạn cần đăng nhập lại.');
  });
  // Every form post carries its page's CSRF token (read after the body is parsed).
  scope.addHook('preHandler', (request, reply, done) => {
    if (request.method === 'POST') scope.csrfProtection(request, reply, done);
    else done();
  });

  scope.setErrorHandler(async (error: FastifyError, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (error.code?.startsWith('FST_CSRF')) {
      await tools.audit(request, { action: 'csrf', target: request.routeOptions.url, outcome: 'refused', detail: error.code });
      return sendError(tools, request, reply, 403, 'Biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang và thử lại.');
    }
    if (status === 500) logger.error({ err: error.name, url: request.routeOptions.url }, 'console request failed');
    return sendError(tools, request, reply, status, status === 500 ? 'Lỗi hệ thống, vui lòng thử lại sau.' : 'Yêu cầu không hợp lệ.');
  });
  scope.setNotFoundHandler((request, reply) => sendError(tools, request, reply, 404, 'Không có trang này.'));

  registerConsoleAssets(scope);
  registerLoginRoutes(scope, tools);
  registerAccountRoutes(scope, tools);
  registerComplaintRoutes(scope, tools);
  registerDeliveryRoutes(scope, tools);
  registerReportRoutes(scope, tools);
  for (const register of deps.extraRoutes ?? []) register(scope, tools);
}

function isPublic(path: string): boolean {
  return path === `${CONSOLE_PREFIX}/login` || path.startsWith(`${CONSOLE_PREFIX}/assets/`);
}

/** An error as a page (or JSON under /console/api). */
function sendError(
  tools: ConsoleRequestTools,
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  message: string,
): FastifyReply {
  reply.status(status);
  if ((request.routeOptions.url ?? request.url).startsWith(`${CONSOLE_PREFIX}/api/`)) {
    return reply.send({ error: { code: status === 404 ? 'NOT_FOUND' : status === 403 ? 'FORBIDDEN' : 'ERROR', message } });
  }
  return tools.page(request, reply, 'error', 'Không thực hiện được', { message, status });
}
