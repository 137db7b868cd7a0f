/**
 * The service started as `npm start` on its embedded database (no MONGODB_URI): when the
 * database process is killed it is restarted, the log says so, `/healthz` answers 503
 * while it is down and metrics count the exit; when the service itself is SIGKILLed, the
 * database does not outlive it, and the next start works on the same data.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { LOCK_FILE_NAME, freePort } from '../../src/storage/embedded-ferretdb';
import { processExists } from '../../src/storage/ferretdb-process';
import { eventually, ServiceProcess, sleep } from '../e2e/support/service-process';

jest.setTimeout(240_000);

interface Lock {
  pid: number;
  parentPid: number;
  uri: string;
}

const DB_NAME = 'ops_supervision';
const SESSION = 'ops-supervision-session';

describe('the service on its embedded database', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cchc-supervision-'));
  let service: ServiceProcess;
  const readLock = (): Lock => JSON.parse(readFileSync(join(dataDir, LOCK_FILE_NAME), 'utf8')) as Lock;
  const chat = async (text: string): Promise<{ status: number; locale?: string }> => {
    const res = await fetch(`${service.baseUrl}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId: SESSION, text }),
    });
    const body = (await res.json()) as { locale?: string };
    return { status: res.status, locale: body.locale };
  };

  beforeAll(async () => {
    const port = await freePort();
    service = new ServiceProcess(
      {
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        PORT: String(port),
        DATA_DIR: dataDir,
        MONGODB_DB: DB_NAME,
        WATCH_CONTENT: 'false',
        FORWARDING_MODE: 'noop',
        METRICS_TOKEN: 'supervision-test-token',
      },
      `http://127.0.0.1:${port}`,
    );
    await service.start();
  });

  afterAll(async () => {
    await service?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('restarts a killed database: logged, /healthz 503 meanwhile, exit counted, citizens served again', async () => {
    expect((await chat('/en')).status).toBe(200);
    const before = readLock();
    const statuses: number[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        statuses.push((await fetch(`${service.baseUrl}/healthz`)).status);
        await sleep(20);
      }
    })();
    process.kill(before.pid, 'SIGKILL');
    await eventually(
      'a new database process',
      () => (processExists(readLock().pid) && readLock().pid !== before.pid ? true : undefined),
      30_000,
    );
    await eventually('/healthz 200 again', () => (statuses.at(-1) === 200 && statuses.includes(503) ? true : undefined), 30_000);
    polling = false;
    await poller;

    expect(statuses).toContain(503);
    expect(service.log).toMatch(/embedded database exited unexpectedly; restarting it/);
    expect(service.log).toMatch(/embedded database restarted/);
    const metrics = await (
      await fetch(`${service.baseUrl}/metrics`, { headers: { authorization: 'Bearer supervision-test-token' } })
    ).text();
    expect(metrics).toMatch(/^bot_embedded_db_exits_total 1$/m);
    expect(metrics).toMatch(/^bot_embedded_db_up 1$/m);
    expect(await chat('what documents do I need for a birth registration')).toMatchObject({ status: 200, locale: 'en' });
  });

  it('a SIGKILLed service leaves no database running, and the next start works on the same data', async () => {
    const lock = readLock();
    process.kill(lock.parentPid, 'SIGKILL'); // the node process running the service, not its whole group
    await eventually('the database process to exit', () => (processExists(lock.pid) ? undefined : true), 10_000);
    await service.kill(); // whatever is left of the group (tsx)

    await service.start();
    expect(readLock().pid).not.toBe(lock.pid);
    const connection = mongoose.createConnection(readLock().uri, { dbName: DB_NAME, retryWrites: false });
    try {
      await connection.asPromise();
      const conversation = await connection.collection('conversations').findOne({ _id: `web:${SESSION}` as never });
      expect(conversation).toMatchObject({ locale: 'en' });
    } finally {
      await connection.close();
    }
    expect((await chat('hello')).status).toBe(200);
  });
});
