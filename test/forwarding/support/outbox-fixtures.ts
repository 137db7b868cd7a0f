/**
 * Shared by the outbox tests and the crash-test child process: a small directory whose
 * agency receives webhooks at a local receiver, complaint and delivery documents inserted
 * directly with the models, and a webhook receiver that counts requests per
 * Idempotency-Key.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ComplaintStatus } from '../../../src/complaints/complaint-service';
import type { Directory } from '../../../src/complaints/directory/directory';
import { parseDirectory } from '../../../src/complaints/directory/directory-loader';
import { newTrackingCode } from '../../../src/complaints/tracking-code';
import type { Database } from '../../../src/storage/mongo/database';

export const WEBHOOK_SECRET_ENV = 'WEBHOOK_SECRET_OUTBOX_TEST';
export const WEBHOOK_SECRET = 'outbox-test-secret-0123456789abcdef';
export const AGENCY_ID = 'ubnd-a';
export const COORDINATOR_ID = 'so-noi-vu';

/** A valid directory: `ubnd-a` receives webhooks at `webhookUrl`; the coordinator gets e-mail at `coordinatorEmail`. */
export function outboxDirectory(webhookUrl: string, coordinatorEmail = 'snv@test.example'): Directory {
  const text = `version: 1
name: outbox test
localities:
  - id: huyen-a
    kind: district
    name: { vi: Huyện A }
    agency: ${AGENCY_ID}
agencies:
  - id: ${COORDINATOR_ID}
    name: { vi: Sở Nội vụ, en: Department of Home Affairs }
    kind: department
    coordinator: true
    deadlineWorkingDays: 10
    delivery: { email: "${coordinatorEmail}" }
  - id: ${AGENCY_ID}
    name: { vi: UBND huyện A, en: A District People's Committee }
    kind: district
    deadlineWorkingDays: 7
    delivery: { webhook: { url: "${webhookUrl}", secretEnv: ${WEBHOOK_SECRET_ENV} } }
rules: []
defaultAgency: ${COORDINATOR_ID}
`;
  const result = parseDirectory('outbox-test.yaml', text);
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.line}: ${e.message}`).join('\n'));
  return result.value;
}

export const CITIZEN_TEXT = 'Đường liên thôn bị sạt lở, xin xem xét. Liên hệ 0912345678';

/** Inserts a complaint routed to `agencyId`; returns its code. */
export interface ComplaintFields {
  agencyId?: string;
  dueAt?: Date;
  status?: ComplaintStatus;
  code?: string;
  createdAt?: Date;
  reminderSentAt?: Date;
  overdueNotifiedAt?: Date;
  history?: { at: Date; action: string; actor: { kind: 'citizen' | 'officer' | 'agency_api' | 'system'; id: string } }[];
}

export async function insertComplaint(db: Database, fields: ComplaintFields = {}): Promise<string> {
  const code = fields.code ?? newTrackingCode();
  await db.models.Complaint.create({
    code,
    submissionKey: `key-${code}`,
    channel: 'telegram',
    userId: '1001',
    locale: 'vi',
    text: CITIZEN_TEXT,
    sector: 'construction',
    localityId: 'huyen-a',
    agencyId: fields.agencyId ?? AGENCY_ID,
    contact: { name: 'Nguyễn Văn A', phone: '0912345678' },
    photos: [{ photoId: '65f0c0ffee0000000000abcd', sourceRef: 'tg-file-1', contentType: 'image/jpeg', size: 10 }],
    status: fields.status ?? 'forwarded',
    deliveriesPlanned: true,
    dueAt: fields.dueAt ?? new Date(Date.now() + 7 * 86_400_000),
    history: fields.history ?? [],
    ...(fields.createdAt ? { createdAt: fields.createdAt } : {}),
    ...(fields.reminderSentAt ? { reminderSentAt: fields.reminderSentAt } : {}),
    ...(fields.overdueNotifiedAt ? { overdueNotifiedAt: fields.overdueNotifiedAt } : {}),
  });
  return code;
}

/** Inserts `count` pending webhook deliveries to `ubnd-a`, spread over `complaints` complaints; returns their keys. */
export async function insertDeliveries(db: Database, count: number, complaints = 10): Promise<string[]> {
  const codes: string[] = [];
  for (let i = 0; i < complaints; i++) codes.push(await insertComplaint(db));
  const docs = Array.from({ length: count }, (_, i) => ({
    idempotencyKey: `${codes[i % complaints]}:forwarded:${i}:webhook`,
    complaintCode: codes[i % complaints],
    agencyId: AGENCY_ID,
    transport: 'webhook',
    event: 'complaint.forwarded',
    state: 'pending',
    attempts: 0,
    nextAttemptAt: new Date(),
  }));
  await db.models.Delivery.insertMany(docs);
  return docs.map((d) => d.idempotencyKey);
}

export interface ReceiverBehaviour {
  /** Answer 503 to the first N requests of each key. */
  failFirst?: number;
  /** Answer 503 to everything. */
  down?: boolean;
  /** Wait this long before answering. */
  delayMs?: number;
}

/** A local agency endpoint that records every request by its Idempotency-Key. */
export class WebhookReceiver {
  /** Requests per key, whatever the answer. */
  readonly requests = new Map<string, number>();
  /** Requests answered 2xx, per key. */
  readonly accepted = new Map<string, number>();
  readonly bodies: string[] = [];
  behaviour: ReceiverBehaviour = {};
  /** Requests received and not answered yet. */
  pending = 0;
  private server: Server | undefined;

  get url(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) throw new Error('receiver not started');
    return `http://127.0.0.1:${address.port}/hook`;
  }

  get totalRequests(): number {
    let total = 0;
    for (const n of this.requests.values()) total += n;
    return total;
  }

  get totalAccepted(): number {
    let total = 0;
    for (const n of this.accepted.values()) total += n;
    return total;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const key = String(req.headers['idempotency-key'] ?? '');
        const seen = (this.requests.get(key) ?? 0) + 1;
        this.requests.set(key, seen);
        this.bodies.push(Buffer.concat(chunks).toString('utf8'));
        this.pending++;
        const answer = (): void => {
          this.pending--;
          if (this.behaviour.down || seen <= (this.behaviour.failFirst ?? 0)) {
            res.writeHead(503, { 'Content-Type': 'text/plain' });
            res.end('maintenance');
            return;
          }
          this.accepted.set(key, (this.accepted.get(key) ?? 0) + 1);
          res.writeHead(202);
          res.end('ok');
        };
        if (this.behaviour.delayMs) setTimeout(answer, this.behaviour.delayMs);
        else answer();
      });
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  }

  reset(): void {
    this.requests.clear();
    this.accepted.clear();
    this.bodies.length = 0;
    this.behaviour = {};
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Polls `check` every 25 ms until it is true or `timeoutMs` passes. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
