/**
 * Two service processes (`npm start`, each a child process) on one database, as two
 * instances behind a load balancer: one citizen's Telegram updates arrive alternately at
 * both — and each is also redelivered to the other — and must be handled once each, in
 * order. The order is visible in the answers: "/en" and "/vi" switch the language the
 * next question is answered in, so a question handled before the switch it followed
 * would be answered in the wrong language.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { freePort } from '../../src/storage/embedded-ferretdb';
import { loadBotContent } from '../../src/content/content-loader';
import type { BotContent } from '../../src/core/bot-content';
import { FakeTelegramServer, privateChatOf, type Update, type User } from '../fakes/telegram-bot-api';
import { testMongoUri } from '../support/database';
import { PROJECT_ROOT, ServiceProcess } from './support/service-process';

const TOKEN = '7123456789:AAE2eTestTokenForTwoProcesses_012345';
const SECRET = 'two-processes-secret-0123456789';
// One word, no language of its own: the answer's language then shows which language command came before it.
const QUESTION = 'hotline';

describe('two service processes on one database', () => {
  const fake = new FakeTelegramServer({ token: TOKEN, botUsername: 'cchc_two_bot', rateLimits: false });
  const dbName = `two_${randomBytes(4).toString('hex')}`;
  const services: ServiceProcess[] = [];
  let content: BotContent;

  beforeAll(async () => {
    await fake.start();
    const defaults = loadConfig({});
    const loaded = await loadBotContent(
      {
        intentsDir: join(PROJECT_ROOT, 'intents'),
        localesDir: join(PROJECT_ROOT, 'locales'),
        abbreviationsFile: join(PROJECT_ROOT, 'config', 'abbreviations.yaml'),
        root: PROJECT_ROOT,
      },
      { textGlobals: { ...(defaults.HOTLINE ? { hotline: defaults.HOTLINE } : {}), botName: defaults.BOT_NAME } },
    );
    if (!loaded.ok) throw new Error('content did not load');
    content = loaded.value;
    const ports = [await freePort(), await freePort()];
    for (const port of ports) {
      services.push(
        new ServiceProcess(
          {
            NODE_ENV: 'test',
            LOG_LEVEL: 'warn',
            HOST: '127.0.0.1',
            PORT: String(port),
            PUBLIC_URL: `http://127.0.0.1:${ports[0]}`,
            MONGODB_URI: testMongoUri(),
            MONGODB_DB: dbName,
            WATCH_CONTENT: 'false',
            FORWARDING_MODE: 'noop',
            TELEGRAM_MODE: 'webhook',
            TELEGRAM_API_ROOT: fake.apiRoot,
            TELEGRAM_BOT_TOKEN: TOKEN,
            TELEGRAM_WEBHOOK_SECRET: SECRET,
          },
          `http://127.0.0.1:${port}`,
        ),
      );
    }
    await Promise.all(services.map((s) => s.start()));
  }, 360_000);

  afterAll(async () => {
    await Promise.all(services.map(async (s) => (s.running ? s.stop() : undefined)));
    await fake.close();
  });

  function post(service: ServiceProcess, update: Update): Promise<Response> {
    return fetch(`${service.baseUrl}/telegram/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: JSON.stringify(update),
    });
  }

  it('handles a citizen’s messages arriving at both in order, each once', async () => {
    const user: User = { id: 880_001, is_bot: false, first_name: 'Two' };
    fake.addChat(privateChatOf(user));
    const texts = ['/en', QUESTION, '/vi', QUESTION, '/en', QUESTION, '/vi', QUESTION];
    const updates: Update[] = texts.map((text, i) => ({
      update_id: 77_000 + i,
      message: { message_id: 77_000 + i, from: user, chat: privateChatOf(user), date: Math.floor(Date.now() / 1000), text },
    }));
    for (const [i, update] of updates.entries()) {
      const [first, other] = i % 2 === 0 ? services : [services[1], services[0]];
      // Delivered to one instance, and redelivered at the same time to the other.
      const answers = await Promise.all([post(first, update), post(other, update)]);
      expect(answers.map((a) => a.status)).toEqual([200, 200]);
    }
    const replies = await fake.waitForMessages(user.id, texts.length, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const all = await fake.waitForMessages(user.id, texts.length, 1000);
    expect(all).toHaveLength(texts.length);

    const t = (locale: 'vi' | 'en', key: string) => content.translator.t(locale, key);
    const help = content.intents.get('help_menu')!.answerKey!;
    const hotline = content.intents.get('hotline')!.answerKey!;
    const expected = [help, hotline, help, hotline, help, hotline, help, hotline].map((key, i) => t(i % 4 < 2 ? 'en' : 'vi', key));
    expect(replies.map((m) => m.text).sort()).toEqual([...expected].sort());
    for (const service of services) expect(service.log).not.toContain('abandoned');
  }, 120_000);
});
