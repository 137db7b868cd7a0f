/**
 * Conversation state between turns: versioned writes (compare-and-set) in MongoDB, the
 * engine's copy of the states it wrote (trusted only when the message's place in the
 * citizen's line proves no turn came in between), and what happens when another writer
 * changed the state anyway.
 */
import { Writable } from 'node:stream';
import { ConversationEngine, type EngineObserver } from '../../src/core/conversation-engine';
import { ConversationCache } from '../../src/core/conversation-cache';
import type { ConversationState } from '../../src/core/conversation-store';
import { conversationKey } from '../../src/core/messages';
import { createLogger } from '../../src/infra/logger';
import type { Database } from '../../src/storage/mongo/database';
import { MongoConversationStore } from '../../src/storage/mongo/mongo-conversation-store';
import { fixed, loadTestContent, message, SETUP_TIMEOUT_MS } from '../complaints/complaint-test-kit';
import { dropTestDatabase, openTestDatabase } from '../support/database';

let db: Database;
let store: MongoConversationStore;
const VI: ConversationState = { locale: 'vi' };
const EN: ConversationState = { locale: 'en' };

beforeAll(async () => {
  db = await openTestDatabase('conversation_state');
  store = new MongoConversationStore(db);
}, SETUP_TIMEOUT_MS);
afterAll(async () => {
  if (db) await dropTestDatabase(db);
});

describe('MongoConversationStore: versioned writes', () => {
  it('creates at version 1 once, and reports a write that did not follow the stored version', async () => {
    expect(await store.save('telegram:v1', VI, 0)).toBe(1);
    expect(await store.save('telegram:v1', EN, 0)).toBeUndefined(); // created meanwhile by another writer: nothing written
    expect(await store.load('telegram:v1')).toEqual({ state: VI, version: 1 });
    expect(await store.save('telegram:v1', EN, 1)).toBe(2);
    // Following version 1 when 2 is stored: a conflict. The write is by _id alone (FerretDB), so it went over version 2.
    expect(await store.save('telegram:v1', VI, 1)).toBeUndefined();
    expect(await store.load('telegram:v1')).toEqual({ state: VI, version: 3 });
  });

  it('moves updatedAt with every write (the retention job deletes by it)', async () => {
    const updatedAt = async () => (await db.models.Conversation.findById('telegram:v3').lean())?.updatedAt?.getTime() ?? 0;
    await store.save('telegram:v3', VI, 0);
    const created = await updatedAt();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await store.save('telegram:v3', EN, 1);
    expect(await updatedAt()).toBeGreaterThan(created);
  });

  it('does not bring back a conversation deleted since it was read (an erasure)', async () => {
    await store.save('telegram:v2', VI, 0);
    await store.delete('telegram:v2');
    expect(await store.save('telegram:v2', EN, 1)).toBeUndefined();
    expect(await store.load('telegram:v2')).toBeUndefined();
  });

  it('reads a document written before versions as version 0 and takes it over once', async () => {
    await db.models.Conversation.collection.insertOne({ _id: 'telegram:old' as never, locale: 'en' });
    expect(await store.load('telegram:old')).toEqual({ state: EN, version: 0 });
    expect(await store.save('telegram:old', VI, 0)).toBe(1);
    expect(await store.save('telegram:old', EN, 0)).toBeUndefined();
    expect(await store.load('telegram:old')).toEqual({ state: VI, version: 1 });
  });
});

describe('ConversationCache: a kept state is trusted only with proof', () => {
  it('skips the read when the message comes right after the turn that wrote the state here', async () => {
    const cache = new ConversationCache(store);
    const key = 'telegram:c1';
    expect(await cache.write(key, VI, 0, { id: 't#1' })).toBe(true);
    const commands = await db.commands.record(() => cache.read(key, { id: 't#2', after: 't#1' }));
    expect(commands.result).toEqual({ state: VI, version: 1, fromCache: true });
    expect(commands.commands).toEqual([]);
  });

  it('reads when another turn came in between, or without a place in line', async () => {
    const cache = new ConversationCache(store);
    const key = 'telegram:c2';
    await cache.write(key, VI, 0, { id: 't#1' });
    // Turn t#2 ran at another process and wrote version 2.
    await store.save(key, EN, 1);
    expect(await cache.read(key, { id: 't#3', after: 't#2' })).toEqual({ state: EN, version: 2, fromCache: false });
    expect(await cache.read(key)).toEqual({ state: EN, version: 2, fromCache: false });
  });

  it('reads again a state kept longer than its age limit', async () => {
    let now = 0;
    const cache = new ConversationCache(store, { maxAgeMs: 1000, clock: () => now });
    await cache.write('telegram:c3', VI, 0, { id: 't#1' });
    now = 1001;
    expect((await cache.read('telegram:c3', { id: 't#2', after: 't#1' })).fromCache).toBe(false);
  });

  it('refuses a write over a changed state and forgets its copy', async () => {
    const cache = new ConversationCache(store);
    const key = 'telegram:c4';
    await cache.write(key, VI, 0, { id: 't#1' });
    await store.delete(key); // an erasure outside the line (the CLI)
    const held = await cache.read(key, { id: 't#2', after: 't#1' });
    expect(held.fromCache).toBe(true); // nothing in the line says so…
    expect(await cache.write(key, EN, held.version, { id: 't#2' })).toBe(false); // …but the write does
    expect(await store.load(key)).toBeUndefined();
    expect((await cache.read(key, { id: 't#3', after: 't#2' })).fromCache).toBe(false);
  });
});

describe('the engine between turns', () => {
  it('reads the state once per citizen when the turns come in line, and still answers in context', async () => {
    const engine = new ConversationEngine({ content: fixed(await loadTestContent()), store });
    const userId = 'line-1';
    const turns = ['/en', 'hello'].map((text, i) => ({
      ...message(userId, text),
      turn: { id: `${userId}#${i + 1}`, ...(i > 0 ? { after: `${userId}#${i}` } : {}) },
    }));
    const first = await db.commands.record(() => engine.handle(turns[0]));
    const second = await db.commands.record(() => engine.handle(turns[1]));
    expect(first.commands.filter((c) => c.name === 'find')).toHaveLength(1);
    expect(second.commands.filter((c) => c.name === 'find')).toHaveLength(0);
    expect(second.result.locale).toBe('en'); // the language chosen in the turn before
    expect(await store.load(conversationKey('telegram', userId))).toMatchObject({ version: 2, state: { locale: 'en' } });
  });

  it('logs and counts a turn whose state another writer changed, and does not overwrite it', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'warn',
      destination: new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }),
    });
    const conflicts: string[] = [];
    const observer: EngineObserver = { messageHandled: () => undefined, stateConflict: (channel) => conflicts.push(channel) };
    const engine = new ConversationEngine({ content: fixed(await loadTestContent()), store, logger, observer });
    const userId = 'erased-1';
    const key = conversationKey('telegram', userId);
    await engine.handle({ ...message(userId, '/en'), turn: { id: 'e#1' } });
    await store.delete(key); // erased from the CLI between two turns
    const reply = await engine.handle({ ...message(userId, 'hello'), turn: { id: 'e#2', after: 'e#1' } });
    expect(reply.messages.length).toBeGreaterThan(0); // the citizen is still answered
    expect(await store.load(key)).toBeUndefined(); // the erasure stands
    expect(conflicts).toEqual(['telegram']);
    expect(lines.join('')).toContain('conversation changed by another writer during the turn');
    expect(lines.join('')).not.toContain(userId);
  });
});
