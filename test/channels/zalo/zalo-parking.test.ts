/**
 * Zalo is never refused a signed event for lack of room (issue 10): when the inbound
 * pipeline is full, the event is stored in the overflow lot and answered 200, then handled
 * once, in each citizen's order, when the pipeline has room again.
 */
import { startZaloHarness, zaloUserId, type ZaloHarness } from './zalo-channel-harness';

let h: ZaloHarness;
/** Turns wait here until the test opens the gate. */
let gate: Promise<void>;
let open!: () => void;

beforeEach(async () => {
  gate = new Promise<void>((resolve) => (open = resolve));
  // Room for two messages in flight in all: the third waits in the lot.
  h = await startZaloHarness({ limits: { capacity: 2 }, beforeHandle: () => gate });
});

afterEach(async () => {
  open();
  await h.close();
});

function parkedCount(): Promise<number> {
  return h.db.connection.collection('zalo_parked').countDocuments({});
}

it('answers 200 to every signed event while the pipeline is full, then handles each once in its citizen’s order', async () => {
  const [a, b] = [zaloUserId(701), zaloUserId(702)];
  for (const user of [a, b]) h.fake.setLastInteraction(user, new Date());
  const sent: { user: string; text: string; msgId: string }[] = [];
  const statuses: number[] = [];
  for (let i = 1; i <= 4; i++) {
    for (const user of [a, b]) {
      const text = `câu hỏi ${i} của ${user === a ? 'A' : 'B'}`;
      const result = await h.fake.userSendsText(user, text);
      statuses.push(result.status);
      sent.push({ user, text, msgId: String((result.event.message as { msg_id: string }).msg_id) });
    }
  }
  expect(statuses).toEqual(Array(8).fill(200));
  // Two are in the pipeline (held at the gate); the other six wait, stored.
  expect(h.parking.size).toBe(6);
  expect(await parkedCount()).toBe(6);
  expect(h.handled).toHaveLength(0);

  // Zalo redelivers one that waits, and one already in the pipeline: both acknowledged, neither twice.
  const again = await h.fake.userSendsText(a, sent[2].text, { msgId: sent[2].msgId });
  const first = await h.fake.userSendsText(a, sent[0].text, { msgId: sent[0].msgId });
  expect([again.status, first.status]).toEqual([200, 200]);
  expect(JSON.parse(again.body)).toMatchObject({ duplicate: true });

  open();
  await h.queue.onIdle();
  const textsOf = (user: string): string[] => h.handled.filter((m) => m.userId === user).map((m) => m.text);
  expect(textsOf(a)).toEqual(sent.filter((s) => s.user === a).map((s) => s.text));
  expect(textsOf(b)).toEqual(sent.filter((s) => s.user === b).map((s) => s.text));
  expect(await parkedCount()).toBe(0);

  // A redelivery after the fact is still a duplicate.
  const late = await h.fake.userSendsText(b, sent[7].text, { msgId: sent[7].msgId });
  expect(late.status).toBe(200);
  await h.queue.onIdle();
  expect(h.handled).toHaveLength(8);
});

it('keeps a citizen’s next event behind the ones waiting, even when the pipeline has room again', async () => {
  const user = zaloUserId(703);
  h.fake.setLastInteraction(user, new Date());
  for (const text of ['một', 'hai', 'ba']) expect((await h.fake.userSendsText(user, text)).status).toBe(200);
  expect(h.parking.size).toBe(1);
  // Room comes back (the gate opens) as a fourth event arrives: it must not overtake "ba".
  open();
  expect((await h.fake.userSendsText(user, 'bốn')).status).toBe(200);
  await h.queue.onIdle();
  expect(h.handled.map((m) => m.text)).toEqual(['một', 'hai', 'ba', 'bốn']);
});
