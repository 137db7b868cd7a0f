/**
 * The pipeline's duplicate check: `processed_messages` (`_id` = `<channel>:<message id>`),
 * a unique insert — true the first time any process sees the id, false for a redelivery.
 * Kept `retentionMs` (7 days, well beyond Telegram's 24 h and Zalo's hours of retries);
 * expired records are deleted by a sweep (FerretDB v1 has no TTL index). The raw driver,
 * because this insert is on every webhook's path to its 200.
 */
import { isDuplicateKeyError } from '../../storage/mongo/claims';
import type { Models } from '../../storage/mongo/models';
import type { FirstSeen } from './inbound-pipeline';

export function mongoFirstSeen(
  models: Pick<Models, 'ProcessedMessage'>,
  retentionMs = 7 * 24 * 3_600_000,
  clock: () => number = Date.now,
): FirstSeen {
  const collection = models.ProcessedMessage.collection;
  return async (id) => {
    try {
      await collection.insertOne({ _id: id as never, expiresAt: new Date(clock() + retentionMs) });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  };
}
