/**
 * The real service as `npm start` runs it (`tsx src/main.ts`), in a child process with a
 * given environment. Why a child process and not `buildApp` in-process: the end-to-end
 * tests must exercise what operators run — config parsing from the environment, the
 * composition root, signal handling — and be able to SIGKILL it like a crash would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';

export const PROJECT_ROOT = join(__dirname, '..', '..', '..');
const TSX = join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
const MAIN = join('src', 'main.ts');

/** Variables of the test runner's environment the child still needs (no config leaks in). */
const INHERITED = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'];

export class ServiceProcess {
  private child?: ChildProcess;
  private exit?: Promise<number | null>;
  private exited = false;
  private readonly chunks: string[] = [];

  /** `env`: the service's configuration; `baseUrl`: where it will listen. */
  constructor(
    private readonly env: Readonly<Record<string, string>>,
    readonly baseUrl: string,
  ) {}

  /** Everything the service printed on stdout and stderr, across restarts. */
  get log(): string {
    return this.chunks.join('');
  }

  get running(): boolean {
    return this.child !== undefined && !this.exited;
  }

  /** Spawns the service and waits until GET /readyz answers 200. */
  async start(timeoutMs = 180_000): Promise<void> {
    if (this.running) throw new Error('service already running');
    const env: Record<string, string> = {};
    for (const name of INHERITED) {
      const value = process.env[name];
      if (value !== undefined) env[name] = value;
    }
    Object.assign(env, this.env);
    if (await answers(`${this.baseUrl}/healthz`))
      throw new Error(`something already listens at ${this.baseUrl}: a service left over from an earlier run?`);
    this.chunks.push(`\n===== starting service (${new Date().toISOString()}) =====\n`);
    // tsx runs the service in a child node process of its own: a process group lets a
    // SIGKILL reach both (tsx relays SIGTERM, but nothing can relay SIGKILL).
    const child = spawn(TSX, [MAIN], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.child = child;
    this.exited = false;
    child.stdout?.on('data', (chunk: Buffer) => this.chunks.push(chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => this.chunks.push(chunk.toString('utf8')));
    this.exit = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exited = true;
        this.chunks.push(`\n===== service exited: code ${String(code)}, signal ${String(signal)} =====\n`);
        resolve(code);
      });
    });
    await this.waitReady(timeoutMs);
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exited) throw new Error(`the service exited before it was ready:\n${this.log.slice(-4000)}`);
      try {
        const res = await fetch(`${this.baseUrl}/readyz`, { signal: AbortSignal.timeout(2000) });
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(250);
    }
    throw new Error(`the service was not ready within ${timeoutMs} ms:\n${this.log.slice(-4000)}`);
  }

  /** Graceful stop: SIGTERM, then SIGKILL if it has not exited after `graceMs`. Returns the exit code. */
  async stop(graceMs = 10_000): Promise<number | null> {
    const child = this.child;
    if (!child || this.exited) return null;
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (!this.exited) killGroup(child);
    }, graceMs);
    try {
      return await this.exit!;
    } finally {
      clearTimeout(timer);
      killGroup(child); // nothing of the group may outlive the test (it would hold the port and our pipes)
    }
  }

  /** A crash: SIGKILL, nothing is finished. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || this.exited) return;
    killGroup(child);
    await this.exit;
    const deadline = Date.now() + 10_000;
    while ((await answers(`${this.baseUrl}/healthz`)) && Date.now() < deadline) await sleep(100);
  }
}

/** SIGKILL to the child's whole process group (tsx and the node process running the service). */
function killGroup(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until it returns a value other than undefined (or throws after `timeoutMs`). */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await sleep(everyMs);
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)})` : ''}`,
  );
}

/**
 * POSTs `body` with node:http and resolves with the status of the server's answer, even
 * when the server answers (413) and closes without reading the body — fetch reports that
 * case as a network error and loses the status. The headers go first; the body is written
 * in chunks only while no answer has come, as a careful HTTP client would.
 */
export function postRaw(url: string, body: Buffer, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    let status: number | undefined;
    const req = request(url, { method: 'POST', headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      status = res.statusCode ?? 0;
      res.resume();
      resolve(status);
    });
    req.on('error', (error) => (status === undefined ? reject(error) : resolve(status)));
    req.flushHeaders();
    const writeFrom = (offset: number): void => {
      if (status !== undefined || req.destroyed) return;
      if (offset >= body.length) {
        req.end();
        return;
      }
      const next = Math.min(body.length, offset + 64 * 1024);
      if (req.write(body.subarray(offset, next))) setImmediate(() => writeFrom(next));
      else req.once('drain', () => writeFrom(next));
    };
    setTimeout(() => writeFrom(0), 1000);
  });
}
