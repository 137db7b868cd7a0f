/**
 * Two processes serve one database and a webhook update reaches both. The process that
 * loses the duplicate record may still win a ticket (it guessed a later free number): that
 * ticket is a hole in the citizen's line. The hole must be let go in its turn — after the
 * ticket before it — or the next message skips a turn that is still running elsewhere and
 * is answered out of order (seen in the two-process end-to-end test as a reply in the
 * language of the message before).
 */
import { CitizenSequencer } from '../../../src/channels/pipeline/citizen-sequencer';
import { MongoSlotStore, type SlotDoc, type SlotStore } from '../../../src/channels/pipeline/slot-store';
import type { Database } from '../../../src/storage/mongo/database';
import { dropTestDatabase, openTestDatabase } from '../../support/database';

let db: Database;

beforeAll(async () => {
  db = await openTestDatabase('sequencer_hole');
}, 60_000);

afterAll(async () => {
  await dropTestDatabase(db);
});

/** A gate a test opens by hand. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

/** The real store; its plain inserts (the "next free number" probe) can be held back once. */
class HeldInserts implements SlotStore {
  private hold?: Promise<void>;
  constructor(private readonly real: SlotStore) {}
  holdNextInsert(until: Promise<void>): void {
    this.hold = until;
  }
  async insert(doc: SlotDoc): Promise<boolean> {
    const hold = this.hold;
    this.hold = undefined;
    if (hold) await hold;
    return this.real.insert(doc);
  }
  insertsSettled() {
    return this.real.insertsSettled();
  }
  insertPair(first: SlotDoc, second: SlotDoc) {
    return this.real.insertPair(first, second);
  }
  markDone(id: string) {
    return this.real.markDone(id);
  }
  pending(before: Date, limit: number) {
    return this.real.pending(before, limit);
  }
  find(id: string) {
    return this.real.find(id);
  }
  setHint(id: string, last: number, expiresAt: Date) {
    return this.real.setHint(id, last, expiresAt);
  }
  remove(id: string, expiresAt: Date) {
    return this.real.remove(id, expiresAt);
  }
  sweep(now: Date) {
    return this.real.sweep(now);
  }
}

test('a redelivery’s ticket at the other process does not let the next message overtake one still running', async () => {
  const real = new MongoSlotStore(db.connection);
  const pStore = new HeldInserts(real);
  const p = new CitizenSequencer({ store: pStore, owner: 'P' });
  const q = new CitizenSequencer({ store: real, owner: 'Q' });
  const citizen = 'telegram:880002';
  const started: string[] = [];
  const step = (name: string, until?: Promise<void>) => async () => {
    started.push(name);
    if (until) await until;
    return name;
  };

  // U1 at P (ticket 1), held running.
  const first = gate();
  const u1 = p.reserve(citizen).run(step('U1', first.wait), { dedupeId: 'in:telegram:1' });
  expect(await u1.ticketTaken).toBe(true);
  // U2 at Q: Q knows nothing of ticket 1, probes, takes ticket 2 and waits for ticket 1.
  const second = gate();
  const u2 = q.reserve(citizen).run(step('U2', second.wait), { dedupeId: 'in:telegram:2' });
  expect(await u2.ticketTaken).toBe(true);
  first.open();
  await u1.done;
  while (!started.includes('U2')) await new Promise((r) => setTimeout(r, 10));

  // U3 reaches both. P records it with ticket 2 (taken: P probes on, held back here);
  // meanwhile Q's copy finds the record taken but wins ticket 3 — the hole.
  const probe = gate();
  pStore.holdNextInsert(probe.wait);
  const u3 = p.reserve(citizen).run(step('U3'), { dedupeId: 'in:telegram:3' });
  await new Promise((r) => setTimeout(r, 200)); // P's pair insert is done; its probe waits
  const u3Again = q.reserve(citizen).run(step('U3 again'), { dedupeId: 'in:telegram:3' });
  expect(await u3Again.ticketTaken).toBe(false);
  probe.open();
  expect(await u3.ticketTaken).toBe(true);

  // U2 is still running at Q: U3 must not start before it ends.
  await new Promise((r) => setTimeout(r, 500));
  expect(started).toEqual(['U1', 'U2']);
  second.open();
  expect(await u3.done).toBe('U3');
  expect(started).toEqual(['U1', 'U2', 'U3']);
}, 60_000);
