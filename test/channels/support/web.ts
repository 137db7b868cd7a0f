/**
 * The web chat's dependencies for tests: the real pipeline, shared limits and challenge on
 * the test database, generous limits unless a test sets its own.
 */
import { SharedWindowLimits } from '../../../src/channels/pipeline/shared-limits';
import { MongoSlotStore } from '../../../src/channels/pipeline/slot-store';
import type { MessageHandler, PipelineLimits } from '../../../src/channels/pipeline/inbound-pipeline';
import { WebChallenge } from '../../../src/channels/web/web-challenge';
import type { TakeHeld, WebChatDeps, WebLimits } from '../../../src/channels/web/web-chat-routes';
import type { BotContent } from '../../../src/core/bot-content';
import { keyedHash } from '../../../src/infra/pseudonyms';
import type { Database } from '../../../src/storage/mongo/database';
import { createTestPipeline } from './pipeline';

export const TEST_PSEUDONYM_KEY = Buffer.alloc(32, 9);

export function webChatTestDeps(options: {
  db: Database;
  engine: MessageHandler;
  content: BotContent;
  takeHeld: TakeHeld;
  botName: string;
  pipelineLimits?: Partial<PipelineLimits>;
  webLimits?: Partial<WebLimits>;
  /** Smaller is faster to solve in tests. */
  challengeMaxNumber?: number;
}): WebChatDeps {
  return {
    inbound: createTestPipeline(options.db, options.engine, { limits: options.pipelineLimits }),
    takeHeld: options.takeHeld,
    content: { current: () => options.content },
    shared: new SharedWindowLimits(new MongoSlotStore(options.db.connection)),
    limits: { perAddressPerDay: 10_000, challengeAfter: 10_000, updatesPerMinute: 1000, ...options.webLimits },
    challenge: new WebChallenge({ secret: TEST_PSEUDONYM_KEY, maxNumber: options.challengeMaxNumber ?? 1000 }),
    pseudonymize: keyedHash(TEST_PSEUDONYM_KEY),
    botName: options.botName,
  };
}
