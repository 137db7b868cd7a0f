/**
 * Signing in and out. Attempts are limited per account name and per client address
 * (counted across processes); a wrong name and a wrong password get the same answer after
 * the same work (passwords.ts), and both are audited.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ConsoleRequestTools } from './console-context';
import { USERNAME, type ConsoleAccount } from './console-ports';
import { checkPassword } from './passwords';

const WINDOW_MS = 15 * 60_000;
/** Attempts per account name per 15 minutes, and per client address. */
const LOGIN_LIMITS = {
  perAccount: { name: 'console-login-account', limit: 8, windowMs: WINDOW_MS },
  // An office behind one NAT signs in together at 8:00: the address limit stops spraying, not colleagues.
  perAddress: { name: 'console-login-address', limit: 100, windowMs: WINDOW_MS },
  /** Login forms served per address per minute: each one starts a session (its CSRF secret) in the database. */
  formPerAddress: { name: 'console-login-form', limit: 60, windowMs: 60_000 },
} as const;

const LoginBody = z.object({ username: z.string().max(100), password: z.string().max(500), _csrf: z.string().optional() });

/** Where each role lands after signing in. */
function homeOf(account: ConsoleAccount): string {
  switch (account.role) {
    case 'officer':
    case 'coordinator':
      return '/console/complaints';
    case 'admin':
      return '/console/accounts';
    case 'editor':
      return '/console/account';
  }
}

export function registerLoginRoutes(scope: FastifyInstance, tools: ConsoleRequestTools): void {
  const { deps } = tools;
  scope.get('/login', async (request, reply) => {
    if (!(await deps.limits.take(LOGIN_LIMITS.formPerAddress, deps.pseudonymize(request.ip))).allowed) {
      // Plain text: a page would start one more session.
      return reply
        .status(429)
        .header('retry-after', '60')
        .type('text/plain; charset=utf-8')
        .send('Quá nhiều yêu cầu, vui lòng thử lại sau một phút.');
    }
    return tools.page(request, reply, 'login', 'Đăng nhập');
  });

  scope.post('/login', async (request, reply) => {
    const parsed = LoginBody.safeParse(request.body);
    const username = parsed.success ? parsed.data.username.trim().toLowerCase() : '';
    const password = parsed.success ? parsed.data.password : '';
    const refuse = async (status: number, message: string, detail: string) => {
      await tools.audit(request, { actor: USERNAME.test(username) ? username : '-', action: 'login', outcome: 'refused', detail });
      return tools.page(request, reply.status(status), 'login', 'Đăng nhập', { message, username });
    };
    if (!USERNAME.test(username) || !password) return refuse(400, 'Nhập tên đăng nhập và mật khẩu.', 'malformed');
    const address = deps.pseudonymize(request.ip);
    const [byAddress, byAccount] = [
      await deps.limits.take(LOGIN_LIMITS.perAddress, address),
      await deps.limits.take(LOGIN_LIMITS.perAccount, username),
    ];
    if (!byAddress.allowed || !byAccount.allowed) {
      return refuse(429, 'Quá nhiều lần đăng nhập. Vui lòng thử lại sau 15 phút.', byAddress.allowed ? 'limit_account' : 'limit_address');
    }
    const account = await deps.accounts.find(username);
    const ok = await checkPassword(account?.passwordHash, password);
    if (!account || !ok || account.disabled) {
      return refuse(
        401,
        'Tên đăng nhập hoặc mật khẩu không đúng.',
        !account ? 'unknown' : account.disabled && ok ? 'disabled' : 'password',
      );
    }
    // A new session id at login: a session id planted before cannot be taken over.
    await request.session.regenerate();
    request.session.set('account', account.username);
    await tools.audit(request, { actor: account.username, action: 'login', outcome: 'ok' });
    deps.logger.info({ account: account.username, role: account.role }, 'console login');
    return reply.redirect(homeOf(account), 303);
  });

  scope.post('/logout', async (request, reply) => {
    await tools.audit(request, { action: 'logout', outcome: 'ok' });
    await request.session.destroy();
    return reply.redirect('/console/login', 303);
  });

  scope.get('/', async (request, reply) => reply.redirect(homeOf(tools.account(request)), 303));
}
