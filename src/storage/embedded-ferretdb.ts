/**
 * The embedded MongoDB-compatible server (FerretDB v1 over SQLite, built from
 * tools/ferretdb), started when no MONGODB_URI is configured, so `npm start`, `npm run
 * chat` and the tests work on a machine with no database installed. Its data lives
 * under a folder of ours (./data by default) and survives restarts.
 *
 * Why it is supervised here rather than left to an init system: it is a child of the
 * service, invisible to whatever supervises the service. If it exits, it is restarted
 * with back-off (the same port, so the driver reconnects by itself), the exit is logged
 * and reported to listeners (metrics), and {@link EmbeddedMongo.isUp} is false meanwhile
 * so `/healthz` tells the truth. One server per data folder: the binary holds a flock
 * on `<dataDir>/embedded-db.lock` whose content names the holder and its address, so a
 * second process either shares the running server (`share: 'attach'`, for `npm run
 * chat` beside `npm start`) or stops with a message saying who holds the folder.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import type { Logger } from '../infra/logger';
import { PROJECT_ROOT } from '../infra/project-root';
import { launchFerretDb, processExists, stopProcess, type LaunchOptions, type LockHolder } from './ferretdb-process';

interface EmbeddedMongoEvents {
  /** The server exited unexpectedly; a restart is scheduled. */
  exit: [{ code: number | null; signal: NodeJS.Signals | null }];
  /** The server is back after an exit. */
  restart: [{ downMs: number; attempts: number }];
}

export interface EmbeddedMongo extends EventEmitter<EmbeddedMongoEvents> {
  readonly uri: string;
  readonly dataDir: string;
  /** `own`: this process runs and supervises the server; `shared`: another process's server is used. */
  readonly mode: 'own' | 'shared';
  /** The process that runs the server (this one, or the holder of the lock when shared). */
  readonly ownerPid: number;
  /** False from an unexpected exit until the restarted server accepts connections. */
  isUp(): boolean;
  /** Stops the server if this process owns it (a shared server is left running). */
  stop(): Promise<void>;
}

export interface EmbeddedMongoOptions {
  readonly dataDir: string;
  /** TCP port on 127.0.0.1; 0 or absent: any free port (kept across restarts). */
  readonly port?: number;
  /** What to do when another live process runs the server on this data folder. */
  readonly share?: 'refuse' | 'attach';
  readonly startTimeoutMs?: number;
  /** Restart delays: `min(capMs, baseMs × 2^(n-1))` for the n-th consecutive failure. */
  readonly restartBaseMs?: number;
  readonly restartCapMs?: number;
  readonly logger?: Logger;
}

const FERRETDB_BINARY = join(PROJECT_ROOT, 'tools', 'ferretdb', 'bin', 'ferretdb');
export const LOCK_FILE_NAME = 'embedded-db.lock';
/** Up this long after a restart, the server counts as stable again and the back-off starts over. */
const STABLE_MS = 60_000;

/** Another live process runs the embedded server on the data folder, and sharing was not asked for. */
export class EmbeddedDatabaseBusyError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    const who = holder.parentPid ? `process ${holder.parentPid}` : 'another process';
    const where = holder.uri ? ` at ${holder.uri}` : '';
    super(
      `The embedded database in ${dataDir} is already run by ${who}${where} (since ${holder.startedAt ?? 'an unknown time'}). ` +
        `Stop that process first, or set DATA_DIR to another folder` +
        (holder.uri ? `, or share its server with MONGODB_URI=${holder.uri}` : '') +
        '.',
    );
    this.name = 'EmbeddedDatabaseBusyError';
  }
}

/**
 * Builds the FerretDB binary when it is missing or older than its sources (needs Go;
 * modules come from the Go proxy). The build script returns at once when it is current.
 */
function ensureFerretDbBinary(): string {
  execFileSync('bash', [join(PROJECT_ROOT, 'tools', 'ferretdb', 'build.sh')], { stdio: 'inherit' });
  return FERRETDB_BINARY;
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * Starts (or, with `share: 'attach'`, finds) the embedded server and resolves once it
 * accepts connections. A lock held by a server whose owner is gone (an orphan still
 * exiting) is waited for until `startTimeoutMs`.
 */
export async function startEmbeddedMongo(options: EmbeddedMongoOptions): Promise<EmbeddedMongo> {
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const launch: Omit<LaunchOptions, 'port'> = {
    binary: ensureFerretDbBinary(),
    sqliteDir: join(dataDir, 'ferretdb'),
    lockFile: join(dataDir, LOCK_FILE_NAME),
    logFile: join(dataDir, 'ferretdb.log'),
    timeoutMs: options.startTimeoutMs ?? 20_000,
  };
  const deadline = Date.now() + launch.timeoutMs;
  for (;;) {
    const result = await launchFerretDb({ ...launch, port: options.port ?? 0 });
    if (result.kind === 'ready') return new SupervisedServer(result.child, result.uri, dataDir, launch, options);
    const holder = result.holder;
    const live = holder.state === 'ready' && holder.uri !== undefined && processExists(holder.pid) && processExists(holder.parentPid);
    if (live && options.share === 'attach') return new SharedServer(holder.uri, dataDir, holder.parentPid!);
    if (live || Date.now() > deadline) throw new EmbeddedDatabaseBusyError(dataDir, holder);
    // Starting up, or an orphan whose owner died and which is exiting by itself: wait.
    await sleep(250);
  }
}

class SupervisedServer extends EventEmitter<EmbeddedMongoEvents> implements EmbeddedMongo {
  readonly mode = 'own';
  readonly ownerPid = process.pid;
  private up = true;
  private stopping = false;
  /** Restarts scheduled since the server last stayed up for {@link STABLE_MS}: drives the back-off, so a crash loop slows down. */
  private backoffStep = 0;
  /** Launches tried in the current outage. */
  private attempts = 0;
  private downSince = 0;
  private retryTimer?: NodeJS.Timeout;
  private stableTimer?: NodeJS.Timeout;
  private readonly port: number;

  constructor(
    private child: ChildProcess,
    readonly uri: string,
    readonly dataDir: string,
    private readonly launch: Omit<LaunchOptions, 'port'>,
    private readonly options: EmbeddedMongoOptions,
  ) {
    super();
    this.port = Number(new URL(uri).port);
    this.watch(child);
  }

  isUp(): boolean {
    return this.up;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.stableTimer);
    await stopProcess(this.child);
  }

  private watch(child: ChildProcess): void {
    child.once('exit', (code, signal) => {
      if (this.stopping || child !== this.child) return;
      this.up = false;
      this.downSince = Date.now();
      this.attempts = 0;
      clearTimeout(this.stableTimer);
      this.options.logger?.error({ code, signal, dataDir: this.dataDir }, 'embedded database exited unexpectedly; restarting it');
      this.emit('exit', { code, signal });
      this.scheduleRestart();
    });
  }

  private scheduleRestart(): void {
    if (this.stopping) return;
    this.backoffStep += 1;
    const base = this.options.restartBaseMs ?? 500;
    const cap = this.options.restartCapMs ?? 30_000;
    const delay = Math.min(cap, base * 2 ** Math.min(this.backoffStep - 1, 20));
    this.retryTimer = setTimeout(() => void this.restart(), delay);
  }

  private async restart(): Promise<void> {
    if (this.stopping) return;
    this.attempts += 1;
    try {
      const result = await launchFerretDb({ ...this.launch, port: this.port });
      if (result.kind === 'locked') {
        this.options.logger?.error(
          { holderPid: result.holder.parentPid, dataDir: this.dataDir },
          'embedded database cannot restart: another process took its data folder',
        );
        this.scheduleRestart();
        return;
      }
      if (this.stopping) {
        await stopProcess(result.child);
        return;
      }
      this.child = result.child;
      this.watch(result.child);
      this.up = true;
      this.stableTimer = setTimeout(() => (this.backoffStep = 0), STABLE_MS).unref();
      const event = { downMs: Date.now() - this.downSince, attempts: this.attempts };
      this.options.logger?.warn(event, 'embedded database restarted');
      this.emit('restart', event);
    } catch (err) {
      this.options.logger?.error({ err, attempt: this.attempts }, 'embedded database restart failed; trying again');
      this.scheduleRestart();
    }
  }
}

/** Another process's server on the same data folder (`npm run chat` beside `npm start`). */
class SharedServer extends EventEmitter<EmbeddedMongoEvents> implements EmbeddedMongo {
  readonly mode = 'shared';
  constructor(
    readonly uri: string,
    readonly dataDir: string,
    readonly ownerPid: number,
  ) {
    super();
  }
  isUp(): boolean {
    return true; // not ours to supervise: readiness pings tell whether it answers
  }
  async stop(): Promise<void> {}
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
