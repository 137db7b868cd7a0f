import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebhookTransport, classifyResponse, parseRetryAfter, type WebhookPayload } from '../../src/forwarding/webhook-transport';
import { verifyWebhookSignature } from '../../src/forwarding/webhook-signature';
import { sampleAgency, sampleMessage } from './fixtures';

const SECRET = 'test-secret-7f3a';

interface Captured {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

describe('WebhookTransport against a local HTTP receiver', () => {
  const captured: Captured[] = [];
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        captured.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        const reply = (status: number, headers: Record<string, string> = {}, body = ''): void => {
          res.writeHead(status, headers);
          res.end(body);
        };
        if (path === '/ok') return reply(202, {}, 'accepted');
        if (path === '/dup') return reply(409, {}, 'already have it');
        if (path === '/fail') return reply(500, { 'Retry-After': '7' }, 'database down');
        if (path === '/busy') return reply(429, {}, 'slow down');
        if (path === '/bad') return reply(400, {}, 'missing field');
        if (path === '/gone') return reply(410);
        if (path === '/redirect') return reply(302, { Location: 'http://127.0.0.1:1/elsewhere' });
        if (path === '/slow') return; // never answers
        reply(404);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const transport = new WebhookTransport({ env: { WEBHOOK_SECRET_TEST: SECRET }, timeoutMs: 500 });
  const agencyAt = (path: string, secretEnv = 'WEBHOOK_SECRET_TEST') => sampleAgency({ webhook: { url: base + path, secretEnv } });

  it('posts a signed JSON body that the documented verifier accepts', async () => {
    const message = sampleMessage({ note: 'Công dân bổ sung ảnh' });
    const result = await transport.deliver(agencyAt('/ok'), message);
    expect(result).toEqual({ ok: true, receipt: 'HTTP 202' });
    const request = captured[captured.length - 1];
    expect(request.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(request.headers['idempotency-key']).toBe('PA-7K3M9X.forwarded.1');
    expect(request.headers['x-cchc-event']).toBe('complaint.forwarded');
    const signature = request.headers['x-cchc-signature'];
    expect(typeof signature).toBe('string');
    expect(verifyWebhookSignature(request.body, signature as string, SECRET)).toBe(true);
    expect(verifyWebhookSignature(request.body, signature as string, 'another-secret')).toBe(false);
    expect(verifyWebhookSignature(request.body.replace('đòi tiền', 'xin tiền'), signature as string, SECRET)).toBe(false);
    const payload = JSON.parse(request.body) as WebhookPayload;
    expect(payload).toEqual({
      event: 'complaint.forwarded',
      idempotencyKey: 'PA-7K3M9X.forwarded.1',
      sentAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      complaint: message.complaint,
      note: 'Công dân bổ sung ảnh',
    });
    const t = Number(/t=(\d+)/.exec(signature as string)?.[1]);
    expect(Math.abs(t - Date.parse(payload.sentAt) / 1000)).toBeLessThan(1);
  });

  it('409 means the agency already has it → ok', async () => {
    expect(await transport.deliver(agencyAt('/dup'), sampleMessage())).toEqual({ ok: true, receipt: 'HTTP 409 (already received)' });
  });

  it('500 → retryable, honouring Retry-After', async () => {
    const result = await transport.deliver(agencyAt('/fail'), sampleMessage());
    expect(result).toEqual({ ok: false, retryable: true, error: 'HTTP 500: database down', retryAfterMs: 7000 });
  });

  it('429 → retryable', async () => {
    expect(await transport.deliver(agencyAt('/busy'), sampleMessage())).toMatchObject({ ok: false, retryable: true });
  });

  it('400 and 410 → permanent', async () => {
    expect(await transport.deliver(agencyAt('/bad'), sampleMessage())).toEqual({
      ok: false,
      retryable: false,
      error: 'HTTP 400: missing field',
    });
    expect(await transport.deliver(agencyAt('/gone'), sampleMessage())).toMatchObject({ ok: false, retryable: false });
  });

  it('redirects are not followed → permanent', async () => {
    const before = captured.length;
    const result = await transport.deliver(agencyAt('/redirect'), sampleMessage());
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(captured.length).toBe(before + 1);
  });

  it('timeout → retryable', async () => {
    const started = Date.now();
    const result = await transport.deliver(agencyAt('/slow'), sampleMessage());
    expect(result).toEqual({ ok: false, retryable: true, error: 'timed out after 500 ms' });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('connection refused → retryable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const agency = sampleAgency({ webhook: { url: `http://127.0.0.1:${port}/x`, secretEnv: 'WEBHOOK_SECRET_TEST' } });
    const result = await transport.deliver(agency, sampleMessage());
    expect(result).toMatchObject({ ok: false, retryable: true });
    if (!result.ok) expect(result.error).toMatch(/ECONNREFUSED/);
  });

  it('secret missing from the environment → permanent, nothing sent, and the error names the variable', async () => {
    const before = captured.length;
    const result = await transport.deliver(agencyAt('/ok', 'WEBHOOK_SECRET_MISSING'), sampleMessage());
    expect(result).toMatchObject({ ok: false, retryable: false });
    if (!result.ok) expect(result.error).toContain('WEBHOOK_SECRET_MISSING');
    expect(captured.length).toBe(before);
    expect(await transport.deliver(sampleAgency({ email: 'a@b.example' }), sampleMessage())).toMatchObject({ ok: false, retryable: false });
  });
});

describe('webhook response classification', () => {
  it.each([
    [200, true, undefined],
    [204, true, undefined],
    [409, true, undefined],
    [408, false, true],
    [425, false, true],
    [429, false, true],
    [502, false, true],
    [503, false, true],
    [301, false, false],
    [401, false, false],
    [404, false, false],
    [422, false, false],
  ])('HTTP %i → ok=%s retryable=%s', (status, ok, retryable) => {
    const result = classifyResponse(status, null, '');
    expect(result.ok).toBe(ok);
    if (!result.ok) expect(result.retryable).toBe(retryable);
  });

  it('parseRetryAfter reads seconds and HTTP dates, capped at a day', () => {
    const now = new Date('2025-03-03T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Mon, 03 Mar 2025 00:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('Sun, 02 Mar 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('999999', now)).toBe(24 * 3_600_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
