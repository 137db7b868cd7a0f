/**
 * The embedded database's supervisor against the real FerretDB binary: restarts after a
 * crash on the same port and data, one server per data folder (a clear refusal, or
 * sharing for `npm run chat`), and a lock left by a dead process taken over.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose, { type Connection } from 'mongoose';
import {
  EmbeddedDatabaseBusyError,
  LOCK_FILE_NAME,
  freePort,
  startEmbeddedMongo,
  type EmbeddedMongo,
} from '../../src/storage/embedded-ferretdb';
import { processExists } from '../../src/storage/ferretdb-process';
import { eventually } from '../e2e/support/service-process';

jest.setTimeout(90_000);

interface Lock {
  pid: number;
  parentPid: number;
  state: string;
  uri: string;
}

function readLock(dataDir: string): Lock {
  return JSON.parse(readFileSync(join(dataDir, LOCK_FILE_NAME), 'utf8')) as Lock;
}

async function connect(uri: string): Promise<Connection> {
  const connection = mongoose.createConnection(uri, { dbName: 'supervision', retryWrites: false, serverSelectionTimeoutMS: 20_000 });
  await connection.asPromise();
  return connection;
}

describe('embedded database supervision', () => {
  const dirs: string[] = [];
  const servers: EmbeddedMongo[] = [];
  const connections: Connection[] = [];
  const freshDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'cchc-embedded-'));
    dirs.push(dir);
    return dir;
  };
  const start = async (...args: Parameters<typeof startEmbeddedMongo>): Promise<EmbeddedMongo> => {
    const server = await startEmbeddedMongo(...args);
    servers.push(server);
    return server;
  };

  afterAll(async () => {
    for (const c of connections) await c.close().catch(() => undefined);
    for (const s of servers) await s.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('restarts a killed server on the same address with the same data, reporting the exit and the restart', async () => {
    const dataDir = freshDir();
    const server = await start({ dataDir, restartBaseMs: 300 });
    const connection = await connect(server.uri);
    connections.push(connection);
    await connection.collection('things').insertOne({ _id: 'before-crash' as never, n: 1 });
    const events: string[] = [];
    server.on('exit', ({ signal }) => events.push(`exit:${String(signal)}`));
    server.on('restart', () => events.push('restart'));

    const first = readLock(dataDir);
    expect(first).toMatchObject({ state: 'ready', uri: server.uri, parentPid: process.pid });
    process.kill(first.pid, 'SIGKILL');
    await eventually('the exit to be noticed', () => events.includes('exit:SIGKILL') || undefined);
    expect(server.isUp()).toBe(false);
    await eventually('the restart', () => events.includes('restart') || undefined, 20_000);
    expect(server.isUp()).toBe(true);

    const second = readLock(dataDir);
    expect(second.pid).not.toBe(first.pid);
    expect(second.uri).toBe(server.uri);
    // The same connection object reconnects by itself and sees the data written before the crash.
    expect(await connection.collection('things').findOne({ _id: 'before-crash' as never })).toMatchObject({ n: 1 });
  });

  it('refuses a second server on a folder in use, naming the holder; shares it when asked', async () => {
    const dataDir = freshDir();
    const owner = await start({ dataDir });
    // Work that makes the server collect garbage: the lock must hold beyond its first GC.
    const busy = await connect(owner.uri);
    connections.push(busy);
    for (let batch = 0; batch < 20; batch++) {
      await busy.collection('load').insertMany(Array.from({ length: 500 }, (_, i) => ({ batch, i, pad: 'x'.repeat(200) })));
    }
    await busy
      .collection('load')
      .find({ batch: { $gte: 0 } })
      .toArray();
    const refused = startEmbeddedMongo({ dataDir });
    void refused.then((unexpected) => servers.push(unexpected)).catch(() => undefined); // stopped in afterAll if it wrongly started
    await expect(refused).rejects.toBeInstanceOf(EmbeddedDatabaseBusyError);
    await expect(refused).rejects.toThrow(new RegExp(`already run by process ${process.pid} at ${owner.uri.replace(/[/.]/g, '\\$&')}`));

    const shared = await start({ dataDir, share: 'attach' });
    expect(shared.mode).toBe('shared');
    expect(shared.uri).toBe(owner.uri);
    await shared.stop(); // leaves the owner's server running
    const connection = await connect(owner.uri);
    connections.push(connection);
    expect(await connection.db!.admin().command({ ping: 1 })).toMatchObject({ ok: 1 });
  });

  it('takes over a lock file left by a dead process', async () => {
    const dataDir = freshDir();
    // What a crashed server leaves behind: the content stays, the kernel's flock is gone.
    const stale = { pid: 999_999, parentPid: 999_998, state: 'ready', uri: 'mongodb://127.0.0.1:1/', startedAt: '2020-01-01T00:00:00Z' };
    expect(processExists(stale.pid)).toBe(false);
    writeFileSync(join(dataDir, LOCK_FILE_NAME), JSON.stringify(stale));
    const server = await start({ dataDir });
    expect(server.mode).toBe('own');
    expect(readLock(dataDir)).toMatchObject({ parentPid: process.pid, uri: server.uri, state: 'ready' });
  });

  it('listens on the configured port', async () => {
    const port = await freePort();
    const server = await start({ dataDir: freshDir(), port });
    expect(server.uri).toBe(`mongodb://127.0.0.1:${port}/`);
  });
});
