import type { ChannelSendResult } from '../../src/notifications/channel-sender';
import type { ChannelName, Locale, OutgoingMessage } from '../../src/core/messages';
import { silentLogger } from '../../src/infra/logger';
import { createNotificationRenderer } from '../../src/notifications/notification-renderer';
import { citizenNotificationHandler, type HeldFallbackSender } from '../../src/notifications/citizen-notification-handler';
import type { NotificationItem } from '../../src/notifications/notification-item';
import { OutboxWorker, type OutboxWorkerOptions } from '../../src/outbox/outbox-worker';
import type { Database } from '../../src/storage/mongo/database';
import { MongoNotificationOutbox } from '../../src/storage/mongo/mongo-outbox';
import { dropTestDatabase, openTestDatabase } from '../support/database';

/** A channel that records what it sends and answers from a per-citizen script (default ok). */
class FakeSender implements HeldFallbackSender {
  readonly sent: { userId: string; messages: readonly OutgoingMessage[] }[] = [];
  readonly fallbacks: { userId: string; kind: string }[] = [];
  private readonly scripts = new Map<string, ChannelSendResult[]>();
  sendHeldFallback?: (userId: string, kind: string) => Promise<ChannelSendResult>;

  constructor(readonly channel: ChannelName) {}

  async send(userId: string, messages: readonly OutgoingMessage[]): Promise<ChannelSendResult> {
    const answer = this.scripts.get(userId)?.shift() ?? { ok: true };
    if (answer.ok) this.sent.push({ userId, messages });
    return answer;
  }

  script(userId: string, ...answers: ChannelSendResult[]): void {
    this.scripts.set(userId, answers);
  }

  enableFallback(answer: ChannelSendResult): void {
    this.sendHeldFallback = async (userId, kind) => {
      this.fallbacks.push({ userId, kind });
      return answer;
    };
  }
}

type NotificationDoc = Pick<NotificationItem, 'kind' | 'params'>;

/** The citizen outbox worker with `releaseHeld` as the service wires it (app-background.ts). */
class CitizenOutbox {
  constructor(
    readonly worker: OutboxWorker<NotificationItem>,
    private readonly store: MongoNotificationOutbox,
  ) {}

  runOnce() {
    return this.worker.runOnce();
  }

  start(): void {
    this.worker.start();
  }

  stop(): Promise<void> {
    return this.worker.stop();
  }

  async releaseHeld(channel: string, userId: string): Promise<number> {
    const released = await this.store.releaseHeld(channel, userId, new Date());
    if (released > 0) this.worker.poke();
    return released;
  }
}

const render = (n: NotificationDoc, locale: Locale): OutgoingMessage[] => [
  { text: `${locale}|${n.kind}|${String((n.params as { code?: string }).code)}` },
];

describe('the citizen outbox: the generic worker with the notification handler (real FerretDB, fake channel senders)', () => {
  let db: Database;
  let zalo: FakeSender;
  let telegram: FakeSender;
  let seq = 0;

  beforeAll(async () => {
    db = await openTestDatabase('notification_worker');
  });

  afterAll(async () => {
    await dropTestDatabase(db);
  });

  beforeEach(async () => {
    await db.models.Notification.deleteMany({});
    await db.models.Conversation.deleteMany({});
    zalo = new FakeSender('zalo');
    telegram = new FakeSender('telegram');
  });

  function worker(overrides: Partial<Omit<OutboxWorkerOptions<NotificationItem>, 'store' | 'handler'>> = {}): CitizenOutbox {
    const store = new MongoNotificationOutbox(db);
    const handler = citizenNotificationHandler({
      senders: [zalo, telegram],
      render,
      localeOf: async (channel, userId) => {
        const conversation = await db.models.Conversation.findById(`${channel}:${userId}`).lean();
        return conversation?.locale === 'en' ? 'en' : conversation?.locale === 'vi' ? 'vi' : undefined;
      },
    });
    return new CitizenOutbox(
      new OutboxWorker({
        store,
        handler,
        owner: 'nw-1',
        logger: silentLogger(),
        backoff: { baseMs: 5, capMs: 20 },
        pollIntervalMs: 20,
        ...overrides,
      }),
      store,
    );
  }

  async function queue(channel: ChannelName, userId: string, kind: string, createdOffsetMs = 0): Promise<string> {
    const key = `n-${++seq}`;
    await db.models.Notification.create({
      idempotencyKey: key,
      complaintCode: 'PA-7K3M9X',
      channel,
      userId,
      kind,
      params: { code: 'PA-7K3M9X' },
      state: 'pending',
      nextAttemptAt: new Date(Date.now() - 1000 + createdOffsetMs),
    });
    return key;
  }

  const stateOf = async (key: string) => (await db.models.Notification.findOne({ idempotencyKey: key }).lean())?.state;

  it('sends once, in the citizen’s language (conversation locale; vi by default), in order per citizen', async () => {
    await db.models.Conversation.create({ _id: 'telegram:42', locale: 'en' });
    const a = await queue('telegram', '42', 'complaint.answered', 0);
    const b = await queue('telegram', '42', 'complaint.rate', 1);
    const c = await queue('zalo', '9001', 'complaint.answered', 2);
    const w = worker();
    expect(await w.runOnce()).toMatchObject({ candidates: 3, sent: 3 });
    expect(await w.runOnce()).toMatchObject({ candidates: 0 });
    expect(telegram.sent.map((s) => s.messages[0].text)).toEqual(['en|complaint.answered|PA-7K3M9X', 'en|complaint.rate|PA-7K3M9X']);
    expect(zalo.sent).toEqual([{ userId: '9001', messages: [{ text: 'vi|complaint.answered|PA-7K3M9X' }] }]);
    for (const key of [a, b, c]) expect(await stateOf(key)).toBe('sent');
  });

  it('outside the messaging window → held (no more attempts); releaseHeld → sent on the next run', async () => {
    zalo.script('9002', { ok: false, kind: 'outside_window', error: 'user has not interacted for 7 days' });
    const key = await queue('zalo', '9002', 'complaint.answered');
    const other = await queue('zalo', '9999', 'complaint.answered');
    const w = worker();
    expect(await w.runOnce()).toMatchObject({ held: 1, sent: 1 });
    expect(await db.models.Notification.findOne({ idempotencyKey: key }).lean()).toMatchObject({ state: 'held', attempts: 1 });
    expect(await w.runOnce()).toMatchObject({ candidates: 0 });
    expect(zalo.sent.map((s) => s.userId)).toEqual(['9999']);

    expect(await w.releaseHeld('zalo', '9002')).toBe(1);
    expect(await w.releaseHeld('zalo', '9002')).toBe(0);
    expect(await w.runOnce()).toMatchObject({ sent: 1 });
    expect(await db.models.Notification.findOne({ idempotencyKey: key }).lean()).toMatchObject({ state: 'sent', attempts: 2 });
    expect(zalo.sent.map((s) => s.userId)).toEqual(['9999', '9002']);
    expect(await stateOf(other)).toBe('sent');
  });

  it('uses the sender’s template fallback outside the window when it has one', async () => {
    zalo.script('9003', { ok: false, kind: 'outside_window', error: 'window closed' });
    zalo.enableFallback({ ok: true });
    const key = await queue('zalo', '9003', 'complaint.answered');
    expect(await worker().runOnce()).toMatchObject({ sent: 1, held: 0 });
    expect(zalo.fallbacks).toEqual([{ userId: '9003', kind: 'complaint.answered' }]);
    expect(await stateOf(key)).toBe('sent');
  });

  it('retries temporary failures with backoff and gives up on permanent ones', async () => {
    telegram.script('50', { ok: false, kind: 'retry', error: '429 Too Many Requests' });
    telegram.script('51', { ok: false, kind: 'permanent', error: '403 bot was blocked by the user' });
    const retried = await queue('telegram', '50', 'complaint.answered', 0);
    const blocked = await queue('telegram', '51', 'complaint.answered', 1);
    const w = worker();
    expect(await w.runOnce()).toMatchObject({ retried: 1, dead: 1 });
    expect(await db.models.Notification.findOne({ idempotencyKey: blocked }).lean()).toMatchObject({
      state: 'dead',
      lastError: 'permanent: 403 bot was blocked by the user',
    });
    expect(await stateOf(retried)).toBe('pending');
    await new Promise((r) => setTimeout(r, 30));
    expect(await w.runOnce()).toMatchObject({ sent: 1 });
    expect(await db.models.Notification.findOne({ idempotencyKey: retried }).lean()).toMatchObject({ state: 'sent', attempts: 2 });
  });

  it('a retryable failure becomes dead after maxAttempts; a channel without a sender is retried, not lost silently', async () => {
    const key = await queue('web', 'browser-1', 'complaint.answered');
    const w = worker({ maxAttempts: 2 });
    await w.runOnce();
    expect(await db.models.Notification.findOne({ idempotencyKey: key }).lean()).toMatchObject({
      state: 'pending',
      attempts: 1,
      lastError: "retry: no sender for channel 'web'",
    });
    await new Promise((r) => setTimeout(r, 30));
    await w.runOnce();
    expect(await db.models.Notification.findOne({ idempotencyKey: key }).lean()).toMatchObject({ state: 'dead', attempts: 2 });
  });

  it('two workers at once send each notification exactly once', async () => {
    const keys: string[] = [];
    for (let i = 0; i < 40; i++) keys.push(await queue('telegram', String(100 + (i % 10)), `kind-${i}`, i));
    const a = worker({ owner: 'nw-a' });
    const b = worker({ owner: 'nw-b' });
    await Promise.all([a.runOnce(), b.runOnce()]);
    await Promise.all([a.runOnce(), b.runOnce()]);
    expect(telegram.sent).toHaveLength(40);
    expect(new Set(telegram.sent.map((s) => s.messages[0].text)).size).toBe(40);
    expect(await db.models.Notification.countDocuments({ state: 'sent' })).toBe(40);
  });

  it('start()/stop(): a released notification is sent promptly by the running worker', async () => {
    zalo.script('777', { ok: false, kind: 'outside_window', error: 'closed' });
    const key = await queue('zalo', '777', 'complaint.answered');
    const w = worker({ pollIntervalMs: 60_000 });
    w.start();
    try {
      for (let i = 0; i < 200 && (await stateOf(key)) !== 'held'; i++) await new Promise((r) => setTimeout(r, 20));
      expect(await stateOf(key)).toBe('held');
      await w.releaseHeld('zalo', '777');
      for (let i = 0; i < 200 && (await stateOf(key)) !== 'sent'; i++) await new Promise((r) => setTimeout(r, 20));
      expect(await stateOf(key)).toBe('sent');
    } finally {
      await w.stop();
    }
  });
});

describe('createNotificationRenderer', () => {
  const texts = {
    t: (locale: Locale, key: string, vars: Readonly<Record<string, string | number>> = {}) =>
      `${locale}:${key}:${String(vars.code ?? '')}:${String(vars.answer ?? '')}`,
  };
  const doc = (kind: string, params: Record<string, string>) => ({ kind, params }) as unknown as NotificationDoc;

  it('renders a stored notification with the current texts, in the locale asked', () => {
    const render = createNotificationRenderer(() => texts);
    const messages = render(doc('answer', { code: 'PA-7K3M9X', answer: 'Đã xử lý' }), 'en') as OutgoingMessage[];
    expect(messages[0].text).toContain('en:complaint.notification.answer:PA-7K3M9X:Đã xử lý');
  });

  it('refuses an unknown kind (the worker retries, then gives up)', () => {
    const render = createNotificationRenderer(() => texts);
    expect(() => render(doc('nonsense', {}), 'vi')).toThrow(/unknown notification kind/);
  });
});
