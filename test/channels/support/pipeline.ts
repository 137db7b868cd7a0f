/**
 * The real inbound pipeline for channel tests: its slots, duplicate records and ordering
 * on the test database, generous limits unless a test sets its own.
 */
import { UserRateLimiter } from '../../../src/channels/rate-limiter';
import { CitizenSequencer } from '../../../src/channels/pipeline/citizen-sequencer';
import { InboundPipeline, type MessageHandler, type PipelineLimits } from '../../../src/channels/pipeline/inbound-pipeline';
import { SharedWindowLimits } from '../../../src/channels/pipeline/shared-limits';
import { MongoSlotStore } from '../../../src/channels/pipeline/slot-store';
import type { ChannelName } from '../../../src/core/messages';
import type { Database } from '../../../src/storage/mongo/database';

function generousLimits(): PipelineLimits {
  return {
    citizenBurst: new UserRateLimiter({ burst: 1000, refillPerSecond: 100 }),
    addressBurst: new UserRateLimiter({ burst: 1000, refillPerSecond: 100 }),
    perMinute: { name: 'msg', limit: 1000, windowMs: 60_000 },
    perAddressMinute: { name: 'addr-msg', limit: 1000, windowMs: 60_000 },
    maxInFlight: 100,
    capacity: 1000,
  };
}

export function createTestPipeline(
  db: Database,
  engine: MessageHandler,
  options: {
    limits?: Partial<PipelineLimits>;
    owner?: string;
    releaseHeld?: Partial<Record<ChannelName, (channel: ChannelName, userId: string) => Promise<unknown>>>;
  } = {},
): InboundPipeline {
  const slots = new MongoSlotStore(db.connection);
  return new InboundPipeline({
    engine,
    shared: new SharedWindowLimits(slots),
    sequencer: new CitizenSequencer({ store: slots, owner: options.owner ?? 'test' }),
    limits: { ...generousLimits(), ...options.limits },
    ...(options.releaseHeld ? { releaseHeld: options.releaseHeld } : {}),
  });
}
