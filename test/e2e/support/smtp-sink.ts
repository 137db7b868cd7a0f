/**
 * A real SMTP server (the `smtp-server` package) on 127.0.0.1 that accepts every mail and
 * keeps it, so the tests see exactly what an agency's mailbox would receive.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  readonly from: string | undefined;
  readonly to: readonly string[];
  readonly raw: string;
}

/** A header of a raw message (continuation lines unfolded), or undefined. */
export function mailHeader(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

export class SmtpSink {
  readonly mails: ReceivedMail[] = [];
  /** While true, every recipient is refused with 451 (the mail server is busy: try later). */
  down = false;
  /** Recipients refused while down. */
  refused = 0;
  private server?: SMTPServer;
  private portNumber?: number;

  async start(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo: (_address, _session, callback) => {
        if (!this.down) return callback();
        this.refused++;
        callback(Object.assign(new Error('Mailbox busy, try again later'), { responseCode: 451 }));
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined;
          this.mails.push({ from, to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.portNumber = (server.server.address() as AddressInfo).port;
  }

  get url(): string {
    if (this.portNumber === undefined) throw new Error('SmtpSink not started');
    return `smtp://127.0.0.1:${this.portNumber}`;
  }

  /** Mails whose X-Idempotency-Key header starts with `prefix` (a complaint code, say). */
  mailsFor(prefix: string): ReceivedMail[] {
    return this.mails.filter((m) => (mailHeader(m.raw, 'X-Idempotency-Key') ?? '').startsWith(prefix));
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
