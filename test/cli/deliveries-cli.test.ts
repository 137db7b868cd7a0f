/** `npm run deliveries`: dead deliveries listed and re-sent on the test FerretDB; the worker then sends them once. */
import { runDeliveriesCli } from '../../src/cli/deliveries';
import { NoopTransport } from '../../src/forwarding/noop-transport';
import type { Database } from '../../src/storage/mongo/database';
import { deliveryOutbox } from '../../src/storage/mongo/mongo-outbox';
import { dropTestDatabase, openTestDatabase } from '../support/database';
import { createDeliveryWorker } from '../forwarding/support/delivery-worker';
import { AGENCY_ID, insertComplaint, outboxDirectory } from '../forwarding/support/outbox-fixtures';

let db: Database;

beforeAll(async () => {
  db = await openTestDatabase('deliveries_cli');
});

afterAll(async () => {
  await dropTestDatabase(db);
});

async function run(...args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await runDeliveriesCli(args, { store: deliveryOutbox(db), out: (l) => lines.push(l), defaultActor: 'tester' });
  return { code, out: lines.join('\n') };
}

it('lists dead deliveries without personal data, re-sends them once with who did it, and the worker delivers them', async () => {
  const code = await insertComplaint(db);
  const base = {
    complaintCode: code,
    agencyId: AGENCY_ID,
    transport: 'webhook' as const,
    event: 'complaint.forwarded',
    nextAttemptAt: new Date(),
  };
  await db.models.Delivery.create({
    ...base,
    idempotencyKey: `${code}:forwarded:0:webhook`,
    state: 'dead',
    attempts: 8,
    lastError: 'HTTP 410: gone',
  });
  await db.models.Delivery.create({ ...base, idempotencyKey: `${code}:reminder:x:webhook`, state: 'sent', attempts: 1 });

  const listed = await run('list');
  expect(listed.code).toBe(0);
  expect(listed.out).toContain(`${code}:forwarded:0:webhook  dead  ${AGENCY_ID}  webhook`);
  expect(listed.out).toContain('last error: HTTP 410: gone');
  expect(listed.out).not.toContain(`${code}:reminder:x:webhook`);
  expect(listed.out).not.toContain('0912345678');
  expect((await run('list', '--agency', 'someone-else')).out).toBe('no dead deliveries');
  expect(JSON.parse((await run('list', '--state', 'sent', '--json')).out)).toEqual([
    expect.objectContaining({ key: `${code}:reminder:x:webhook` }),
  ]);

  expect(await run('resend', `${code}:reminder:x:webhook`, 'PA-ZZZZZZ:nothing')).toEqual({
    code: 1,
    out: `${code}:reminder:x:webhook: not dead: left alone\nPA-ZZZZZZ:nothing: no such delivery`,
  });
  expect(await run('resend', '--all-dead', '--by', 'ops-anna')).toEqual({ code: 0, out: `${code}:forwarded:0:webhook: re-sent (due now)` });
  expect(await db.models.Delivery.findById(`${code}:forwarded:0:webhook`).lean()).toMatchObject({
    state: 'pending',
    attemptBase: 8,
    resends: [{ by: 'cli:ops-anna' }],
  });

  const webhook = new NoopTransport('webhook');
  const worker = createDeliveryWorker(db, {
    directory: { current: () => outboxDirectory('http://127.0.0.1:9/unused') },
    transports: { webhook },
  });
  expect(await worker.runOnce()).toMatchObject({ sent: 1 });
  expect(await worker.runOnce()).toMatchObject({ candidates: 0 });
  expect(webhook.sent.map((s) => s.message.idempotencyKey)).toEqual([`${code}:forwarded:0:webhook`]);
  expect(await db.models.Delivery.findById(`${code}:forwarded:0:webhook`).lean()).toMatchObject({ state: 'sent', attempts: 9 });
  expect((await run('bogus')).code).toBe(2);
  expect((await run('list', '--state', 'lost')).code).toBe(2);
});
