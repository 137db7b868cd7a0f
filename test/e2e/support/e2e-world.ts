/**
 * Everything around the service under test: the fake Telegram Bot API (long polling), the
 * fake Zalo OA, a real SMTP server, an agency's webhook receiver, a test directory, a
 * fresh database on the test run's server, and the service itself as a child process
 * configured only through environment variables, as an operator would.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose, { type Connection } from 'mongoose';
import { FakeTelegramServer, isMessage, type Chat, type Message, type SentCall, type User } from '../../fakes/telegram-bot-api';
import { FakeZaloServer, type FakeSentMessage } from '../../fakes/zalo-oa-server';
import { ServiceProcess } from './service-process';
import { SmtpSink } from './smtp-sink';
import { writeTestDirectory } from './test-directory';
import { WebhookReceiver } from './webhook-receiver';

export const TELEGRAM_TOKEN = '7123456789:AAE2eTestTokenForTheWholeService_0123';
export const WEBHOOK_SECRET_ENV = 'WEBHOOK_SECRET_TEST';
export const AGENCY_GROUP: Chat = { id: -1001777000102, type: 'supergroup', title: 'PAKN huyện Đăk Hà (test)' };
export const OFFICER: User = { id: 770001, is_bot: false, first_name: 'Hùng' };
export const OUTSIDER: User = { id: 770999, is_bot: false, first_name: 'Khách' };

export interface WorldOptions {
  /** The complaint the tests file; the directory wires the agency it is routed to. */
  readonly complaintText: string;
}

/** Asks the OS for a free port on 127.0.0.1 (the service needs a known port before it starts). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export class E2eWorld {
  readonly telegram = new FakeTelegramServer({ token: TELEGRAM_TOKEN, botUsername: 'cchc_e2e_bot' });
  readonly zalo = new FakeZaloServer({ appId: '4100000000000000001', appSecret: 'e2e-zalo-app-secret' });
  readonly smtp = new SmtpSink();
  readonly webhookSecret = randomBytes(24).toString('hex');
  readonly hooks = new WebhookReceiver(this.webhookSecret);
  readonly apiKey = `e2e-agency-key-${randomBytes(16).toString('hex')}`;
  readonly dbName = `e2e_${randomBytes(4).toString('hex')}`;
  readonly zaloOaSecret = `oa-secret-${randomBytes(8).toString('hex')}`;
  agencyId = '';
  private zaloTokens: string[] = [];
  service!: ServiceProcess;
  db!: Connection;
  private tempDir = '';

  constructor(private readonly options: WorldOptions) {}

  get baseUrl(): string {
    return this.service.baseUrl;
  }

  /** Starts the fakes, writes the directory, starts the service and waits until it is ready. */
  async start(): Promise<void> {
    const mongoUri = process.env.TEST_MONGODB_URI;
    if (!mongoUri) throw new Error('TEST_MONGODB_URI is not set: run through jest (global setup starts the database)');
    await Promise.all([this.telegram.start(), this.zalo.start(), this.smtp.start(), this.hooks.start()]);
    this.tempDir = await mkdtemp(join(tmpdir(), 'cchc-e2e-'));
    const directory = await writeTestDirectory(this.tempDir, this.options.complaintText, {
      telegramChatId: String(AGENCY_GROUP.id),
      email: 'dak-ha@test.local',
      webhookUrl: this.hooks.url,
      webhookSecretEnv: WEBHOOK_SECRET_ENV,
      officerTelegramIds: [String(OFFICER.id)],
      apiKey: this.apiKey,
    });
    this.agencyId = directory.agencyId;

    this.telegram.addChat(AGENCY_GROUP);
    this.telegram.addChatMember(AGENCY_GROUP.id, OFFICER.id, 'member');
    this.telegram.addChatMember(AGENCY_GROUP.id, OUTSIDER.id, 'member');

    const port = await freePort();
    const tokens = this.zalo.issueTokens();
    this.zaloTokens = [tokens.accessToken, tokens.refreshToken];
    this.zalo.configureWebhook(`http://127.0.0.1:${port}/zalo/webhook`, { appId: this.zalo.appId, oaSecretKey: this.zaloOaSecret });
    const env: Record<string, string> = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      PORT: String(port),
      MONGODB_URI: mongoUri,
      MONGODB_DB: this.dbName,
      DIRECTORY_FILE: directory.path,
      WATCH_CONTENT: 'false',
      OUTBOX_POLL_MS: '200',
      TELEGRAM_MODE: 'polling',
      TELEGRAM_API_ROOT: this.telegram.apiRoot,
      TELEGRAM_BOT_TOKEN: this.telegram.token,
      ZALO_APP_ID: this.zalo.appId,
      ZALO_APP_SECRET: this.zalo.appSecret,
      ZALO_OA_SECRET_KEY: this.zaloOaSecret,
      ZALO_ACCESS_TOKEN: tokens.accessToken,
      ZALO_REFRESH_TOKEN: tokens.refreshToken,
      ZALO_OPENAPI_BASE: this.zalo.url,
      ZALO_OAUTH_BASE: this.zalo.url,
      FORWARDING_MODE: 'live',
      SMTP_URL: this.smtp.url,
      MAIL_FROM: 'Tro ly CCHC <no-reply@test.local>',
      [WEBHOOK_SECRET_ENV]: this.webhookSecret,
    };
    this.service = new ServiceProcess(env, `http://127.0.0.1:${port}`);
    await this.service.start();
    this.db = mongoose.createConnection(mongoUri, { dbName: this.dbName, retryWrites: false, serverSelectionTimeoutMS: 15_000 });
    await this.db.asPromise();
  }

  /** Every secret the service was given: none may ever appear in its logs. */
  get secrets(): string[] {
    return [this.apiKey, this.webhookSecret, this.zaloOaSecret, this.zalo.appSecret, TELEGRAM_TOKEN.split(':')[1], ...this.zaloTokens];
  }

  /** Stops the service (SIGTERM, SIGKILL after 10 s), then every fake; drops the database. */
  async close(): Promise<void> {
    await this.service?.stop(10_000).catch(() => undefined);
    await this.db?.dropDatabase().catch(() => undefined);
    await this.db?.close().catch(() => undefined);
    await Promise.all(
      [this.telegram.close(), this.zalo.close(), this.smtp.close(), this.hooks.close()].map((p) => p.catch(() => undefined)),
    );
    if (this.tempDir) await rm(this.tempDir, { recursive: true, force: true });
  }

  /** Writes the service log to a temp file and returns its tail, for failure messages. */
  async dumpLog(label: string): Promise<string> {
    const file = join(tmpdir(), `cchc-e2e-${this.dbName}-${label.replace(/[^a-z0-9]+/gi, '-')}.log`);
    await writeFile(file, this.service?.log ?? '', 'utf8').catch(() => undefined);
    return `service log (full: ${file}), last 6000 chars:\n${(this.service?.log ?? '').slice(-6000)}`;
  }

  // ------------------------------------------------------------ agency API

  /** A call to the agency API with the test agency's key (or `key`). */
  async agencyApi(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    key: string = this.apiKey,
  ): Promise<{ status: number; json: AgencyApiBody }> {
    const headers: Record<string, string> = { authorization: `Bearer ${key}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.baseUrl}/api/agency${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, json: (text ? JSON.parse(text) : {}) as AgencyApiBody };
  }

  /** The complaint as the agency sees it (throws unless 200). */
  async complaint(code: string): Promise<AgencyComplaint> {
    const { status, json } = await this.agencyApi('GET', `/complaints/${code}`);
    if (status !== 200 || !json.complaint) throw new Error(`GET /api/agency/complaints/${code}: ${status} ${JSON.stringify(json)}`);
    return json.complaint;
  }

  // ------------------------------------------------------------ Telegram

  /** The bot's messages (sendMessage, sendPhoto) to `chatId` recorded from index `since` of `telegram.sent`. */
  botMessages(chatId: number, since = 0): Message[] {
    return this.telegram.sent
      .slice(since)
      .filter((c) => (c.method === 'sendMessage' || c.method === 'sendPhoto') && c.params.chat_id === chatId)
      .flatMap((c) => (isMessage(c.result) ? [c.result] : []));
  }

  /** Waits for a bot message to `chatId`, sent after index `since`, whose text matches. */
  async botMessage(
    chatId: number,
    match: (text: string, message: Message) => boolean,
    since: number,
    timeoutMs = 20_000,
  ): Promise<Message> {
    const predicate = (c: SentCall): boolean => {
      if ((c.method !== 'sendMessage' && c.method !== 'sendPhoto') || c.params.chat_id !== chatId || !isMessage(c.result)) return false;
      if (this.telegram.sent.indexOf(c) < since) return false;
      return match(c.result.text ?? c.result.caption ?? '', c.result);
    };
    try {
      const call = await this.telegram.waitFor(predicate, timeoutMs);
      return call.result as Message;
    } catch (error) {
      const seen = this.botMessages(chatId, since).map((m) => JSON.stringify((m.text ?? m.caption ?? '').slice(0, 120)));
      throw new Error(`${String(error)}; bot messages to ${chatId} since #${since}: [${seen.join(', ')}]`);
    }
  }

  /** The answerCallbackQuery text for a pressed button's query id. */
  async callbackAnswer(queryId: string | undefined, timeoutMs = 20_000): Promise<string | undefined> {
    const call = await this.telegram.waitFor(
      (c) => c.method === 'answerCallbackQuery' && c.params.callback_query_id === queryId,
      timeoutMs,
    );
    return typeof call.params.text === 'string' ? call.params.text : undefined;
  }

  // ------------------------------------------------------------ Zalo

  /** Waits for a Zalo message/cs to `userId`, sent after index `since` of `zalo.sent`, whose text matches. */
  async zaloMessage(userId: string, match: (text: string) => boolean, since: number, timeoutMs = 20_000): Promise<FakeSentMessage> {
    try {
      return await this.zalo.waitFor((m) => m.userId === userId && this.zalo.sent.indexOf(m) >= since && match(m.text ?? ''), timeoutMs);
    } catch (error) {
      const seen = this.zalo.sent
        .slice(since)
        .filter((m) => m.userId === userId)
        .map((m) => JSON.stringify((m.text ?? '').slice(0, 120)));
      throw new Error(`${String(error)}; Zalo messages to ${userId} since #${since}: [${seen.join(', ')}]`);
    }
  }
}

/** The parts of the agency API's answers the tests read. */
export interface AgencyComplaint {
  code: string;
  status: string;
  agencyId: string;
  text: string;
  contact?: { name?: string; phone?: string };
  answers: { text: string }[];
  rating?: { score: number; comment?: string };
  history: { action: string; actor: { kind: string; id?: string } }[];
}

export interface AgencyApiBody {
  complaint?: AgencyComplaint;
  complaints?: AgencyComplaint[];
  error?: { code: string; message: string };
}
