/**
 * The web chat as an attacker sees it, against the whole service (buildApp on the test
 * database, real HTTP on 127.0.0.1): limits key on what a client cannot choose, and the
 * edges hold. Each scenario runs on its own service (its own database and settings).
 */
import { randomBytes } from 'node:crypto';
import { solveChallenge } from 'altcha-lib/v1';
import type { App } from '../../src/app';
import { startTestService, type TestService } from '../support/test-service';

const TRIGGER = 'cán bộ xã Đăk Hà đòi tiền mới giải quyết hồ sơ đất đai cho dân';

type Service = TestService;

function startService(settings: Record<string, string>): Promise<Service> {
  return startTestService('abuse', settings);
}

function session(): string {
  return `s_${randomBytes(12).toString('hex')}`;
}

function randomAddress(): string {
  return `${1 + (randomBytes(1)[0] % 220)}.${randomBytes(1)[0]}.${randomBytes(1)[0]}.${1 + (randomBytes(1)[0] % 250)}`;
}

async function chat(base: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> & { messages: { text: string }[] } };
}

async function rejected(app: App, endpoint: string, reason: string): Promise<number> {
  const metric = await app.metrics.rejectedRequests.get();
  return metric.values.filter((v) => v.labels.endpoint === endpoint && v.labels.reason === reason).reduce((n, v) => n + v.value, 0);
}

const SETUP_MS = 180_000;

describe('web chat under abuse', () => {
  describe('limits keyed on the real client address', () => {
    let s: Service;
    beforeAll(async () => {
      s = await startService({ ADDRESS_MESSAGES_BURST: '5', ADDRESS_MESSAGES_PER_MINUTE: '8', USER_MESSAGES_BURST: '5' });
    }, SETUP_MS);
    afterAll(() => s?.close());

    it('limits fresh sessions with forged X-Forwarded-For as one address (no proxy is trusted)', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) {
        statuses.push((await chat(s.base, { sessionId: session(), text: 'xin chào' }, { 'x-forwarded-for': randomAddress() })).status);
      }
      expect(statuses.filter((x) => x === 200).length).toBeLessThanOrEqual(8);
      expect(statuses.filter((x) => x === 429).length).toBeGreaterThanOrEqual(12);
      expect(await rejected(s.app, 'web_message', 'address_burst')).toBeGreaterThan(0);
    });

    it('keeps /metrics off the public listener', async () => {
      expect((await fetch(`${s.base}/metrics`)).status).toBe(404);
    });
  });

  describe('behind a trusted proxy', () => {
    let s: Service;
    beforeAll(async () => {
      s = await startService({ TRUSTED_PROXIES: '127.0.0.1', ADDRESS_MESSAGES_BURST: '3', ADDRESS_MESSAGES_PER_MINUTE: '3' });
    }, SETUP_MS);
    afterAll(() => s?.close());

    it('reads the client address from X-Forwarded-For only because the proxy is listed', async () => {
      const one = '203.0.113.7';
      const fromOne: number[] = [];
      for (let i = 0; i < 5; i++)
        fromOne.push((await chat(s.base, { sessionId: session(), text: 'xin chào' }, { 'x-forwarded-for': one })).status);
      expect(fromOne.filter((x) => x === 429).length).toBeGreaterThanOrEqual(2);
      // Another client behind the same proxy has its own allowance.
      expect((await chat(s.base, { sessionId: session(), text: 'xin chào' }, { 'x-forwarded-for': '198.51.100.9' })).status).toBe(200);
    });
  });

  describe('the daily complaint cap', () => {
    let s: Service;
    beforeAll(async () => {
      s = await startService({ COMPLAINTS_PER_DAY: '2' });
    }, SETUP_MS);
    afterAll(() => s?.close());

    async function fileComplaint(sessionId: string): Promise<string> {
      const first = await chat(s.base, { sessionId, text: TRIGGER });
      expect(first.status).toBe(200);
      if (first.json.messages.some((m) => /tối đa|maximum/.test(m.text))) return 'capped';
      await chat(s.base, { sessionId, text: '#pa:skip' });
      const done = await chat(s.base, { sessionId, text: '#pa:confirm' });
      return (
        done.json.messages
          .map((m) => m.text)
          .join(' ')
          .match(/PA-[0-9A-Z]{6}/)?.[0] ?? 'no code'
      );
    }

    it('holds across fresh sessions from one address', async () => {
      const first = await fileComplaint(session());
      const second = await fileComplaint(session());
      expect(first).toMatch(/^PA-/);
      expect(second).toMatch(/^PA-/);
      expect(await fileComplaint(session())).toBe('capped');
      expect(await s.app.db.models.Complaint.countDocuments({})).toBe(2);
    });
  });

  describe('the challenge past the normal volume, and the updates endpoint', () => {
    let s: Service;
    beforeAll(async () => {
      s = await startService({ WEB_CHALLENGE_AFTER: '2', WEB_UPDATES_PER_MINUTE: '3' });
    }, SETUP_MS);
    afterAll(() => s?.close());

    it('asks a new session for a proof of work once the address is busy, and accepts only a proof for that session', async () => {
      for (let i = 0; i < 2; i++) expect((await chat(s.base, { sessionId: session(), text: 'xin chào' })).status).toBe(200);
      const sessionId = session();
      const asked = await chat(s.base, { sessionId, text: 'xin chào' });
      expect(asked.status).toBe(428);
      const challenge = asked.json.challenge as {
        algorithm: string;
        challenge: string;
        maxnumber: number;
        salt: string;
        signature: string;
      };
      const solution = await solveChallenge(challenge.challenge, challenge.salt, challenge.algorithm, challenge.maxnumber).promise;
      expect(solution).not.toBeNull();
      const proof = Buffer.from(JSON.stringify({ ...challenge, number: solution!.number })).toString('base64');
      expect((await chat(s.base, { sessionId, text: 'xin chào', proof })).status).toBe(200);
      // The same proof does not open another session.
      expect((await chat(s.base, { sessionId: session(), text: 'xin chào', proof })).status).toBe(428);
      expect(await rejected(s.app, 'web_chat', 'bad_proof')).toBeGreaterThan(0);
    });

    it('serves updates to GET only: a HEAD never takes held notifications; polls are limited', async () => {
      const sessionId = session();
      await s.app.db.models.Notification.create({
        idempotencyKey: `abuse-${sessionId}`,
        channel: 'web',
        userId: sessionId,
        kind: 'acknowledged',
        complaintCode: 'PA-ABCDEF',
        params: { code: 'PA-ABCDEF' },
        state: 'held',
        nextAttemptAt: new Date(),
      });
      const head = await fetch(`${s.base}/api/chat/updates?sessionId=${sessionId}`, { method: 'HEAD' });
      expect(head.status).toBe(404);
      const doc = await s.app.db.models.Notification.findOne({ idempotencyKey: `abuse-${sessionId}` }).lean();
      expect(doc?.state).toBe('held');
      const got = await fetch(`${s.base}/api/chat/updates?sessionId=${sessionId}`);
      expect(got.status).toBe(200);
      expect(((await got.json()) as { messages: unknown[] }).messages.length).toBeGreaterThan(0);
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await fetch(`${s.base}/api/chat/updates?sessionId=${sessionId}`)).status);
      expect(statuses).toContain(429);
    });
  });
});
