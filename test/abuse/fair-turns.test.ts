/**
 * One address's burst must not queue ahead of another citizen's turn (issue 10): the 30
 * messages a web address may send at once are all admitted, but the turns waiting are
 * served round robin by requester, so a second citizen's question runs after at most one
 * of the flood's, not after all of them. The real pipeline on the test database.
 */
import type { InboundPipeline, InboundTask } from '../../src/channels/pipeline/inbound-pipeline';
import type { IncomingMessage, Reply } from '../../src/core/messages';
import type { Database } from '../../src/storage/mongo/database';
import { createTestPipeline } from '../channels/support/pipeline';
import { dropTestDatabase, openTestDatabase } from '../support/database';

let db: Database;

beforeAll(async () => {
  db = await openTestDatabase('fair_turns');
});

afterAll(async () => {
  await dropTestDatabase(db);
});

function webTask(requesterKey: string, userId: string, text: string): InboundTask<Reply> {
  return { message: { channel: 'web', userId, requesterKey, text }, run: (message, converse) => converse(message) };
}

it('serves waiting turns round robin by requester: a burst from one address does not delay another citizen behind all of it', async () => {
  const order: string[] = [];
  // The first turn holds the one place until the second citizen's message waits for a turn too.
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const engine = {
    handle: async (message: IncomingMessage): Promise<Reply> => {
      order.push(message.text);
      await gate;
      return { messages: [], intent: 'test', locale: 'vi' };
    },
  };
  const pipeline: InboundPipeline = createTestPipeline(db, engine, { limits: { maxTurns: 1 } });
  const flood = Array.from({ length: 12 }, (_, i) => pipeline.submit(webTask('ip:flooder', `flood-session-${i}`, `flood ${i}`)));
  await Promise.all(flood.map((s) => s.admitted));
  const second = pipeline.submit(webTask('ip:citizen', 'second-citizen', 'second'));
  expect((await second.admitted).kind).toBe('accepted');
  // Admitted, its turn is asked for at once (its shared window was decided with the admission).
  await new Promise((r) => setTimeout(r, 50));
  open();
  await pipeline.idle();
  // In arrival order it would be 13th; round robin: the flood's turn under way, the flood's next, then the second citizen.
  expect(order).toHaveLength(13);
  expect(order.indexOf('second')).toBe(2);
  expect(new Set(order.filter((t) => t !== 'second'))).toEqual(new Set(flood.map((_, i) => `flood ${i}`)));
});
