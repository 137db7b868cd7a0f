import { createHash, createHmac } from 'node:crypto';
import { computeZaloSignature, verifyZaloSignature } from '../../../src/channels/zalo/webhook-signature';

const APP_ID = '3608465248940903967';
const TIMESTAMP = '1712345678901';
const SECRET = 'oa-secret-key-for-tests';
const BODY =
  '{"app_id":"3608465248940903967","sender":{"id":"2468458835296117922"},"recipient":{"id":"388613280878808645"},' +
  '"event_name":"user_send_text","message":{"text":"Xin chào, tôi muốn hỏi thủ tục cấp CCCD","msg_id":"96d3cdf3af150460909"},' +
  '"timestamp":"1712345678901"}';

/** The documented formula, computed independently of the module under test. */
function byHand(appId: string, body: string, timestamp: string, secret: string): string {
  return createHash('sha256')
    .update(appId + body + timestamp + secret, 'utf8')
    .digest('hex');
}

describe('computeZaloSignature', () => {
  it('is sha256(app_id + raw body + timestamp + OA secret key)', () => {
    expect(computeZaloSignature(APP_ID, BODY, TIMESTAMP, SECRET)).toBe(byHand(APP_ID, BODY, TIMESTAMP, SECRET));
  });

  it('matches a fixed vector (guards against accidental changes of the formula)', () => {
    expect(computeZaloSignature(APP_ID, BODY, TIMESTAMP, SECRET)).toBe('587401b6377a3ce5a74b09873a0fa390a71440f1760b60de4781cd74ec112f5e');
  });

  it('hashes a Buffer body byte for byte like its UTF-8 string', () => {
    expect(computeZaloSignature(APP_ID, Buffer.from(BODY, 'utf8'), TIMESTAMP, SECRET)).toBe(
      computeZaloSignature(APP_ID, BODY, TIMESTAMP, SECRET),
    );
  });
});

describe('verifyZaloSignature', () => {
  const goodHeader = `mac=${byHand(APP_ID, BODY, TIMESTAMP, SECRET)}`;

  it('accepts a correctly signed body and returns it parsed, ids kept as exact strings', () => {
    const result = verifyZaloSignature(BODY, goodHeader, SECRET);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.event).toEqual(JSON.parse(BODY));
    expect((result.event as { sender: { id: unknown } }).sender.id).toBe('2468458835296117922');
  });

  it('accepts the raw body as a Buffer (Vietnamese text is hashed as UTF-8 bytes)', () => {
    expect(verifyZaloSignature(Buffer.from(BODY, 'utf8'), goodHeader, SECRET).ok).toBe(true);
  });

  it('accepts upper-case hex and surrounding spaces in the header', () => {
    expect(verifyZaloSignature(BODY, `  mac=${byHand(APP_ID, BODY, TIMESTAMP, SECRET).toUpperCase()} `, SECRET).ok).toBe(true);
  });

  it('rejects a tampered body', () => {
    const tampered = BODY.replace('CCCD', 'CMND');
    expect(verifyZaloSignature(tampered, goodHeader, SECRET)).toEqual({ ok: false, reason: 'signature mismatch' });
  });

  it('rejects a body re-serialised with different whitespace (the raw bytes are what is signed)', () => {
    const reformatted = JSON.stringify(JSON.parse(BODY), null, 2);
    expect(verifyZaloSignature(reformatted, goodHeader, SECRET).ok).toBe(false);
  });

  it('rejects the wrong key', () => {
    expect(verifyZaloSignature(BODY, goodHeader, 'another-secret')).toEqual({ ok: false, reason: 'signature mismatch' });
  });

  it('rejects an HMAC-SHA256 signature (Zalo uses a plain hash of the concatenation)', () => {
    const hmac = createHmac('sha256', SECRET)
      .update(APP_ID + BODY + TIMESTAMP)
      .digest('hex');
    expect(verifyZaloSignature(BODY, `mac=${hmac}`, SECRET).ok).toBe(false);
  });

  it.each([undefined, '', '   '])('rejects a missing header (%p)', (header) => {
    const result = verifyZaloSignature(BODY, header, SECRET);
    expect(result).toEqual({ ok: false, reason: 'missing X-ZEvent-Signature header' });
  });

  it.each(['mac=', 'mac=abc', `mac=${'z'.repeat(64)}`, `mac=${'a'.repeat(63)}`])('rejects a malformed header %p', (header) => {
    const result = verifyZaloSignature(BODY, header, SECRET);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/malformed/);
  });

  it('rejects a body that is not JSON, with a clear reason', () => {
    const body = '{"app_id":"1",';
    const result = verifyZaloSignature(body, `mac=${byHand('1', body, '', SECRET)}`, SECRET);
    expect(result).toEqual({ ok: false, reason: 'body is not valid JSON' });
  });

  it('rejects JSON that is not an object', () => {
    expect(verifyZaloSignature('[1,2]', goodHeader, SECRET)).toEqual({ ok: false, reason: 'body is not a JSON object' });
  });

  it('rejects a body without app_id', () => {
    const body = '{"timestamp":"1712345678901"}';
    const result = verifyZaloSignature(body, goodHeader, SECRET);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/app_id/);
  });

  it('rejects a body without timestamp', () => {
    const body = '{"app_id":"3608465248940903967"}';
    const result = verifyZaloSignature(body, goodHeader, SECRET);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/timestamp/);
  });

  it('rejects an app_id sent as an unsafe JSON number (its digits are already lost)', () => {
    const body = '{"app_id":3608465248940903967,"timestamp":"1"}';
    const result = verifyZaloSignature(body, `mac=${byHand('3608465248940903967', body, '1', SECRET)}`, SECRET);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/app_id/);
  });

  it('accepts a timestamp sent as a safe JSON number, signed as its decimal text', () => {
    const body = '{"app_id":"42","timestamp":1712345678901}';
    expect(verifyZaloSignature(body, `mac=${byHand('42', body, TIMESTAMP, SECRET)}`, SECRET).ok).toBe(true);
  });

  it('refuses to verify with an empty secret', () => {
    const result = verifyZaloSignature(BODY, `mac=${byHand(APP_ID, BODY, TIMESTAMP, '')}`, '');
    expect(result).toEqual({ ok: false, reason: 'OA secret key is not configured' });
  });
});
