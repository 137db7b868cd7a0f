import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { EmailTransport, classifySmtpError, messageIdFor } from '../../src/forwarding/email-transport';
import { sampleAgency, sampleMessage } from './fixtures';

interface Received {
  readonly from: string | undefined;
  readonly to: string[];
  readonly raw: string;
}

/** Minimal header reader for the raw message (unfolds continuation lines). */
function header(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

/** "=?UTF-8?B?...?=" / "=?UTF-8?Q?...?=" words decoded, for the subject. */
function decodeMimeWords(value: string): string {
  return value.replace(/\?=\s+=\?/g, '?==?').replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_m, enc: string, text: string) =>
    enc.toLowerCase() === 'b'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(
          text.replace(/_/g, ' ').replace(/=([0-9a-f]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))),
          'latin1',
        ).toString('utf8'),
  );
}

describe('EmailTransport against a real SMTP server', () => {
  const received: Received[] = [];
  let server: SMTPServer;
  let port: number;

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo(address: SMTPServerAddress, _session, callback) {
        const reply = (code: number, text: string): void => callback(Object.assign(new Error(text), { responseCode: code }));
        if (address.address.startsWith('busy@')) return reply(451, 'Mailbox busy, try again later');
        if (address.address.startsWith('nobody@')) return reply(550, 'No such user here');
        callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined;
          received.push({ from, to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const transport = (): EmailTransport =>
    new EmailTransport({
      smtp: { host: '127.0.0.1', port, secure: false, ignoreTLS: true },
      from: 'Phản ánh CCHC <phananh@kontum.example>',
    });

  it('delivers the complaint with deterministic Message-ID and idempotency headers', async () => {
    const t = transport();
    const message = sampleMessage();
    const result = await t.deliver(sampleAgency({ email: 'ubnd-dak-ha@kontum.example' }), message);
    t.close();
    expect(result).toEqual({ ok: true, receipt: expect.stringContaining('<PA-7K3M9X.forwarded.1@kontum.example>') });
    const mail = received[received.length - 1];
    expect(mail.to).toEqual(['ubnd-dak-ha@kontum.example']);
    expect(mail.from).toBe('phananh@kontum.example');
    expect(header(mail.raw, 'Message-ID')).toBe('<PA-7K3M9X.forwarded.1@kontum.example>');
    expect(header(mail.raw, 'X-Idempotency-Key')).toBe('PA-7K3M9X.forwarded.1');
    expect(header(mail.raw, 'X-CCHC-Event')).toBe('complaint.forwarded');
    expect(decodeMimeWords(header(mail.raw, 'Subject') ?? '')).toBe(
      '[PA-7K3M9X] Phản ánh, kiến nghị mới: Thái độ, trách nhiệm của cán bộ — Huyện Đăk Hà',
    );
    expect(mail.raw).toMatch(/multipart\/alternative/);
    expect(mail.raw).toMatch(/text\/plain/);
    expect(mail.raw).toMatch(/text\/html/);
  });

  it('sends the same Message-ID when the same message is retried', async () => {
    const t = transport();
    const agency = sampleAgency({ email: 'ubnd-dak-ha@kontum.example' });
    const message = sampleMessage({ idempotencyKey: 'retry-key-1' });
    await t.deliver(agency, message);
    await t.deliver(agency, message);
    t.close();
    const ids = received.slice(-2).map((m) => header(m.raw, 'Message-ID'));
    expect(ids).toEqual(['<retry-key-1@kontum.example>', '<retry-key-1@kontum.example>']);
  });

  it('451 from the server → retryable failure', async () => {
    const t = transport();
    const result = await t.deliver(sampleAgency({ email: 'busy@kontum.example' }), sampleMessage());
    t.close();
    expect(result).toMatchObject({ ok: false, retryable: true });
    if (!result.ok) expect(result.error).toContain('451');
  });

  it('550 from the server → permanent failure', async () => {
    const t = transport();
    const result = await t.deliver(sampleAgency({ email: 'nobody@kontum.example' }), sampleMessage());
    t.close();
    expect(result).toMatchObject({ ok: false, retryable: false });
    if (!result.ok) expect(result.error).toContain('550');
  });

  it('connection refused → retryable; agency without e-mail → permanent', async () => {
    const closed = new SMTPServer({ authOptional: true, logger: false });
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const t = new EmailTransport({ smtp: `smtp://127.0.0.1:${deadPort}`, from: 'phananh@kontum.example' });
    const result = await t.deliver(sampleAgency({ email: 'x@kontum.example' }), sampleMessage());
    expect(result).toMatchObject({ ok: false, retryable: true });
    const none = await t.deliver(sampleAgency({ telegramChatId: '-1001' }), sampleMessage());
    expect(none).toMatchObject({ ok: false, retryable: false });
    t.close();
  });
});

describe('email helpers', () => {
  it('messageIdFor is deterministic and always a valid msg-id', () => {
    expect(messageIdFor('PA-7K3M9X.forwarded.1', 'x.example')).toBe('<PA-7K3M9X.forwarded.1@x.example>');
    const odd = messageIdFor('key with spaces <and> @', 'x.example');
    expect(odd).toMatch(/^<[0-9a-f]{64}@x\.example>$/);
    expect(messageIdFor('key with spaces <and> @', 'x.example')).toBe(odd);
  });

  it('classifySmtpError', () => {
    expect(classifySmtpError({ code: 'EENVELOPE', responseCode: 452, response: '452 full' })).toMatchObject({ ok: false, retryable: true });
    expect(classifySmtpError({ code: 'EMESSAGE', responseCode: 554, response: '554 spam' })).toMatchObject({ ok: false, retryable: false });
    expect(classifySmtpError({ code: 'EAUTH', responseCode: 535, response: '535 bad credentials' })).toMatchObject({
      ok: false,
      retryable: true,
    });
    expect(classifySmtpError({ code: 'ETIMEDOUT', message: 'Connection timeout' })).toMatchObject({ ok: false, retryable: true });
    expect(classifySmtpError(new Error('weird'))).toMatchObject({ ok: false, retryable: true });
  });
});
