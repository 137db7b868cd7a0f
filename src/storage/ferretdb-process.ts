/**
 * One run of the embedded FerretDB binary (tools/ferretdb): spawn it and learn how its
 * start went from the first line it prints — `ready <uri>`, or `locked <holder JSON>` when
 * another live process runs a server on the same data folder (the binary holds a flock on
 * the lock file; see tools/ferretdb/main.go). Supervision (restarts, sharing) is
 * `embedded-ferretdb.ts`'s job; this module only launches.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** What the lock file says about the process that holds it. */
export interface LockHolder {
  /** The FerretDB process. */
  readonly pid?: number;
  /** The process that started it (the service, `npm run chat`, the test runner). */
  readonly parentPid?: number;
  readonly state?: 'starting' | 'ready';
  readonly uri?: string;
  readonly startedAt?: string;
}

export type LaunchResult =
  { readonly kind: 'ready'; readonly child: ChildProcess; readonly uri: string } | { readonly kind: 'locked'; readonly holder: LockHolder };

export interface LaunchOptions {
  readonly binary: string;
  /** Folder of the SQLite files. */
  readonly sqliteDir: string;
  readonly lockFile: string;
  /** Append-only file for FerretDB's own log (kept out of our structured log). */
  readonly logFile: string;
  /** 0: any free port. */
  readonly port: number;
  readonly timeoutMs: number;
}

/** Exit code of tools/ferretdb/main.go when another live process holds the lock. */
const EXIT_LOCKED = 3;

/**
 * Starts the binary with `-watch-parent` and a stdin pipe that this process never writes:
 * when this process dies, even by SIGKILL, the kernel closes the pipe and the server
 * stops by itself — no orphan keeps the data folder.
 */
export async function launchFerretDb(options: LaunchOptions): Promise<LaunchResult> {
  const log = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(
      options.binary,
      ['-listen', `127.0.0.1:${options.port}`, '-data', options.sqliteDir, '-lock', options.lockFile, '-watch-parent'],
      { stdio: ['pipe', 'pipe', log] },
    );
  } finally {
    closeSync(log); // the child has its own copy of the descriptor
  }
  return new Promise<LaunchResult>((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      settle(() => reject(new Error(`embedded FerretDB did not start within ${options.timeoutMs} ms; see ${options.logFile}`)));
    }, options.timeoutMs);
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      lines.close();
      child.stdout!.resume(); // nothing more is expected; never let the pipe fill
      const [word, ...rest] = line.split(' ');
      const payload = rest.join(' ');
      if (word === 'ready' && payload) settle(() => resolve({ kind: 'ready', child, uri: payload }));
      else if (word === 'locked') settle(() => resolve({ kind: 'locked', holder: parseHolder(payload) }));
      else settle(() => reject(new Error(`embedded FerretDB printed an unexpected first line; see ${options.logFile}`)));
    });
    child.once('error', (err) => settle(() => reject(err)));
    child.once('exit', (code, signal) => {
      if (code === EXIT_LOCKED) return; // the "locked" line settles it
      settle(() =>
        reject(
          new Error(
            `embedded FerretDB exited during start-up (${signal ?? `code ${String(code)}`}): ${lastLine(options.logFile) ?? 'no output'} — see ${options.logFile}`,
          ),
        ),
      );
    });
  });
}

function parseHolder(json: string): LockHolder {
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === 'object' && value !== null ? value : {};
  } catch {
    return {};
  }
}

/** The last non-empty line of a log file (read from its end), for start-up error messages. */
function lastLine(file: string): string | undefined {
  try {
    const fd = openSync(file, 'r');
    try {
      const size = fstatSync(fd).size;
      const length = Math.min(size, 2048);
      const buffer = Buffer.alloc(length);
      readSync(fd, buffer, 0, length, size - length);
      return buffer
        .toString('utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .pop();
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/** Gracefully stops a child (SIGTERM), SIGKILL after `graceMs`; resolves once it exited. */
export function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Whether a process with this id exists (signal 0 checks without sending anything). */
export function processExists(pid: number | undefined): boolean {
  if (!pid || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
