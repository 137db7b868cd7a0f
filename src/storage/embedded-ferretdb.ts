/**
 * Starts the embedded MongoDB-compatible server (FerretDB v1 over SQLite, built from
 * tools/ferretdb) when no MONGODB_URI is configured, so `npm start`, `npm run chat` and
 * the tests work on a machine with no database installed. Its data lives under a folder
 * of ours (./data by default) and survives restarts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { PROJECT_ROOT } from '../infra/project-root';

export interface EmbeddedMongo {
  readonly uri: string;
  readonly dataDir: string;
  readonly binary: string;
  stop(): Promise<void>;
}

export const FERRETDB_BINARY = join(PROJECT_ROOT, 'tools', 'ferretdb', 'bin', 'ferretdb');

/** Builds the FerretDB binary if it is missing (needs Go; modules come from the Go proxy). */
export function ensureFerretDbBinary(): string {
  if (!existsSync(FERRETDB_BINARY)) {
    execFileSync('bash', [join(PROJECT_ROOT, 'tools', 'ferretdb', 'build.sh')], { stdio: 'inherit' });
  }
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
 * Starts FerretDB on a free loopback port and resolves once it accepts connections.
 * Its own log goes to `<dataDir>/ferretdb.log`, not to our structured log.
 */
export async function startEmbeddedMongo(options: { dataDir: string; port?: number; startTimeoutMs?: number }): Promise<EmbeddedMongo> {
  const binary = ensureFerretDbBinary();
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const port = options.port ?? (await freePort());
  const log = openSync(join(dataDir, 'ferretdb.log'), 'a');
  const child = spawn(binary, ['-listen', `127.0.0.1:${port}`, '-data', join(dataDir, 'ferretdb')], {
    stdio: ['ignore', 'ignore', log],
  });
  await waitForPort(child, port, options.startTimeoutMs ?? 20000);
  return {
    uri: `mongodb://127.0.0.1:${port}/`,
    dataDir,
    binary,
    stop: () => stopChild(child),
  };
}

/** Resolves when the port accepts TCP connections; rejects if the process exits first. */
async function waitForPort(child: ChildProcess, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  while (Date.now() < deadline) {
    if (exited !== undefined) throw new Error(`embedded FerretDB exited with code ${exited}; see its ferretdb.log`);
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`embedded FerretDB did not start within ${timeoutMs} ms`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolveConnect) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolveConnect(true);
    });
    socket.once('error', () => resolveConnect(false));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}
