/**
 * Server-rendered pages: Eta templates (src/console/views), which escape every `<%= %>`
 * by default — `<%~ %>` (raw) is used only for the layout's body and for JSON made safe by
 * {@link scriptJson}. Each page gets the layout's data: the account, its menu, the CSRF
 * token for its forms.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Eta } from 'eta';
import type { ConsoleAccount, ConsoleRole } from './console-ports';

/** One entry of the menu, shown to the roles listed. The campaign module adds its own (news, surveys). */
export interface ConsoleNavEntry {
  readonly href: string;
  readonly label: string;
  readonly roles: readonly ConsoleRole[];
}

export const CORE_NAV: readonly ConsoleNavEntry[] = [
  { href: '/console/complaints', label: 'Phản ánh', roles: ['officer', 'coordinator'] },
  { href: '/console/complaints?overdue=1', label: 'Quá hạn', roles: ['coordinator'] },
  { href: '/console/deliveries', label: 'Gửi không thành công', roles: ['coordinator'] },
  { href: '/console/reports', label: 'Báo cáo', roles: ['coordinator'] },
  { href: '/console/accounts', label: 'Tài khoản người dùng', roles: ['admin'] },
  { href: '/console/audit', label: 'Nhật ký thao tác', roles: ['admin'] },
  { href: '/console/account', label: 'Tài khoản của tôi', roles: ['officer', 'coordinator', 'editor', 'admin'] },
];

const ROLE_LABELS: Readonly<Record<ConsoleRole, string>> = {
  officer: 'Cán bộ xử lý',
  coordinator: 'Điều phối (Sở Nội vụ)',
  editor: 'Biên tập',
  admin: 'Quản trị',
};

/** Where the templates are: next to this module (tsx, jest), or in the sources when running from dist/. */
function viewsDir(): string {
  const candidates = [join(__dirname, 'views'), join(__dirname, '..', '..', '..', 'src', 'console', 'views')];
  return candidates.find((dir) => existsSync(join(dir, 'layout.eta'))) ?? candidates[0];
}

/** JSON for a `<script type="application/json">` element: `<`, `>` and `&` escaped so no text can close the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

export interface PageFrame {
  readonly account?: ConsoleAccount;
  readonly agencyName?: string;
  readonly csrf: string;
  readonly nav: readonly ConsoleNavEntry[];
  readonly path: string;
}

export class ConsoleViews {
  private readonly eta = new Eta({ views: viewsDir(), cache: true, autoEscape: true });

  constructor(private readonly nav: readonly ConsoleNavEntry[]) {}

  menuFor(role: ConsoleRole | undefined): ConsoleNavEntry[] {
    return role ? this.nav.filter((n) => n.roles.includes(role)) : [];
  }

  render(template: string, title: string, frame: Omit<PageFrame, 'nav'>, data: Record<string, unknown> = {}): string {
    return this.eta.render(template, {
      ...data,
      title,
      frame: { ...frame, nav: this.menuFor(frame.account?.role) },
      roleLabels: ROLE_LABELS,
      scriptJson,
      formatDate,
    });
  }
}

/** "29/11/2026 14:05" in Vietnam time. */
function formatDate(value: Date | string | undefined | null): string {
  if (!value) return '';
  const local = new Date(new Date(value).getTime() + 7 * 3600_000).toISOString();
  return `${local.slice(8, 10)}/${local.slice(5, 7)}/${local.slice(0, 4)} ${local.slice(11, 16)}`;
}
