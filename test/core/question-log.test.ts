/**
 * The question log in the engine's path: each question the matcher answers (or cannot)
 * becomes one privacy-safe record — intent, channel, language, ISO week; the text only
 * for a fallback, normalised and with digits masked; never a user, session or message id.
 */
import { Writable } from 'node:stream';
import { ConversationEngine } from '../../src/core/conversation-engine';
import { questionRecord, vietnamIsoWeek } from '../../src/core/question-record';
import { createLogger } from '../../src/infra/logger';
import type { Database } from '../../src/storage/mongo/database';
import { MongoConversationStore } from '../../src/storage/mongo/mongo-conversation-store';
import { MongoQuestionLog, pruneQuestionLog } from '../../src/storage/mongo/mongo-question-log';
import { fixed, loadTestContent, message, SETUP_TIMEOUT_MS } from '../complaints/complaint-test-kit';
import { dropTestDatabase, openTestDatabase } from '../support/database';

let db: Database;
let engine: ConversationEngine;
let log: MongoQuestionLog;
const at = new Date('2026-11-10T03:00:00Z');

beforeAll(async () => {
  db = await openTestDatabase('question_log');
  engine = new ConversationEngine({
    content: fixed(await loadTestContent()),
    store: new MongoConversationStore(db),
    questionLog: (log = new MongoQuestionLog(db)),
    clock: () => at,
  });
}, SETUP_TIMEOUT_MS);
afterAll(async () => {
  if (db) await dropTestDatabase(db);
});

it('records answered questions without text and fallbacks with masked, normalised text, and no ids', async () => {
  const answered = await engine.handle(message('tg-user-777001', 'làm giấy khai sinh cho con cần giấy tờ gì', {}, 'telegram'));
  const missed = await engine.handle(message('web-session-abcdef', 'Giá vé máy bay Hà Nội, gọi em số 0905 123 456 nhé!!', {}, 'web'));
  expect(answered.intent).toBe('procedure:dang-ky-khai-sinh');
  expect(missed.intent).toBe('fallback');
  await log.flush(); // group-committed: written by one insert, off the replies' path
  const records = await db.models.QuestionLog.find().sort({ channel: 1 }).lean();
  expect(records.map(({ _id, ...r }) => (void _id, r))).toEqual([
    { at, week: '2026-W46', channel: 'telegram', locale: 'vi', intent: 'procedure:dang-ky-khai-sinh', fallback: false },
    {
      at,
      week: '2026-W46',
      channel: 'web',
      locale: 'vi',
      intent: 'fallback',
      fallback: true,
      text: 'giá vé máy bay hà nội gọi em số # # # nhé',
      textKey: 'gia ve may bay ha noi goi em so # # # nhe',
    },
  ]);
  // The records' own ObjectIds are random hex and may contain '123' by chance: only what the
  // citizen's message could have put there is searched.
  const stored = JSON.stringify(records.map(({ _id, ...r }) => (void _id, r)));
  for (const id of ['tg-user-777001', 'web-session-abcdef', '0905', '123']) expect(stored).not.toContain(id);
});

it('prunes records older than the retention', async () => {
  await db.models.QuestionLog.create({
    ...questionRecord({
      at: new Date('2025-01-01T00:00:00Z'),
      channel: 'web',
      locale: 'vi',
      intent: 'greeting',
      fallback: false,
      text: '',
    }),
  });
  const before = await db.models.QuestionLog.countDocuments();
  expect(await pruneQuestionLog(db, new Date('2026-01-01T00:00:00Z'))).toBe(1);
  expect(await db.models.QuestionLog.countDocuments()).toBe(before - 1);
});

it('counts ISO weeks in Vietnam time (a Sunday evening in UTC is already Monday in Vietnam)', () => {
  expect(vietnamIsoWeek(new Date('2026-11-08T16:59:00Z'))).toBe('2026-W45');
  expect(vietnamIsoWeek(new Date('2026-11-08T17:00:00Z'))).toBe('2026-W46');
  expect(vietnamIsoWeek(new Date('2026-12-31T10:00:00Z'))).toBe('2026-W53');
  expect(vietnamIsoWeek(new Date('2027-01-04T10:00:00Z'))).toBe('2027-W01');
});

describe('group commit', () => {
  it('writes queued records with one insert, off the reply path', async () => {
    const batched = new MongoQuestionLog(db, { flushMs: 60_000 });
    const e = new ConversationEngine({
      content: fixed(await loadTestContent()),
      store: new MongoConversationStore(db),
      questionLog: batched,
      clock: () => at,
    });
    const before = await db.models.QuestionLog.countDocuments();
    const replies = await db.commands.record(async () => {
      for (const [i, text] of ['xin chào', 'làm giấy khai sinh cần gì', 'giá vé máy bay'].entries())
        await e.handle(message(`batch-${i}`, text));
    });
    expect(replies.commands.filter((c) => c.collection === 'question_log')).toEqual([]);
    const flushed = await db.commands.record(() => batched.flush());
    expect(flushed.commands.map((c) => `${c.name} ${c.collection}`)).toEqual(['insert question_log']);
    expect(await db.models.QuestionLog.countDocuments()).toBe(before + 3);
  });

  it('logs and counts the records a failed insert lost', async () => {
    const closed = await openTestDatabase('question_log_closed');
    await closed.close();
    const lines: string[] = [];
    const lost: number[] = [];
    const failing = new MongoQuestionLog(closed, {
      logger: createLogger({ level: 'warn', destination: new Writable({ write: (c, _e, done) => (lines.push(String(c)), done()) }) }),
      onLost: (n) => lost.push(n),
    });
    const entry = questionRecord({ at, channel: 'web', locale: 'vi', intent: 'greeting', fallback: false, text: '' });
    failing.record(entry);
    failing.record(entry);
    await failing.flush();
    expect(lost).toEqual([2]);
    expect(lines.join('')).toContain('question log write failed: records lost');
  });

  it('counts records refused when the queue is full, and says so once it has room', async () => {
    const lines: string[] = [];
    const lost: number[] = [];
    const full = new MongoQuestionLog(db, {
      flushMs: 60_000,
      maxQueued: 2,
      logger: createLogger({ level: 'warn', destination: new Writable({ write: (c, _e, done) => (lines.push(String(c)), done()) }) }),
      onLost: (n) => lost.push(n),
    });
    const entry = questionRecord({ at, channel: 'web', locale: 'vi', intent: 'greeting', fallback: false, text: '' });
    for (let i = 0; i < 5; i++) full.record(entry);
    expect(lost).toEqual([1, 1, 1]);
    await full.flush();
    full.record(entry);
    await full.flush();
    expect(lines.join('')).toContain('question log queue was full: records dropped');
  });
});
