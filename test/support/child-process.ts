/** Test programs run as their own processes (outbox workers to SIGKILL, two service processes on one database). */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

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
