/** The complaint use cases' ports over one MongoDB database (src/complaints/use-cases/ports.ts). */
import type { ComplaintUseCaseDeps } from '../../complaints/use-cases/use-case-deps';
import type { Database } from './database';
import { MongoComplaintOutbox } from './mongo-complaint-outbox';
import { MongoComplaintRepository } from './mongo-complaint-repository';
import { MongoAttemptCounter, MongoDailyCounter } from './mongo-counters';
import { MongoPhotoStore } from './mongo-photo-store';

export type MongoComplaintPorts = Pick<
  ComplaintUseCaseDeps,
  'repository' | 'outbox' | 'dailyCounter' | 'attempts' | 'photos' | 'conversations'
>;

/** `owner` names this process in version claims. */
export function mongoComplaintPorts(db: Database, owner: string, clock: () => Date = () => new Date()): MongoComplaintPorts {
  return {
    repository: new MongoComplaintRepository(db, owner, clock),
    outbox: new MongoComplaintOutbox(db),
    dailyCounter: new MongoDailyCounter(db),
    attempts: new MongoAttemptCounter(db),
    photos: new MongoPhotoStore(db),
    // By _id: the conversation key.
    conversations: { delete: async (key) => void (await db.models.Conversation.deleteOne({ _id: key })) },
  };
}
