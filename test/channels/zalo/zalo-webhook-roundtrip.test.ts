/**
 * The fake's citizen side against a minimal receiver built from our own pieces:
 * raw body → verifyZaloSignature → parseZaloEvent. Proves the fake signs and shapes events
 * the way our verifier and parser expect, and that forgeries are refused.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isOutsideWindow, ZaloClient } from '../../../src/channels/zalo/zalo-client';
import { verifyZaloSignature, ZALO_SIGNATURE_HEADER } from '../../../src/channels/zalo/webhook-signature';
import { parseZaloEvent } from '../../../src/channels/zalo/zalo-events';
import type { ZaloInboundEvent } from '../../../src/channels/zalo/zalo-types';
import { FakeZaloServer } from '../../fakes/zalo-oa-server';

const USER = '2468458835296117922';
const OA_SECRET = 'webhook-page-oa-secret';

describe('FakeZaloServer webhook events through our verifier and parser', () => {
  let fake: FakeZaloServer;
  let receiver: Server;
  const received: ZaloInboundEvent[] = [];
  const rejected: string[] = [];

  beforeAll(async () => {
    fake = new FakeZaloServer();
    await fake.start();
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const header = req.headers[ZALO_SIGNATURE_HEADER];
        const verdict = verifyZaloSignature(Buffer.concat(chunks), Array.isArray(header) ? header[0] : header, OA_SECRET);
        if (!verdict.ok) {
          rejected.push(verdict.reason);
          res.writeHead(401).end(verdict.reason);
          return;
        }
        const parsed = parseZaloEvent(verdict.event);
        if (!parsed.ok) {
          rejected.push(parsed.reason);
          res.writeHead(400).end(parsed.reason);
          return;
        }
        received.push(parsed.event);
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    fake.configureWebhook(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/zalo/webhook`, {
      appId: fake.appId,
      oaSecretKey: OA_SECRET,
    });
  });

  afterAll(async () => {
    receiver.closeAllConnections();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    await fake.close();
  });

  beforeEach(() => {
    received.length = 0;
    rejected.length = 0;
  });

  it('delivers a signed text event with a string timestamp and a unique msg_id', async () => {
    const first = await fake.userSendsText(USER, 'Cho hỏi thủ tục đăng ký khai sinh?');
    const second = await fake.userSendsText(USER, 'Cảm ơn');
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(typeof first.event.timestamp).toBe('string');
    expect(received).toEqual([
      expect.objectContaining({ kind: 'text', userId: USER, text: 'Cho hỏi thủ tục đăng ký khai sinh?' }),
      expect.objectContaining({ kind: 'text', userId: USER, text: 'Cảm ơn' }),
    ]);
    const ids = received.map((e) => (e.kind === 'text' ? e.msgId : ''));
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('simulates a redelivery by reusing a msg_id', async () => {
    await fake.userSendsText(USER, 'Xin chào', { msgId: 'abc123' });
    await fake.userSendsText(USER, 'Xin chào', { msgId: 'abc123' });
    expect(received.map((e) => (e.kind === 'text' ? e.msgId : ''))).toEqual(['abc123', 'abc123']);
  });

  it('delivers image events whose urls can be downloaded from the fake', async () => {
    await fake.userSendsImage(USER, [fake.imageUrl('o-ga'), fake.imageUrl('cot-dien')], { text: 'Ổ gà' });
    const event = received[0];
    expect(event).toMatchObject({ kind: 'image', urls: [fake.imageUrl('o-ga'), fake.imageUrl('cot-dien')], text: 'Ổ gà' });
    const res = await fetch(fake.imageUrl('o-ga'));
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([bytes[0], bytes[1]]).toEqual([0xff, 0xd8]);
  });

  it('delivers location, follow, unfollow, submit-info and withdraw events', async () => {
    await fake.userSendsLocation(USER, 14.3545, 108.0076);
    await fake.userFollows(USER);
    await fake.userUnfollows(USER);
    await fake.userSubmitsInfo(USER, { name: 'Nguyễn Văn A', phone: '84912345678' });
    await fake.userWithdraws(USER);
    expect(received.map((e) => e.kind)).toEqual(['location', 'follow', 'unfollow', 'user_submit_info', 'user_withdraw']);
    expect(received[0]).toMatchObject({ latitude: 14.3545, longitude: 108.0076 });
    expect(received[3]).toMatchObject({ userId: USER, name: 'Nguyễn Văn A', phone: '84912345678' });
  });

  it('refuses forged and malformed deliveries', async () => {
    const body = JSON.stringify({ app_id: fake.appId, event_name: 'user_send_text', timestamp: String(Date.now()) });
    expect((await fake.sendRaw(body, { 'x-zevent-signature': `mac=${'0'.repeat(64)}` })).status).toBe(401);
    expect((await fake.sendRaw(body)).status).toBe(401);
    expect((await fake.sendRaw('not json', { 'x-zevent-signature': `mac=${'0'.repeat(64)}` })).status).toBe(401);
    expect(rejected).toEqual(['signature mismatch', 'missing X-ZEvent-Signature header', 'body is not valid JSON']);
    expect(received).toEqual([]);
  });

  it('opens the 7-day window on the fake when the citizen writes or follows', async () => {
    const citizen = '2468458835296117000';
    const token = fake.issueTokens().accessToken;
    const client = new ZaloClient({
      openApiBase: fake.url,
      oauthBase: fake.url,
      appId: fake.appId,
      appSecret: fake.appSecret,
      tokens: { getAccessToken: async () => token, invalidate: async () => undefined },
    });
    expect(isOutsideWindow(await client.sendText(citizen, 'a').catch((e: unknown) => e))).toBe(true); // never interacted
    await fake.userSendsText(citizen, 'Tôi cần hỗ trợ');
    await expect(client.sendText(citizen, 'Chào anh/chị')).resolves.toHaveLength(1);
    fake.setLastInteraction(citizen, new Date(Date.now() - 8 * 24 * 3600 * 1000));
    expect(isOutsideWindow(await client.sendText(citizen, 'b').catch((e: unknown) => e))).toBe(true);
    await fake.userFollows(citizen);
    await expect(client.sendText(citizen, 'Cảm ơn đã quan tâm')).resolves.toHaveLength(1);
  });
});
