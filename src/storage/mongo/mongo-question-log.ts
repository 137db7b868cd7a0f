/**
 * The question log (`question_log`), group-committed: `record` only queues; the queue is
 * written by one `insertMany` when it holds `maxBatch` records or `flushMs` after its first
 * record, so a question costs the reply no round-trip and a busy minute costs a few
 * inserts. The records are analytics: a crash loses at most the last `flushMs` of them. A
 * failed write is logged (the error's name and how many records) and counted, and so are
 * records refused when the queue is full (the database unreachable for long) — nothing
 * is lost silently. Old records are pruned by the hourly job.
 */
import type { QuestionLog, QuestionRecord } from '../../core/question-record';
import type { Logger } from '../../infra/logger';
import { silentLogger } from '../../infra/logger';
import type { Database } from './database';

export interface QuestionLogOptions {
  readonly logger?: Logger;
  /** Told how many records could not be written (a metric counts them). */
  readonly onLost?: (records: number) => void;
  /** Longest a record waits in the queue; default 200 ms. */
  readonly flushMs?: number;
  /** Records per insert; default 200. */
  readonly maxBatch?: number;
  /** Records queued at most (beyond: refused, counted); default 20,000. */
  readonly maxQueued?: number;
}

export class MongoQuestionLog implements QuestionLog {
  private queue: QuestionRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** The writes under way, chained so that `flush` waits for all of them. */
  private writing: Promise<void> = Promise.resolve();
  private readonly logger: Logger;
  private readonly flushMs: number;
  private readonly maxBatch: number;
  private readonly maxQueued: number;
  /** Records refused since the queue filled up (logged once when the queue has room again, to not log per record). */
  private refused = 0;

  constructor(
    private readonly db: Pick<Database, 'models'>,
    private readonly options: QuestionLogOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger();
    this.flushMs = options.flushMs ?? 200;
    this.maxBatch = options.maxBatch ?? 200;
    this.maxQueued = options.maxQueued ?? 20_000;
  }

  record(entry: QuestionRecord): void {
    if (this.queue.length >= this.maxQueued) {
      this.refused++;
      this.options.onLost?.(1);
      return;
    }
    if (this.refused > 0) {
      this.logger.warn({ records: this.refused }, 'question log queue was full: records dropped');
      this.refused = 0;
    }
    this.queue.push(entry);
    if (this.queue.length >= this.maxBatch) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.flushMs).unref();
  }

  /** Writes what is queued; resolves when every write started so far has ended (never rejects). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.writing = this.writing.then(() => this.write(batch));
    }
    return this.writing;
  }

  private async write(batch: readonly QuestionRecord[]): Promise<void> {
    try {
      // The raw driver: records are built by question-record.ts already, no per-document validation needed.
      await this.db.models.QuestionLog.collection.insertMany(
        batch.map((r) => ({ ...r })),
        { ordered: false },
      );
    } catch (err) {
      const inserted = (err as { insertedCount?: unknown }).insertedCount;
      const lost = batch.length - (typeof inserted === 'number' ? inserted : 0);
      this.logger.warn({ records: lost, err: (err as Error).name }, 'question log write failed: records lost');
      this.options.onLost?.(lost);
    }
  }
}

/** Deletes question records older than `before` (retention: QUESTION_LOG_RETENTION_DAYS). Returns how many went. */
export async function pruneQuestionLog(db: Pick<Database, 'models'>, before: Date): Promise<number> {
  // Index {at, intent} on MongoDB; a scan on FerretDB (hourly).
  return (await db.models.QuestionLog.deleteMany({ at: { $lt: before } })).deletedCount;
}
