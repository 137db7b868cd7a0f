/**
 * An agency's system receiving complaints by webhook: a node:http server that checks
 * every POST's `X-CCHC-Signature` with the exported verifier (exactly what agencies are
 * told to do) and records each request with its `Idempotency-Key`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhookSignature } from '../../../src/forwarding/webhook-signature';

export interface ReceivedHook {
  readonly path: string;
  readonly idempotencyKey: string | undefined;
  readonly signatureValid: boolean;
  /** False when the receiver was "down" and answered 503. */
  readonly accepted: boolean;
  readonly body: string;
}

export class WebhookReceiver {
  readonly requests: ReceivedHook[] = [];
  /** While true, every POST is answered 503 (the agency's system is down). */
  down = false;
  private server?: Server;
  private portNumber?: number;

  constructor(private readonly secret: string) {}

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const signature = req.headers['x-cchc-signature'];
        const key = req.headers['idempotency-key'];
        const valid = verifyWebhookSignature(raw, Array.isArray(signature) ? signature[0] : signature, this.secret);
        const down = this.down;
        this.requests.push({
          path: req.url ?? '',
          idempotencyKey: Array.isArray(key) ? key[0] : key,
          signatureValid: valid,
          accepted: valid && !down,
          body: raw.toString('utf8'),
        });
        const status = down ? 503 : valid ? 200 : 401;
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: status === 200 }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.portNumber = (server.address() as AddressInfo).port;
  }

  /** Where the directory points the agency's webhook. */
  get url(): string {
    if (this.portNumber === undefined) throw new Error('WebhookReceiver not started');
    return `http://127.0.0.1:${this.portNumber}/hook`;
  }

  /** Requests whose key starts with `prefix` (a complaint code). */
  requestsFor(prefix: string): ReceivedHook[] {
    return this.requests.filter((r) => (r.idempotencyKey ?? '').startsWith(prefix));
  }

  /** Distinct idempotency keys among `requests`. */
  static distinctKeys(requests: readonly ReceivedHook[]): string[] {
    return [...new Set(requests.map((r) => r.idempotencyKey ?? ''))];
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
