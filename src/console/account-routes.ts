/**
 * Accounts: everyone changes their own password; the admin creates accounts, changes
 * roles and agencies, disables and re-enables them, sets new passwords, and reads the
 * audit log. The last active admin cannot be disabled or demoted.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ConsoleRequestTools } from './console-context';
import { CONSOLE_ROLES, USERNAME, type ConsoleAccount, type ConsoleRole } from './console-ports';
import { checkPassword, hashPassword, passwordProblem } from './passwords';

const OwnPassword = z.object({ current: z.string().max(500), password: z.string().max(500), confirm: z.string().max(500) });
const NewAccount = z.object({
  username: z.string().trim().toLowerCase().regex(USERNAME),
  displayName: z.string().trim().min(1).max(100),
  role: z.enum(CONSOLE_ROLES as [ConsoleRole, ...ConsoleRole[]]),
  agencyId: z.string().trim().max(100).optional(),
  password: z.string().max(500),
});
const AccountChange = z.object({
  role: z.enum(CONSOLE_ROLES as [ConsoleRole, ...ConsoleRole[]]).optional(),
  agencyId: z.string().trim().max(100).optional(),
  disabled: z.enum(['0', '1']).optional(),
  password: z.string().max(500).optional(),
});
const AuditQuery = z.object({ actor: z.string().max(40).optional() });

export function registerAccountRoutes(scope: FastifyInstance, tools: ConsoleRequestTools): void {
  const { deps } = tools;
  const admin = { preHandler: tools.requireRoles('admin') };
  const agencies = () => deps.directory.current().agencies.map((a) => ({ id: a.id, name: a.name.vi }));

  scope.get('/account', async (request, reply) =>
    tools.page(request, reply, 'account', 'Tài khoản của tôi', { done: 'done' in (request.query as object) }),
  );

  scope.post('/account/password', async (request, reply) => {
    const account = tools.account(request);
    const parsed = OwnPassword.safeParse(request.body);
    const again = (status: number, message: string) =>
      tools.page(request, reply.status(status), 'account', 'Tài khoản của tôi', { message });
    if (!parsed.success) return again(400, 'Điền đủ các ô.');
    const { current, password, confirm } = parsed.data;
    if (!(await checkPassword(account.passwordHash, current))) {
      await tools.audit(request, {
        action: 'password.change',
        target: account.username,
        outcome: 'refused',
        detail: 'wrong current password',
      });
      return again(400, 'Mật khẩu hiện tại không đúng.');
    }
    const problem = password !== confirm ? 'Hai lần nhập mật khẩu mới không giống nhau.' : passwordProblem(password, account.username);
    if (problem) return again(400, problem);
    await deps.accounts.update(account.username, { passwordHash: await hashPassword(password) });
    await tools.audit(request, { action: 'password.change', target: account.username, outcome: 'ok' });
    return reply.redirect('/console/account?done', 303);
  });

  const accountsPage = async (request: FastifyRequest, reply: FastifyReply, message?: string, status = 200) =>
    tools.page(request, reply.status(status), 'accounts', 'Tài khoản người dùng', {
      accounts: await deps.accounts.list(),
      agencies: agencies(),
      coordinatorName: deps.directory.current().coordinator.name.vi,
      message,
      roles: CONSOLE_ROLES,
    });

  scope.get('/accounts', admin, async (request, reply) => accountsPage(request, reply));

  scope.post('/accounts', admin, async (request, reply) => {
    const parsed = NewAccount.safeParse(request.body);
    if (!parsed.success)
      return accountsPage(request, reply, 'Tên đăng nhập 3–40 ký tự a–z, 0–9, dấu chấm, gạch; họ tên không để trống.', 400);
    const input = parsed.data;
    const agencyProblem = checkAgency(input.role, input.agencyId, deps.directory.current().agencyById);
    const problem = agencyProblem ?? passwordProblem(input.password, input.username);
    if (problem) return accountsPage(request, reply, problem, 400);
    const account: ConsoleAccount = {
      username: input.username,
      displayName: input.displayName,
      role: input.role,
      ...(input.role === 'officer' ? { agencyId: input.agencyId } : {}),
      passwordHash: await hashPassword(input.password),
      disabled: false,
    };
    const outcome = await deps.accounts.create(account);
    await tools.audit(request, {
      action: 'account.create',
      target: input.username,
      outcome: outcome === 'created' ? 'ok' : 'refused',
      detail: `${input.role}${account.agencyId ? ` ${account.agencyId}` : ''}${outcome === 'exists' ? ' (name taken)' : ''}`,
    });
    if (outcome === 'exists') return accountsPage(request, reply, 'Tên đăng nhập này đã có.', 409);
    return reply.redirect('/console/accounts', 303);
  });

  scope.post('/accounts/:username', admin, async (request, reply) => {
    const username = String((request.params as { username?: string }).username ?? '');
    const parsed = AccountChange.safeParse(request.body);
    const target = USERNAME.test(username) ? await deps.accounts.find(username) : undefined;
    if (!parsed.success || !target) return accountsPage(request, reply, 'Không có tài khoản này hoặc dữ liệu không hợp lệ.', 400);
    const input = parsed.data;
    const role = input.role ?? target.role;
    const change: Partial<ConsoleAccount> = {};
    if (input.role || input.agencyId !== undefined) {
      const agencyId = input.agencyId ?? target.agencyId;
      const problem = checkAgency(role, agencyId, deps.directory.current().agencyById);
      if (problem) return accountsPage(request, reply, problem, 400);
      Object.assign(change, { role, agencyId: role === 'officer' ? agencyId : undefined });
    }
    if (input.disabled) Object.assign(change, { disabled: input.disabled === '1' });
    if (input.password) {
      const problem = passwordProblem(input.password, username);
      if (problem) return accountsPage(request, reply, problem, 400);
      Object.assign(change, { passwordHash: await hashPassword(input.password) });
    }
    const losesAdmin = target.role === 'admin' && !target.disabled && (role !== 'admin' || change.disabled === true);
    if (losesAdmin && (username === tools.account(request).username || (await deps.accounts.countActiveAdmins()) <= 1)) {
      await tools.audit(request, { action: 'account.update', target: username, outcome: 'refused', detail: 'last or own admin' });
      return accountsPage(
        request,
        reply,
        'Không thể tự khoá hoặc bỏ quyền quản trị của chính mình, hoặc của quản trị viên cuối cùng.',
        409,
      );
    }
    await deps.accounts.update(username, change);
    const what = Object.keys(change).map((k) =>
      k === 'passwordHash' ? 'password' : `${k}=${String(change[k as keyof ConsoleAccount] ?? '')}`,
    );
    await tools.audit(request, { action: 'account.update', target: username, outcome: 'ok', detail: what.join(' ') });
    return reply.redirect('/console/accounts', 303);
  });

  scope.get('/audit', admin, async (request, reply) => {
    const query = AuditQuery.safeParse(request.query);
    const actor = query.success && query.data.actor && USERNAME.test(query.data.actor) ? query.data.actor : undefined;
    return tools.page(request, reply, 'audit', 'Nhật ký thao tác', { entries: await deps.audit.recent(300, actor), actor });
  });
}

/** An officer needs an agency of the directory; other roles have none. */
function checkAgency(role: ConsoleRole, agencyId: string | undefined, agencies: ReadonlyMap<string, unknown>): string | undefined {
  if (role !== 'officer') return undefined;
  return agencyId && agencies.has(agencyId) ? undefined : 'Cán bộ xử lý cần chọn một cơ quan trong danh bạ.';
}
