import { classifyApiError, classifyTelegramError } from '../../../src/channels/telegram/telegram-errors';
import { isPrivateChatId, TelegramSendQueue, type ErrorDecision } from '../../../src/channels/telegram/telegram-send-queue';
import { TelegramError } from 'telegraf';

/** An error the fake calls below throw, classified like the Bot API's answer. */
class FakeApiError extends Error {
  constructor(
    readonly code: number,
    readonly retryAfter?: number,
  ) {
    super(`api ${code}`);
  }
}

function classify(error: unknown): ErrorDecision {
  if (error instanceof FakeApiError) return classifyApiError(error.code, error.message, error.retryAfter);
  return classifyTelegramError(error);
}

function queue(options: Partial<ConstructorParameters<typeof TelegramSendQueue>[0]> = {}): TelegramSendQueue {
  return new TelegramSendQueue({ classify, baseBackoffMs: 20, maxBackoffMs: 50, ...options });
}

describe('TelegramSendQueue', () => {
  it('spaces messages to one private chat and keeps their order, without holding other chats', async () => {
    const q = queue({ privateSpacingMs: 150 });
    const log: { chat: number; n: number; at: number }[] = [];
    const start = Date.now();
    const send = (chat: number, n: number) => q.enqueue(chat, async () => log.push({ chat, n, at: Date.now() - start }));
    await Promise.all([send(1, 1), send(1, 2), send(1, 3), send(2, 1)]);
    const chat1 = log.filter((e) => e.chat === 1);
    expect(chat1.map((e) => e.n)).toEqual([1, 2, 3]);
    // Each message starts at least the spacing after the one before it started.
    expect(chat1[2].at - chat1[0].at).toBeGreaterThanOrEqual(280);
    expect(log.find((e) => e.chat === 2)!.at).toBeLessThan(chat1[2].at);
    await q.stop(0);
  });

  it('keeps at most groupPerMinute messages a minute in a group', async () => {
    const q = queue({ groupPerMinute: 2 });
    const done: number[] = [];
    const outcomes = [1, 2, 3].map((n) => q.enqueue(-100, async () => done.push(n)));
    await Promise.all(outcomes.slice(0, 2));
    await new Promise((r) => setTimeout(r, 100));
    expect(done).toEqual([1, 2]);
    expect(q.size).toBe(1);
    await q.stop(0);
    await expect(outcomes[2]).resolves.toMatchObject({ ok: false, kind: 'retry' });
  });

  it('keeps at most globalPerSecond messages a second over all chats', async () => {
    const q = queue({ globalPerSecond: 3 });
    const started: number[] = [];
    const t0 = Date.now();
    await Promise.all([1, 2, 3, 4].map((chat) => q.enqueue(chat, async () => started.push(Date.now() - t0))));
    expect(started.slice(0, 3).every((t) => t < 200)).toBe(true);
    expect(started[3]).toBeGreaterThanOrEqual(900);
    await q.stop(0);
  });

  it('counts the bot-wide limit in any sliding second, and a stop lets waiting messages go at once as retry', async () => {
    const q = queue({ globalPerSecond: 2 });
    const started: number[] = [];
    const t0 = Date.now();
    const outcomes = [1, 2, 3, 4, 5, 6].map((chat) => q.enqueue(chat, async () => started.push(Date.now() - t0)));
    await Promise.all(outcomes.slice(0, 4));
    for (const at of started)
      expect(started.filter((other) => other >= at && other < at + 1000)).toHaveLength(Math.min(2, started.filter((o) => o >= at).length));
    const stopAt = Date.now();
    await q.stop(0);
    await expect(Promise.all(outcomes.slice(4))).resolves.toEqual([
      expect.objectContaining({ ok: false, kind: 'retry' }),
      expect.objectContaining({ ok: false, kind: 'retry' }),
    ]);
    expect(Date.now() - stopAt).toBeLessThan(500);
    expect(started).toHaveLength(4);
  });

  it('honours retry_after of a 429 and delivers the message later', async () => {
    const q = queue();
    let calls = 0;
    const t0 = Date.now();
    const outcome = await q.enqueue(5, async () => {
      calls++;
      if (calls === 1) throw new FakeApiError(429, 1);
      return Date.now() - t0;
    });
    expect(outcome).toEqual({ ok: true, value: expect.any(Number) });
    expect(outcome.ok && outcome.value).toBeGreaterThanOrEqual(990);
    expect(calls).toBe(2);
    await q.stop(0);
  });

  it('retries 5xx and network errors with backoff, then succeeds', async () => {
    const q = queue();
    let calls = 0;
    const networkError = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const outcome = await q.enqueue(6, async () => {
      calls++;
      if (calls === 1) throw new FakeApiError(502);
      if (calls === 2) throw networkError;
      return 'sent';
    });
    expect(outcome).toEqual({ ok: true, value: 'sent' });
    expect(calls).toBe(3);
    await q.stop(0);
  });

  it('reports a blocked chat (403) as permanent without retrying', async () => {
    const q = queue();
    let calls = 0;
    const outcome = await q.enqueue(7, async () => {
      calls++;
      throw new TelegramError({ error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    });
    expect(outcome).toMatchObject({ ok: false, kind: 'permanent', code: 403 });
    expect(calls).toBe(1);
    await q.stop(0);
  });

  it('gives up after bounded retries with a retry outcome, and the next message still goes', async () => {
    const q = queue({ maxRetries: 2 });
    let calls = 0;
    const failing = q.enqueue(8, async () => {
      calls++;
      throw new FakeApiError(500);
    });
    const next = q.enqueue(8, async () => 'second');
    await expect(failing).resolves.toMatchObject({ ok: false, kind: 'retry', code: 500 });
    expect(calls).toBe(3);
    await expect(next).resolves.toEqual({ ok: true, value: 'second' });
    await q.stop(0);
  });

  it('tells private chats from groups by the sign of the id', () => {
    expect(isPrivateChatId(123)).toBe(true);
    expect(isPrivateChatId('-1001000000102')).toBe(false);
  });
});
