/**
 * An update Telegram got a 200 for survives a crash (issue 10): the process handling it
 * is SIGKILLed after the 200, in the middle of the turn; the next process on the same
 * database handles it from the durable inbox at start — once, even when Telegram delivers
 * it again.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../../src/storage/embedded-ferretdb';
import { FakeTelegramServer, privateChatOf, type User } from '../../fakes/telegram-bot-api';
import { exited, startTestProcess } from '../../support/child-process';
import { dropTestDatabase, openTestDatabase, testMongoUri } from '../../support/database';
import type { Database } from '../../../src/storage/mongo/database';
import { loadTestContent, SETUP_TIMEOUT_MS } from './telegram-harness';

const SCRIPT = join(__dirname, '..', 'support', 'telegram-webhook-process.ts');
const SECRET = 'durable_inbox_secret_0123456789';
const HOTLINE_QUESTION = 'cho tôi xin số đường dây nóng';

let fake: FakeTelegramServer;
let db: Database;
const children: ChildProcess[] = [];

beforeAll(async () => {
  fake = new FakeTelegramServer();
  await fake.start();
  db = await openTestDatabase('telegram_inbox');
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(children.map(exited));
  await fake.close();
  await dropTestDatabase(db);
});

async function service(hang: boolean): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const { child, ready } = startTestProcess(
    SCRIPT,
    {
      TEST_MONGODB_URI: testMongoUri(),
      DB_NAME: db.connection.name,
      TG_TOKEN: fake.token,
      TG_API_ROOT: fake.apiRoot,
      PORT: String(port),
      SECRET,
      HANG: hang ? '1' : '0',
    },
    hang ? 'the service that dies' : 'the next service',
  );
  children.push(child);
  await ready;
  return { child, url: `http://127.0.0.1:${port}/telegram/webhook` };
}

function post(url: string, body: string): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET }, body });
}

it(
  'handles an update answered 200 by a process killed before it finished the turn',
  async () => {
    const content = await loadTestContent();
    const user: User = { id: 880_001, is_bot: false, first_name: 'Crash' };
    fake.addChat(privateChatOf(user));
    const body = JSON.stringify({
      update_id: 700_000_001,
      message: { message_id: 1, from: user, chat: privateChatOf(user), date: Math.floor(Date.now() / 1000), text: HOTLINE_QUESTION },
    });

    const first = await service(true);
    expect((await post(first.url, body)).status).toBe(200);
    first.child.kill('SIGKILL');
    await exited(first.child);
    // Nothing was answered: the turn died with the process, the update is still stored.
    expect(fake.sent.some((c) => c.method === 'sendMessage' && c.params.chat_id === user.id)).toBe(false);
    const stored = await db.connection.collection('pipeline_slots').countDocuments({ payload: { $exists: true } });
    expect(stored).toBe(1);

    const next = await service(false);
    const [answer] = await fake.waitForMessages(user.id, 1, 20_000);
    expect(answer.text).toBe(content.translator.t('vi', 'intent.hotline.answer'));
    // Telegram delivering it again changes nothing: it was recorded once.
    expect((await post(next.url, body)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1500));
    expect(fake.sent.filter((c) => c.method === 'sendMessage' && c.params.chat_id === user.id)).toHaveLength(1);
    expect(await db.connection.collection('pipeline_slots').countDocuments({ payload: { $exists: true } })).toBe(0);
    next.child.kill('SIGTERM');
    await exited(next.child);
  },
  SETUP_TIMEOUT_MS * 2,
);
