/** The question log (`question_log`): one insert per question; old records are pruned by the hourly job. */
import type { QuestionLog, QuestionRecord } from '../../core/question-record';
import type { Database } from './database';

export class MongoQuestionLog implements QuestionLog {
  constructor(private readonly db: Pick<Database, 'models'>) {}

  async record(entry: QuestionRecord): Promise<void> {
    await this.db.models.QuestionLog.create(entry);
  }
}

/** Deletes question records older than `before` (retention: QUESTION_LOG_RETENTION_DAYS). Returns how many went. */
export async function pruneQuestionLog(db: Pick<Database, 'models'>, before: Date): Promise<number> {
  // Index {at, intent} on MongoDB; a scan on FerretDB (hourly).
  return (await db.models.QuestionLog.deleteMany({ at: { $lt: before } })).deletedCount;
}
