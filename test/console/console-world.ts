/**
 * The whole service for console tests: buildApp on a fresh test database, real HTTP on
 * 127.0.0.1, console accounts for each role, and a small cookie-keeping client that signs
 * in through the login form (its CSRF token included), as a browser would.
 */
import type { ConsoleRole } from '../../src/console/console-ports';
import { hashPassword } from '../../src/console/passwords';
import { MongoAccountStore } from '../../src/storage/mongo/mongo-console-store';
import { startTestService, type TestService } from '../support/test-service';

export const PASSWORD = 'mật-khẩu-thử-nghiệm-đủ-dài';
/** Agencies of the sample directory the tests file complaints to. */
export const DAK_HA = 'ubnd-huyen-dak-ha';
export const TAX = 'cuc-thue-tinh';

const ACCOUNTS: readonly { username: string; role: ConsoleRole; agencyId?: string; displayName: string }[] = [
  { username: 'canbo.dakha', role: 'officer', agencyId: DAK_HA, displayName: 'Nguyễn Văn Hùng' },
  { username: 'canbo.thue', role: 'officer', agencyId: TAX, displayName: 'Trần Thị Lan' },
  /** Only for the login-limit test: its attempts are counted. */
  { username: 'canbo.khoa', role: 'officer', agencyId: TAX, displayName: 'Đỗ Văn Khoa' },
  { username: 'dieuphoi', role: 'coordinator', displayName: 'Lê Minh Sở Nội vụ' },
  { username: 'bientap', role: 'editor', displayName: 'Phạm Biên Tập' },
  { username: 'quantri', role: 'admin', displayName: 'Quản Trị Viên' },
];

export type ConsoleService = TestService;

/** The service with one console account per role (password {@link PASSWORD}). */
export async function startConsoleService(settings: Record<string, string> = {}): Promise<ConsoleService> {
  const service = await startTestService('console', { OUTBOX_POLL_MS: '100', ...settings });
  const accounts = new MongoAccountStore(service.app.db);
  const passwordHash = await hashPassword(PASSWORD);
  for (const account of ACCOUNTS) await accounts.create({ ...account, passwordHash, disabled: false });
  return service;
}

/** A browser-like client: keeps cookies, reads the CSRF token of the last page. */
export class ConsoleClient {
  private readonly cookies = new Map<string, string>();
  csrf = '';

  constructor(
    private readonly base: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  async request(
    method: 'GET' | 'POST',
    path: string,
    form?: Record<string, string>,
  ): Promise<{ status: number; location?: string; body: string; headers: Headers }> {
    const response = await fetch(`${this.base}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        ...this.headers,
        ...(this.cookies.size ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...value] = pair.split('=');
      this.cookies.set(name.trim(), value.join('='));
    }
    const body = await response.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(body)?.[1];
    if (token) this.csrf = token;
    return { status: response.status, location: response.headers.get('location') ?? undefined, body, headers: response.headers };
  }

  get(path: string) {
    return this.request('GET', path);
  }

  /** A form post with the CSRF token of the last page read. */
  post(path: string, form: Record<string, string> = {}) {
    return this.request('POST', path, { _csrf: this.csrf, ...form });
  }

  async login(username: string, password = PASSWORD) {
    await this.get('/console/login');
    return this.post('/console/login', { username, password });
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }
}
