/**
 * A Zalo event answered 200 survives a crash (issue 10): the process is SIGKILLed after
 * its 200s — one event in the middle of its turn, two more waiting in the overflow lot
 * because the pipeline was full — and the next process on the same database handles each
 * once, in the citizen's order, even when Zalo delivers one again.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../../src/storage/embedded-ferretdb';
import type { Database } from '../../../src/storage/mongo/database';
import { FakeZaloServer, FAKE_CS_PATH } from '../../fakes/zalo-oa-server';
import { exited, startTestProcess } from '../../support/child-process';
import { dropTestDatabase, openTestDatabase, testMongoUri } from '../../support/database';
import { OA_SECRET, zaloUserId } from './zalo-channel-harness';

const SCRIPT = join(__dirname, 'support', 'zalo-webhook-process.ts');
const TIMEOUT_MS = 120_000;

let fake: FakeZaloServer;
let db: Database;
const children: ChildProcess[] = [];

beforeAll(async () => {
  fake = new FakeZaloServer();
  await fake.start();
  db = await openTestDatabase('zalo_crash');
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(children.map(exited));
  await fake.close();
  await dropTestDatabase(db);
});

async function service(hang: boolean): Promise<ChildProcess> {
  const port = await freePort();
  const tokens = fake.issueTokens();
  const { child, ready } = startTestProcess(
    SCRIPT,
    {
      TEST_MONGODB_URI: testMongoUri(),
      DB_NAME: db.connection.name,
      ZALO_BASE: fake.url,
      ZALO_APP_ID: fake.appId,
      ZALO_APP_SECRET: fake.appSecret,
      ZALO_ACCESS_TOKEN: tokens.accessToken,
      ZALO_REFRESH_TOKEN: tokens.refreshToken,
      PORT: String(port),
      HANG: hang ? '1' : '0',
      CAPACITY: hang ? '1' : '1000',
    },
    hang ? 'the service that dies' : 'the next service',
  );
  children.push(child);
  await ready;
  fake.configureWebhook(`http://127.0.0.1:${port}/zalo/webhook`, { appId: fake.appId, oaSecretKey: OA_SECRET });
  return child;
}

function textsTo(user: string): (string | undefined)[] {
  return fake.sent.filter((m) => m.path === FAKE_CS_PATH && m.userId === user).map((m) => m.text);
}

it(
  'handles, once and in order, the events answered 200 by a process killed before handling them',
  async () => {
    const [a, b] = [zaloUserId(801), zaloUserId(802)];
    const first = await service(true);
    // A's event takes the pipeline's only room and its turn hangs; B's two wait in the lot.
    const held = await fake.userSendsText(a, 'cho tôi xin số đường dây nóng');
    const b1 = await fake.userSendsText(b, 'thủ tục đăng ký khai sinh');
    const b2 = await fake.userSendsText(b, 'cảm ơn');
    expect([held.status, b1.status, b2.status]).toEqual([200, 200, 200]);
    expect(JSON.parse(b1.body)).toMatchObject({ queued: true });
    expect(await db.connection.collection('zalo_parked').countDocuments({})).toBe(2);
    first.kill('SIGKILL');
    await exited(first);
    expect([...textsTo(a), ...textsTo(b)]).toEqual([]);

    const next = await service(false);
    await fake.waitFor((m) => m.path === FAKE_CS_PATH && m.userId === a, 30_000);
    await fake.waitFor((m) => m.path === FAKE_CS_PATH && m.userId === b && m.text === 'echo: cảm ơn', 30_000);
    // Zalo delivering one again changes nothing: it was handled once.
    const msgId = String((b1.event.message as { msg_id: string }).msg_id);
    expect((await fake.userSendsText(b, 'thủ tục đăng ký khai sinh', { msgId })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1500));
    expect(textsTo(a)).toEqual(['echo: cho tôi xin số đường dây nóng']);
    expect(textsTo(b)).toEqual(['echo: thủ tục đăng ký khai sinh', 'echo: cảm ơn']);
    expect(await db.connection.collection('zalo_parked').countDocuments({})).toBe(0);
    next.kill('SIGTERM');
    await exited(next);
  },
  TIMEOUT_MS,
);
