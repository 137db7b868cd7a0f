import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import type { Directory } from '../../src/complaints/directory/directory';
import { createAgencyMessageBuilder } from '../../src/forwarding/agency-message-builder';
import type { DeliveryItem } from '../../src/forwarding/delivery-item';
import type { OutboxWorker } from '../../src/outbox/outbox-worker';
import { MongoComplaintRepository } from '../../src/storage/mongo/mongo-complaint-repository';
import { deliveryOutbox } from '../../src/storage/mongo/mongo-outbox';
import { localeTranslator } from '../support/locale-texts';
import { createDeliveryWorker, type TestDeliveryWorkerOptions } from './support/delivery-worker';
import { EmailTransport } from '../../src/forwarding/email-transport';
import { WebhookTransport, type WebhookPayload } from '../../src/forwarding/webhook-transport';
import type { Database } from '../../src/storage/mongo/database';
import { dropTestDatabase, openTestDatabase } from '../support/database';
import {
  AGENCY_ID,
  CITIZEN_TEXT,
  COORDINATOR_ID,
  insertComplaint,
  insertDeliveries,
  outboxDirectory,
  waitFor,
  WEBHOOK_SECRET,
  WEBHOOK_SECRET_ENV,
  WebhookReceiver,
} from './support/outbox-fixtures';

interface Mail {
  readonly to: string[];
  readonly raw: string;
}

function header(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

describe('the agency outbox: the generic worker with the delivery handler (real FerretDB, local webhook receiver, in-test SMTP server)', () => {
  let db: Database;
  const receiver = new WebhookReceiver();
  const mails: Mail[] = [];
  let smtp: SMTPServer;
  let smtpPort: number;
  let directory: Directory;
  const source = { current: (): Directory => directory };
  let email: EmailTransport;
  const workers: OutboxWorker<DeliveryItem>[] = [];

  beforeAll(async () => {
    db = await openTestDatabase('delivery_worker');
    await receiver.start();
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo(address: SMTPServerAddress, _session, callback) {
        if (address.address.startsWith('nobody@')) return callback(Object.assign(new Error('No such user here'), { responseCode: 550 }));
        callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    smtpPort = (smtp.server.address() as AddressInfo).port;
    email = new EmailTransport({
      smtp: { host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true },
      from: 'Phản ánh <phananh@test.example>',
    });
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    email.close();
    await receiver.stop();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    await dropTestDatabase(db);
  });

  beforeEach(async () => {
    await db.models.Delivery.deleteMany({});
    receiver.reset();
    mails.length = 0;
    directory = outboxDirectory(receiver.url);
  });

  function worker(overrides: Partial<TestDeliveryWorkerOptions> = {}): OutboxWorker<DeliveryItem> {
    const w = createDeliveryWorker(db, {
      directory: source,
      transports: { webhook: new WebhookTransport({ env: { [WEBHOOK_SECRET_ENV]: WEBHOOK_SECRET }, timeoutMs: 2000 }), email },
      owner: 'worker-a',
      pollIntervalMs: 20,
      batchSize: 50,
      backoff: { baseMs: 5, capMs: 40 },
      ...overrides,
    });
    workers.push(w);
    return w;
  }

  async function drain(w: OutboxWorker<DeliveryItem>, rounds = 200): Promise<void> {
    for (let i = 0; i < rounds; i++) {
      const open = await db.models.Delivery.countDocuments({ state: { $in: ['pending', 'sending'] } });
      if (open === 0) return;
      await w.runOnce();
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('outbox did not drain');
  }

  it('delivers each planned delivery exactly once, with photo links to our API and the citizen text for the responsible agency', async () => {
    const keys = await insertDeliveries(db, 30, 5);
    const w = worker();
    const stats = await w.runOnce();
    expect(stats).toMatchObject({ candidates: 30, sent: 30, retried: 0, dead: 0, skipped: 0 });
    expect(await w.runOnce()).toMatchObject({ candidates: 0, sent: 0 });
    expect(receiver.requests.size).toBe(30);
    for (const key of keys) expect(receiver.accepted.get(key)).toBe(1);
    const docs = await db.models.Delivery.find({}).lean();
    expect(
      docs.every((d) => d.state === 'sent' && d.attempts === 1 && d.receipt === 'HTTP 202' && d.sentAt instanceof Date && !d.leaseOwner),
    ).toBe(true);
    const payload = JSON.parse(receiver.bodies[0]) as WebhookPayload;
    expect(payload.complaint.text).toBe(CITIZEN_TEXT);
    expect(payload.complaint.agencyName).toBe('UBND huyện A');
    expect(payload.complaint.localityName).toBe('Huyện A');
    expect(payload.complaint.photos).toEqual([
      {
        url: `https://phananh.test/api/agency/complaints/${payload.complaint.code}/photos/65f0c0ffee0000000000abcd`,
        contentType: 'image/jpeg',
      },
    ]);
  });

  it('retries while the agency endpoint answers 503 and delivers once it is back: none lost, none duplicated', async () => {
    receiver.behaviour = { failFirst: 2 };
    const keys = await insertDeliveries(db, 20, 4);
    const w = worker({ owner: 'worker-retry' });
    w.start();
    try {
      await waitFor(async () => (await db.models.Delivery.countDocuments({ state: 'sent' })) === 20, 60_000, 'all sent');
    } finally {
      await w.stop();
    }
    expect(receiver.requests.size).toBe(20);
    for (const key of keys) {
      expect(receiver.requests.get(key)).toBe(3);
      expect(receiver.accepted.get(key)).toBe(1);
    }
    const docs = await db.models.Delivery.find({}).lean();
    expect(docs.every((d) => d.attempts === 3 && !d.lastError)).toBe(true);
  }, 90_000);

  it('honours Retry-After from a failing receiver', async () => {
    const code = await insertComplaint(db);
    await db.models.Delivery.create({
      idempotencyKey: `${code}:ra:webhook`,
      complaintCode: code,
      agencyId: AGENCY_ID,
      transport: 'webhook',
      event: 'complaint.forwarded',
      nextAttemptAt: new Date(),
    });
    const failing = {
      kind: 'webhook' as const,
      deliver: async () => ({ ok: false as const, retryable: true, error: 'HTTP 429', retryAfterMs: 3_600_000 }),
    };
    const w = worker({ transports: { webhook: failing } });
    const before = Date.now();
    await w.runOnce();
    const doc = await db.models.Delivery.findOne({}).lean();
    expect(doc?.state).toBe('pending');
    expect(doc?.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(before + 3_600_000);
  });

  it('declares a delivery dead after maxAttempts, without personal data, and alerts the coordinator by e-mail once', async () => {
    receiver.behaviour = { down: true };
    const [key] = await insertDeliveries(db, 1, 1);
    const dead: DeliveryItem[] = [];
    const w = worker({ maxAttempts: 3, onOutcome: (outcome, d) => outcome === 'dead' && dead.push(d) });
    await drain(w);
    expect(receiver.requests.get(key)).toBe(3);
    const original = await db.models.Delivery.findOne({ idempotencyKey: key }).lean();
    expect(original).toMatchObject({ state: 'dead', attempts: 3 });
    expect(original?.lastError).toContain('HTTP 503');
    expect(dead).toEqual([expect.objectContaining({ id: key, agencyId: AGENCY_ID })]);

    const alert = await db.models.Delivery.findOne({ event: 'delivery.dead' }).lean();
    expect(alert).toMatchObject({ idempotencyKey: `${key}:dead:email`, agencyId: COORDINATOR_ID, transport: 'email', state: 'sent' });
    expect(mails).toHaveLength(1);
    expect(mails[0].to).toEqual(['snv@test.example']);
    expect(header(mails[0].raw, 'X-CCHC-Event')).toBe('delivery.dead');
    expect(header(mails[0].raw, 'X-Idempotency-Key')).toBe(`${key}:dead:email`);
    // The coordinator is not the responsible agency: no citizen text, no phone number.
    expect(mails[0].raw).not.toContain('0912345678');
    expect(JSON.stringify(alert)).not.toContain('0912345678');

    await w.runOnce();
    expect(await db.models.Delivery.countDocuments({})).toBe(2);
    expect(mails).toHaveLength(1);
  });

  it('never alerts about the death of an alert', async () => {
    directory = outboxDirectory(receiver.url, 'nobody@test.example');
    receiver.behaviour = { down: true };
    const [key] = await insertDeliveries(db, 1, 1);
    const w = worker({ maxAttempts: 2 });
    await drain(w);
    const docs = await db.models.Delivery.find({}).sort({ idempotencyKey: 1 }).lean();
    expect(docs.map((d) => [d.idempotencyKey, d.state])).toEqual([
      [key, 'dead'],
      [`${key}:dead:email`, 'dead'],
    ]);
    expect(docs[1].lastError).toMatch(/SMTP 550/);
  });

  it('a non-retryable failure is dead at once (complaint missing)', async () => {
    await db.models.Delivery.create({
      idempotencyKey: 'PA-ZZZZZZ:forwarded:webhook',
      complaintCode: 'PA-ZZZZZZ',
      agencyId: AGENCY_ID,
      transport: 'webhook',
      event: 'complaint.forwarded',
      nextAttemptAt: new Date(),
    });
    const w = worker();
    await w.runOnce();
    const doc = await db.models.Delivery.findOne({ idempotencyKey: 'PA-ZZZZZZ:forwarded:webhook' }).lean();
    expect(doc).toMatchObject({ state: 'dead', attempts: 1 });
    expect(doc?.lastError).toContain('does not exist');
    expect(receiver.totalRequests).toBe(0);
  });

  it('two workers at once over 200 deliveries: each idempotency key received exactly once', async () => {
    receiver.behaviour = { delayMs: 3 };
    const keys = await insertDeliveries(db, 200, 20);
    const sentBy = { a: 0, b: 0 };
    const a = worker({ owner: 'worker-1', concurrency: 4, onOutcome: (o) => void (o === 'sent' && sentBy.a++) });
    const b = worker({ owner: 'worker-2', concurrency: 4, onOutcome: (o) => void (o === 'sent' && sentBy.b++) });
    a.start();
    b.start();
    try {
      // FerretDB on SQLite does a few hundred writes a second: 200 deliveries take a while.
      await waitFor(async () => (await db.models.Delivery.countDocuments({ state: 'sent' })) === 200, 120_000, '200 sent');
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    expect(receiver.requests.size).toBe(200);
    expect(receiver.totalRequests).toBe(200);
    for (const key of keys) expect(receiver.requests.get(key)).toBe(1);
    expect(sentBy.a + sentBy.b).toBe(200);
    expect(sentBy.a).toBeGreaterThan(0);
    expect(sentBy.b).toBeGreaterThan(0);
  }, 150_000);

  it('takes over a delivery whose sender died (expired lease) with the next attempt number', async () => {
    const code = await insertComplaint(db);
    const key = `${code}:forwarded:1:webhook`;
    await db.claims.tryClaim(`delivery:${key}#1`, 'crashed-process');
    await db.models.Delivery.create({
      idempotencyKey: key,
      complaintCode: code,
      agencyId: AGENCY_ID,
      transport: 'webhook',
      event: 'complaint.forwarded',
      state: 'sending',
      attempts: 1,
      leaseOwner: 'crashed-process',
      leaseUntil: new Date(Date.now() - 1000),
      nextAttemptAt: new Date(Date.now() - 60_000),
    });
    // A live lease is left alone.
    await db.models.Delivery.create({
      idempotencyKey: `${key}-live`,
      complaintCode: code,
      agencyId: AGENCY_ID,
      transport: 'webhook',
      event: 'complaint.forwarded',
      state: 'sending',
      attempts: 1,
      leaseOwner: 'busy-process',
      leaseUntil: new Date(Date.now() + 60_000),
      nextAttemptAt: new Date(Date.now() - 60_000),
    });
    const w = worker({ owner: 'rescuer' });
    expect(await w.runOnce()).toMatchObject({ candidates: 1, sent: 1 });
    expect(await db.claims.ownerOf(`delivery:${key}#2`)).toBe('rescuer');
    expect(await db.models.Delivery.findOne({ idempotencyKey: key }).lean()).toMatchObject({ state: 'sent', attempts: 2 });
    expect(await db.models.Delivery.findOne({ idempotencyKey: `${key}-live` }).lean()).toMatchObject({
      state: 'sending',
      leaseOwner: 'busy-process',
    });
  });

  it('writes off an attempt whose claimer died before marking it, then sends it (only when the claim is older than the lease)', async () => {
    const code = await insertComplaint(db);
    const claims = db.connection.collection<{ _id: string; owner: string; at: Date }>('claims');
    const longAgo = new Date(Date.now() - 10 * 60_000);
    for (const suffix of ['old', 'recent']) {
      await db.models.Delivery.create({
        idempotencyKey: `${code}:${suffix}:webhook`,
        complaintCode: code,
        agencyId: AGENCY_ID,
        transport: 'webhook',
        event: 'complaint.forwarded',
        nextAttemptAt: longAgo,
      });
    }
    await claims.insertOne({ _id: `delivery:${code}:old:webhook#1`, owner: 'died-after-claim', at: longAgo });
    await claims.insertOne({ _id: `delivery:${code}:recent:webhook#1`, owner: 'live-and-busy', at: new Date() });
    const w = worker({ leaseMs: 60_000, owner: 'janitor' });
    expect(await w.runOnce()).toMatchObject({ candidates: 2, skipped: 2, sent: 0 });
    expect(await db.models.Delivery.findOne({ idempotencyKey: `${code}:old:webhook` }).lean()).toMatchObject({
      state: 'pending',
      attempts: 1,
    });
    expect(await db.models.Delivery.findOne({ idempotencyKey: `${code}:recent:webhook` }).lean()).toMatchObject({
      state: 'pending',
      attempts: 0,
    });
    expect(await w.runOnce()).toMatchObject({ sent: 1 });
    expect(await db.models.Delivery.findOne({ idempotencyKey: `${code}:old:webhook` }).lean()).toMatchObject({
      state: 'sent',
      attempts: 2,
    });
    expect(receiver.requests.get(`${code}:old:webhook`)).toBe(1);
    expect(receiver.requests.has(`${code}:recent:webhook`)).toBe(false);
  });

  it('skips a delivery whose attempt another process already claimed', async () => {
    const [key] = await insertDeliveries(db, 1, 1);
    await db.claims.tryClaim(`delivery:${key}#1`, 'other-process');
    const w = worker();
    expect(await w.runOnce()).toMatchObject({ candidates: 1, skipped: 1, sent: 0 });
    expect(receiver.totalRequests).toBe(0);
  });

  it('stop() waits for the sends in flight and claims nothing after', async () => {
    receiver.behaviour = { delayMs: 300 };
    await insertDeliveries(db, 12, 3);
    const w = worker({ concurrency: 2, owner: 'stopper' });
    w.start();
    await waitFor(() => receiver.totalRequests > 0, 5000, 'first request');
    await w.stop();
    const sending = await db.models.Delivery.countDocuments({ state: 'sending' });
    const sent = await db.models.Delivery.countDocuments({ state: 'sent' });
    expect(sending).toBe(0);
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(12);
    const requests = receiver.totalRequests;
    await new Promise((r) => setTimeout(r, 200));
    expect(receiver.totalRequests).toBe(requests);
    expect(requests).toBe(sent);
  });

  it('drops the deliveries of a submission that never stored its complaint, after a grace period, without alerting; never sends them for another complaint with that code', async () => {
    const code = await insertComplaint(db);
    const orphanBase = { agencyId: AGENCY_ID, transport: 'webhook' as const, event: 'complaint.forwarded', nextAttemptAt: new Date() };
    // A crash between storing a new complaint's deliveries and the complaint: recent, then old.
    await db.models.Delivery.create({
      ...orphanBase,
      idempotencyKey: 'PA-YYYYYY:forwarded:0:webhook',
      complaintCode: 'PA-YYYYYY',
      submissionKey: 'k1',
    });
    await db.models.Delivery.create({
      ...orphanBase,
      idempotencyKey: 'PA-XXXXXX:forwarded:0:webhook',
      complaintCode: 'PA-XXXXXX',
      submissionKey: 'k2',
      createdAt: new Date(Date.now() - 20 * 60_000),
    });
    // A code collision: the code belongs to another submission.
    await db.models.Delivery.create({
      ...orphanBase,
      idempotencyKey: `${code}:forwarded:9:webhook`,
      complaintCode: code,
      submissionKey: 'not-that-one',
    });
    const w = worker();
    expect(await w.runOnce()).toMatchObject({ candidates: 3, retried: 1, dead: 2 });
    expect(receiver.totalRequests).toBe(0);
    expect(await db.models.Delivery.findById('PA-YYYYYY:forwarded:0:webhook').lean()).toMatchObject({ state: 'pending', attempts: 1 });
    expect(await db.models.Delivery.findById('PA-XXXXXX:forwarded:0:webhook').lean()).toMatchObject({ state: 'dead' });
    expect(await db.models.Delivery.findById(`${code}:forwarded:9:webhook`).lean()).toMatchObject({ state: 'dead' });
    expect(await db.models.Delivery.countDocuments({ event: 'delivery.dead' })).toBe(0);
  });

  it('withholds the citizen text and contact from a receiver that is not the responsible agency', async () => {
    const code = await insertComplaint(db);
    const build = createAgencyMessageBuilder({
      complaints: new MongoComplaintRepository(db, 'test'),
      directory: source,
      texts: () => localeTranslator(),
      apiBaseUrl: 'https://phananh.test',
    });
    await db.models.Delivery.create({
      idempotencyKey: `${code}:overdue:x:email`,
      complaintCode: code,
      agencyId: COORDINATOR_ID,
      transport: 'email',
      event: 'complaint.overdue',
      nextAttemptAt: new Date(),
    });
    const message = await build((await deliveryOutbox(db).reload(`${code}:overdue:x:email`))!);
    expect(message.complaint.text).toBe(localeTranslator().t('vi', 'agency.withheld_text'));
    expect(message.texts.title).toBe('Phản ánh đã quá hạn xử lý');
    expect(message.complaint.contact).toBeUndefined();
    expect(message.complaint.photos).toEqual([]);
    expect(message.complaint.code).toBe(code);
  });
});
