/**
 * /metrics costs no database work: counters are kept as things happen and the state
 * gauges are set by a snapshot job, so 10 parallel scrapes send no command at all (the
 * driver's command monitor sees every one). And the counters move: a rejected request,
 * a submitted complaint and its status change show up in the next scrape.
 */
import type { App } from '../../src/app';
import { startTestService, type TestService } from '../support/test-service';

const TOKEN = 'metrics-test-token';
let service: TestService;
let app: App;

beforeAll(async () => {
  // The outbox workers poll rarely, so the only commands during the scrapes would be the scrapes' own.
  service = await startTestService('metrics', { METRICS_TOKEN: TOKEN, OUTBOX_POLL_MS: '600000' });
  app = service.app;
}, 180_000);

afterAll(() => service?.close());

async function scrape(): Promise<string> {
  const res = await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  return res.text();
}

async function settled(): Promise<void> {
  // The jobs' first rounds run right after start; wait until the snapshot is there and the database is quiet.
  for (let i = 0; i < 100 && !/bot_state_snapshot_timestamp_seconds [1-9]/.test(await scrape()); i++) await sleep(100);
  let before = -1;
  while (before !== app.db.commands.total) {
    before = app.db.commands.total;
    await sleep(300);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('/metrics', () => {
  it('answers 10 parallel scrapes without a database command', async () => {
    await settled();
    const { result: bodies, commands } = await app.db.commands.record(() => Promise.all(Array.from({ length: 10 }, scrape)));
    expect(commands).toEqual([]);
    for (const body of bodies) expect(body).toMatch(/bot_state_snapshot_timestamp_seconds [1-9]/);
  });

  it('counts a rejected request, a submitted complaint and its status change as they happen', async () => {
    const malformed = await fetch(`${app.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(malformed.status).toBe(400);
    const wrongToken = await fetch(`${app.url}/metrics`, { headers: { authorization: 'Bearer nope' } });
    expect(wrongToken.status).toBe(401);
    await app.complaints.submit({
      channel: 'telegram',
      userId: 'metrics-citizen',
      locale: 'vi',
      text: 'Đường liên thôn bị sạt lở, xe máy không đi qua được',
      sector: 'transport',
      photoRefs: [],
    });
    const body = await scrape();
    expect(body).toContain('bot_rejected_requests_total{endpoint="web_chat",reason="malformed"} 1');
    expect(body).toContain('bot_rejected_requests_total{endpoint="metrics",reason="bad_token"} 1');
    expect(body).toContain('bot_complaints_submitted_total{channel="telegram",sector="transport"} 1');
    expect(body).toContain('bot_complaint_status_changes_total{from="none",to="received"} 1');
  });
});
