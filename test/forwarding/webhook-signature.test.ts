import { createHmac } from 'node:crypto';
import { parseSignatureHeader, signWebhookBody, verifyWebhookSignature } from '../../src/forwarding/webhook-signature';

const BODY = '{"event":"complaint.forwarded","idempotencyKey":"k1"}';
const SECRET = 's3cret';
const T = 1_741_000_000;

describe('webhook signatures', () => {
  it('signs t + "." + rawBody with HMAC-SHA256, hex', () => {
    const expected = createHmac('sha256', SECRET).update(`${T}.${BODY}`).digest('hex');
    expect(signWebhookBody(BODY, SECRET, T)).toBe(`t=${T},v1=${expected}`);
  });

  it('verifies within the tolerance only', () => {
    const header = signWebhookBody(BODY, SECRET, T);
    expect(verifyWebhookSignature(BODY, header, SECRET, 300, T + 299)).toBe(true);
    expect(verifyWebhookSignature(BODY, header, SECRET, 300, T - 299)).toBe(true);
    expect(verifyWebhookSignature(BODY, header, SECRET, 300, T + 301)).toBe(false);
    expect(verifyWebhookSignature(Buffer.from(BODY), header, SECRET, 300, T)).toBe(true);
  });

  it('rejects a changed body, a wrong secret, a changed timestamp and malformed headers', () => {
    const header = signWebhookBody(BODY, SECRET, T);
    expect(verifyWebhookSignature(BODY + ' ', header, SECRET, 300, T)).toBe(false);
    expect(verifyWebhookSignature(BODY, header, 'other', 300, T)).toBe(false);
    expect(verifyWebhookSignature(BODY, header.replace(`t=${T}`, `t=${T + 1}`), SECRET, 300, T)).toBe(false);
    for (const bad of [undefined, '', 'garbage', `t=${T}`, 'v1=abc', `t=${T},v1=zz`]) {
      expect(verifyWebhookSignature(BODY, bad, SECRET, 300, T)).toBe(false);
    }
    expect(verifyWebhookSignature(BODY, header, '', 300, T)).toBe(false);
  });

  it('accepts any of several v1 values (secret rotation)', () => {
    const oldSig = signWebhookBody(BODY, 'old', T).split('v1=')[1];
    const header = `${signWebhookBody(BODY, SECRET, T)},v1=${oldSig}`;
    expect(verifyWebhookSignature(BODY, header, 'old', 300, T)).toBe(true);
    expect(verifyWebhookSignature(BODY, header, SECRET, 300, T)).toBe(true);
    expect(parseSignatureHeader(header)?.signatures).toHaveLength(2);
  });
});
