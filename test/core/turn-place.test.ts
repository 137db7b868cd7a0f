/**
 * The inbound pipeline's line gives each turn its place (its ticket and the ticket before
 * it), and the engine, told that place, reads a citizen's state only when a turn it did not
 * write came in between — here, a turn taken by a second process on the same database.
 */
import { CitizenSequencer } from '../../src/channels/pipeline/citizen-sequencer';
import { MongoSlotStore } from '../../src/channels/pipeline/slot-store';
import type { BotContent } from '../../src/core/bot-content';
import { ConversationEngine } from '../../src/core/conversation-engine';
import type { TurnPlace } from '../../src/core/messages';
import type { Database } from '../../src/storage/mongo/database';
import { MongoConversationStore } from '../../src/storage/mongo/mongo-conversation-store';
import { fixed, loadTestContent, message, SETUP_TIMEOUT_MS } from '../complaints/complaint-test-kit';
import { dropTestDatabase, openTestDatabase } from '../support/database';

let db: Database;
let content: ReturnType<typeof fixed<BotContent>>;

beforeAll(async () => {
  db = await openTestDatabase('turn_place');
  content = fixed(await loadTestContent());
}, SETUP_TIMEOUT_MS);
afterAll(async () => {
  if (db) await dropTestDatabase(db);
});

it('chains the places of one citizen’s turns across two processes, and the engine reads only after the other process’s turn', async () => {
  const store = new MongoConversationStore(db);
  const processes = ['P', 'Q'].map((owner) => ({
    line: new CitizenSequencer({ store: new MongoSlotStore(db.connection), owner }),
    engine: new ConversationEngine({ content, store }),
  }));
  const citizen = 'telegram:turn-place-1';
  const places: TurnPlace[] = [];
  const reads: number[] = [];
  // P, P, Q, P: the last turn follows Q's, so P must read the state Q wrote.
  for (const [k, i] of [0, 0, 1, 0].entries()) {
    const { line, engine } = processes[i];
    await line.run(citizen, async (turn) => {
      places.push(turn);
      const handled = await db.commands.record(() => engine.handle({ ...message('turn-place-1', k === 2 ? '/en' : '/help'), turn }));
      reads.push(handled.commands.filter((c) => c.name === 'find' && c.collection === 'conversations').length);
      if (k === 3) expect(handled.result.locale).toBe('en'); // the language Q's turn switched to
    });
  }
  expect(places[0].after).toBeUndefined();
  for (let k = 1; k < places.length; k++) expect(places[k].after).toBe(places[k - 1].id);
  expect(reads).toEqual([1, 0, 1, 1]);
});

it('reads a citizen’s state again after an erasure that took a place in the line (the citizen-data CLI does)', async () => {
  const store = new MongoConversationStore(db);
  const service = new CitizenSequencer({ store: new MongoSlotStore(db.connection), owner: 'service' });
  const cli = new CitizenSequencer({ store: new MongoSlotStore(db.connection), owner: 'cli' });
  const engine = new ConversationEngine({ content, store });
  const citizen = 'telegram:turn-place-2';
  await service.run(citizen, (turn) => engine.handle({ ...message('turn-place-2', '/en'), turn }));
  await cli.run(citizen, () => store.delete(citizen));
  const next = await service.run(citizen, (turn) => db.commands.record(() => engine.handle({ ...message('turn-place-2', '/help'), turn })));
  expect(next.commands.filter((c) => c.name === 'find' && c.collection === 'conversations')).toHaveLength(1);
  expect(next.result.locale).toBe('vi'); // the English chosen before the erasure is gone
});
