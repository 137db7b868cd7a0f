/**
 * The Zalo OA channel end to end: the fake Zalo posts signed events to our fastify
 * webhook; our engine answers; our sender delivers through the fake's /message/cs.
 */
import { computeZaloSignature } from '../../../src/channels/zalo/webhook-signature';
import { conversationKey } from '../../../src/core/messages';
import { FAKE_CS_PATH, type FakeSentMessage } from '../../fakes/zalo-oa-server';
import { OA_SECRET, startZaloHarness, zaloUserId, type ZaloHarness } from './zalo-channel-harness';

describe('Zalo webhook → engine → Zalo send', () => {
  let h: ZaloHarness;

  // Training the matcher takes seconds alone, much longer on a machine running other test files.
  beforeAll(async () => {
    h = await startZaloHarness();
  }, 120_000);

  afterAll(async () => {
    await h.close();
  });

  const textsTo = (userId: string): string[] =>
    h.fake.sent.filter((m) => m.userId === userId && m.path === FAKE_CS_PATH).map((m) => m.text ?? '');
  const handledFor = (userId: string) => h.handled.filter((m) => m.userId === userId);

  it('answers a question through message/cs with the quick replies as a numbered text menu', async () => {
    const user = zaloUserId(1);
    const started = Date.now();
    const res = await h.fake.userSendsText(user, 'lam giay khai sinh o dau');
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2000);
    const last = await h.fake.waitFor((m) => m.userId === user && /Trả lời 1, 2 hoặc 3$/.test(m.text ?? ''), 5000);
    await h.queue.onIdle();
    const all = textsTo(user).join('\n');
    expect(all).toContain('khai sinh');
    expect(last.text).toMatch(/\n1\. Xem đầy đủ\n2\. .+\n3\. .+\nTrả lời 1, 2 hoặc 3$/);
    for (const text of textsTo(user)) expect(text.length).toBeLessThanOrEqual(2000);
    expect(handledFor(user)[0]).toMatchObject({ channel: 'zalo', userId: user, text: 'lam giay khai sinh o dau' });
    expect(typeof handledFor(user)[0]?.messageId).toBe('string');
    expect(h.released).toContain(user);
  });

  it('turns the answer "1" into the first quick reply’s payload', async () => {
    const user = zaloUserId(2);
    await h.fake.userSendsText(user, 'lam giay khai sinh o dau');
    await h.fake.waitFor((m) => m.userId === user && /Trả lời 1, 2 hoặc 3$/.test(m.text ?? ''), 5000);
    await h.queue.onIdle();
    expect(await h.menus.get(user)).toEqual([
      '#proc:dang-ky-khai-sinh:all',
      '#proc:dang-ky-khai-sinh:documents',
      '#proc:dang-ky-khai-sinh:fee',
    ]);
    const before = h.fake.sent.length;
    await h.fake.userSendsText(user, '1');
    await h.fake.waitFor((m) => m.userId === user && h.fake.sent.indexOf(m) >= before, 5000);
    await h.queue.onIdle();
    expect(handledFor(user)[1]?.text).toBe('#proc:dang-ky-khai-sinh:all');
    expect(textsTo(user).slice(-3).join('\n')).toContain('dichvucong.gov.vn');
  });

  it('refuses a forged or missing signature with 401 and processes nothing', async () => {
    const user = zaloUserId(3);
    const event = {
      app_id: h.fake.appId,
      event_name: 'user_send_text',
      timestamp: String(Date.now()),
      sender: { id: user },
      recipient: { id: h.fake.oaId },
      message: { text: 'xin chào', msg_id: 'forged-1' },
    };
    const raw = JSON.stringify(event);
    const wrongKey = computeZaloSignature(h.fake.appId, raw, event.timestamp, 'not-the-secret');
    expect((await h.fake.sendRaw(raw, { 'x-zevent-signature': `mac=${wrongKey}` })).status).toBe(401);
    expect((await h.fake.sendRaw(raw)).status).toBe(401);
    const tampered = raw.replace('xin chào', 'xin chao');
    const rightForOriginal = computeZaloSignature(h.fake.appId, raw, event.timestamp, OA_SECRET);
    expect((await h.fake.sendRaw(tampered, { 'x-zevent-signature': `mac=${rightForOriginal}` })).status).toBe(401);
    await h.queue.onIdle();
    expect(handledFor(user)).toEqual([]);
    expect(textsTo(user)).toEqual([]);
    expect(await h.db.connection.collection('pipeline_slots').countDocuments({ _id: 'in:zalo:forged-1' as never })).toBe(0);
    // The same bytes correctly signed are accepted: the refusals were about the signature.
    expect((await h.fake.sendRaw(raw, { 'x-zevent-signature': `mac=${rightForOriginal}` })).status).toBe(200);
    await h.queue.onIdle();
    expect(handledFor(user)).toHaveLength(1);
  });

  it('processes a redelivered event (same msg_id) once, and acknowledges both', async () => {
    const user = zaloUserId(4);
    const first = await h.fake.userSendsText(user, 'số đường dây nóng', { msgId: 'replayed-msg-1' });
    const second = await h.fake.userSendsText(user, 'số đường dây nóng', { msgId: 'replayed-msg-1' });
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(JSON.parse(second.body)).toMatchObject({ duplicate: true });
    await h.queue.onIdle();
    expect(handledFor(user)).toHaveLength(1);
    expect(await h.db.connection.collection('pipeline_slots').countDocuments({ _id: 'in:zalo:replayed-msg-1' as never })).toBe(1);
  });

  it('checks the signature before parsing: unsigned garbage is 401, a signed body that is not JSON is 400', async () => {
    const unsigned = await h.fake.sendRaw('{"app_id": "1", "event_name": ', { 'x-zevent-signature': `mac=${'0'.repeat(64)}` });
    expect(unsigned.status).toBe(401);
    const timestamp = String(Date.now());
    const truncated = `{"app_id": "${h.fake.appId}", "timestamp": "${timestamp}", "event_name": `;
    const mac = computeZaloSignature(h.fake.appId, truncated, timestamp, OA_SECRET);
    expect((await h.fake.sendRaw(truncated, { 'x-zevent-signature': `mac=${mac}` })).status).toBe(400);
  });

  it('refuses signed events from far in the past or the future (freshness window), processing nothing', async () => {
    const user = zaloUserId(77);
    const before = h.handled.length;
    for (const when of [Date.UTC(2001, 0, 1), Date.UTC(2286, 0, 1), Date.now() - 25 * 3_600_000]) {
      const timestamp = String(when);
      const event = {
        app_id: h.fake.appId,
        event_name: 'user_send_text',
        timestamp,
        sender: { id: user },
        recipient: { id: h.fake.oaId },
        message: { msg_id: `fresh-${when}`, text: 'xin chào' },
      };
      const raw = JSON.stringify(event);
      const mac = computeZaloSignature(h.fake.appId, raw, timestamp, OA_SECRET);
      expect((await h.fake.sendRaw(raw, { 'x-zevent-signature': `mac=${mac}` })).status).toBe(401);
    }
    await h.queue.onIdle();
    expect(h.handled.length).toBe(before);
  });

  it('answers 413 to a 10 MB body', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024, 0x20);
    let status: number | undefined;
    try {
      status = (await h.fake.sendRaw(big, { 'x-zevent-signature': `mac=${'0'.repeat(64)}` })).status;
    } catch (error) {
      // Node's fetch may see the connection closed while still uploading; the server must not have accepted it.
      status = -1;
      expect(error).toBeInstanceOf(Error);
    }
    expect(status).toBe(413);
  });

  it('feeds images, locations and shared contact details to the engine', async () => {
    const user = zaloUserId(5);
    await h.fake.userSendsImage(user, [h.fake.imageUrl('o-ga')], { text: 'Ổ gà trước nhà' });
    await h.fake.userSendsLocation(user, 14.3545, 108.0076);
    await h.fake.userSubmitsInfo(user, { name: 'Nguyễn Văn A', phone: '0912345678' });
    await h.queue.onIdle();
    const [image, location, contact] = handledFor(user);
    expect(image).toMatchObject({
      text: 'Ổ gà trước nhà',
      attachments: [{ kind: 'image', ref: h.fake.imageUrl('o-ga'), caption: 'Ổ gà trước nhà' }],
    });
    expect(location).toMatchObject({ text: '', attachments: [{ kind: 'location', latitude: 14.3545, longitude: 108.0076 }] });
    expect(contact).toMatchObject({ text: '', contact: { name: 'Nguyễn Văn A', phone: '0912345678' } });
  });

  it('greets a new follower with the menu', async () => {
    const user = zaloUserId(6);
    await h.fake.userFollows(user);
    const greeting = await h.fake.waitFor((m) => m.userId === user, 5000);
    expect(greeting.text).toContain('Trợ lý CCHC Kon Tum');
    await h.queue.onIdle();
    expect(textsTo(user).join('\n')).toMatch(/Trả lời một số từ 1 đến 5$/); // greeting.yaml's five suggestions
  });

  it('on user_withdraw forgets the citizen’s complaints, conversation and menu, and confirms', async () => {
    const user = zaloUserId(7);
    await h.fake.userSendsText(user, 'lam giay khai sinh o dau');
    await h.queue.onIdle();
    expect(await h.conversations.get(conversationKey('zalo', user))).toBeDefined();
    expect(await h.menus.get(user)).toBeDefined();
    expect((await h.fake.userWithdraws(user)).status).toBe(200);
    await h.queue.onIdle();
    expect(h.forgotten).toEqual([{ channel: 'zalo', userId: user }]);
    expect(await h.conversations.get(conversationKey('zalo', user))).toBeUndefined();
    expect(await h.menus.get(user)).toBeUndefined();
    expect(textsTo(user).at(-1)).toContain('đã xóa thông tin cá nhân');
  });

  it('returns outside_window when the citizen has not written for 8 days (the fake answers -230)', async () => {
    const user = zaloUserId(8);
    h.fake.setLastInteraction(user, new Date(Date.now() - 8 * 24 * 3600 * 1000));
    const result = await h.sender.send(user, [{ text: 'Phản ánh PA-7K3M9Q đã có trả lời.' }]);
    expect(result).toMatchObject({ ok: false, kind: 'outside_window' });
    expect(h.fake.calls.filter((c) => c.error === -230).length).toBeGreaterThan(0);
    expect(textsTo(user)).toEqual([]);
    // Once the citizen writes again, the same notification goes through.
    h.fake.setLastInteraction(user, new Date());
    expect(await h.sender.send(user, [{ text: 'Phản ánh PA-7K3M9Q đã có trả lời.' }])).toEqual({ ok: true });
  });

  it('sends an over-long reply in parts of at most 2,000 characters', async () => {
    const user = zaloUserId(9);
    h.fake.setLastInteraction(user, new Date());
    const paragraph = 'Thủ tục này gồm nhiều bước. '.repeat(40).trim();
    const long = [paragraph, paragraph, paragraph].join('\n\n');
    expect(long.length).toBeGreaterThan(2000);
    expect(
      await h.sender.sendReply(
        user,
        [
          {
            text: long,
            quickReplies: [
              { label: 'Có', payload: 'yes' },
              { label: 'Không', payload: 'no' },
            ],
          },
        ],
        'en',
      ),
    ).toEqual({ ok: true });
    const parts = textsTo(user);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(2000);
    expect(parts.at(-1)).toMatch(/1\. Có\n2\. Không\nReply 1 or 2$/);
    expect(await h.menus.get(user)).toEqual(['yes', 'no']);
  });
});

describe('Zalo flood control', () => {
  let h: ZaloHarness;

  beforeAll(async () => {
    h = await startZaloHarness({ rateLimit: { burst: 10, refillPerSecond: 1 } });
  }, 120_000);

  afterAll(async () => {
    await h.close();
  });

  it('throttles 200 messages in 10 s from one user and still answers another user promptly', async () => {
    const flooder = zaloUserId(20);
    const other = zaloUserId(21);
    const started = Date.now();
    const statuses: number[] = [];
    for (let batch = 0; batch < 10; batch += 1) {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => h.fake.userSendsText(flooder, `câu hỏi số ${batch * 20 + i}`)),
      );
      statuses.push(...results.map((r) => r.status));
    }
    const floodSeconds = (Date.now() - started) / 1000;
    // Every flood message is still recorded (one insert) before it is refused; a busy CI machine needs the slack.
    expect(floodSeconds).toBeLessThan(20);
    expect(statuses.every((s) => s === 200)).toBe(true);

    const asked = Date.now();
    await h.fake.userSendsText(other, 'số đường dây nóng');
    await h.fake.waitFor((m: FakeSentMessage) => m.userId === other, 3000);
    expect(Date.now() - asked).toBeLessThan(1500);

    await h.queue.onIdle();
    const processed = h.handled.filter((m) => m.userId === flooder).length;
    expect(processed).toBeGreaterThanOrEqual(10);
    expect(processed).toBeLessThanOrEqual(10 + Math.ceil(floodSeconds) + 1);
    const notices = h.fake.sent.filter((m) => m.userId === flooder && (m.text ?? '').includes('hơi nhanh'));
    expect(notices).toHaveLength(1);
  });
});
