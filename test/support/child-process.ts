/** Test programs run as their own processes (outbox workers to SIGKILL, two service processes on one database). */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { silentLogger } from '../../src/infra/logger';
import { openDatabase, type Database } from '../../src/storage/mongo/database';

/** Starts `script` with tsx; `ready` resolves when it prints "ready", rejects if it exits first. */
export function startTestProcess(script: string, env: Record<string, string>, name: string): { child: ChildProcess; ready: Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: join(__dirname, '..', '..'),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (c: Buffer) => c.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before ready: ${err}`)));
  });
  return { child, ready };
}

export function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

/** A test program's required setting: its value, or an error naming it. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** A test program's connection to the database its test names (TEST_MONGODB_URI, DB_NAME). */
export function openProcessDatabase(): Promise<Database> {
  return openDatabase({
    uri: requiredEnv('TEST_MONGODB_URI'),
    dbName: requiredEnv('DB_NAME'),
    embeddedDataDir: '',
    logger: silentLogger(),
  });
}
