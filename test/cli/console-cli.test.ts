/**
 * `npm run console -- create-admin | reset-password` as its own process, configured by the
 * environment as an operator would: the password comes from CONSOLE_ADMIN_PASSWORD (never
 * an argument), is stored as an argon2id hash, and the creation is audited.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { checkPassword } from '../../src/console/passwords';
import type { Database } from '../../src/storage/mongo/database';
import { dropTestDatabase, openTestDatabase, testMongoUri } from '../support/database';

let db: Database;
const PASSWORD = 'một-mật-khẩu-quản-trị-dài';

beforeAll(async () => {
  db = await openTestDatabase('console_cli');
});
afterAll(async () => {
  if (db) await dropTestDatabase(db);
});

function run(args: string[], password?: string): Promise<{ code: number | null; output: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, MONGODB_URI: testMongoUri(), MONGODB_DB: db.connection.name, LOG_LEVEL: 'silent' };
  delete env.CONSOLE_ADMIN_PASSWORD;
  if (password !== undefined) env.CONSOLE_ADMIN_PASSWORD = password;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/console.ts', ...args], {
    cwd: join(__dirname, '..', '..'),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

it('creates the first admin with a hashed password from the environment, once, and audits it', async () => {
  const created = await run(['create-admin', '--user', 'QuanTri', '--name', 'Quản trị hệ thống'], PASSWORD);
  expect(created).toMatchObject({ code: 0 });
  expect(created.output).toContain('admin quantri created');
  const stored = await db.models.ConsoleAccount.findById('quantri').lean();
  expect(stored).toMatchObject({ role: 'admin', displayName: 'Quản trị hệ thống', disabled: false });
  expect(stored?.passwordHash).toMatch(/^\$argon2id\$/);
  expect(await checkPassword(stored?.passwordHash, PASSWORD)).toBe(true);
  expect(await db.models.AuditEntry.countDocuments({ actor: 'cli', action: 'account.create', target: 'quantri' })).toBe(1);

  const again = await run(['create-admin', '--user', 'quantri'], PASSWORD);
  expect(again.code).toBe(1);
  expect(again.output).toContain('exists already');
}, 60_000);

it('refuses a short password, a missing password without a terminal, and a bad user name', async () => {
  const short = await run(['reset-password', '--user', 'quantri'], 'ngắn');
  expect(short.code).toBe(1);
  expect(short.output).toContain('ít nhất 12 ký tự');
  const noTerminal = await run(['create-admin', '--user', 'admin2']);
  expect(noTerminal.code).toBe(2);
  expect(noTerminal.output).toContain('CONSOLE_ADMIN_PASSWORD');
  const badName = await run(['create-admin', '--user', 'x'], PASSWORD);
  expect(badName.code).toBe(2);
  expect(await db.models.ConsoleAccount.countDocuments()).toBe(1);
}, 60_000);
