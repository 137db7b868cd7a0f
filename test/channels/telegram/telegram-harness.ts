/**
 * Test wiring for the Telegram channel: the repository's real content (intents, locales),
 * a real ConversationEngine, the real MongoComplaintService on FerretDB, the sample
 * directory, and the FakeTelegramServer standing in for api.telegram.org.
 */
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { TelegramChannel, type TelegramChannelConfig } from '../../../src/channels/telegram/telegram-adapter';
import type { InboundPipeline, PipelineLimits } from '../../../src/channels/pipeline/inbound-pipeline';
import { keyedHash } from '../../../src/infra/pseudonyms';
import { createTestPipeline } from '../support/pipeline';
import { MongoTelegramStore, mongoPhotoLoader } from '../../../src/channels/telegram/telegram-store';
import type { PhotoFetcher } from '../../../src/complaints/complaint-photos';
import type { ComplaintUseCases } from '../../../src/complaints/use-cases/complaint-use-cases';
import { createComplaintService as complaintUseCases } from '../../support/complaint-service';
import type { Directory } from '../../../src/complaints/directory/directory';
import { loadHolidays } from '../../../src/complaints/holiday-calendar';
import { loadBotContent } from '../../../src/content/content-loader';
import type { BotContent } from '../../../src/core/bot-content';
import { ConversationEngine } from '../../../src/core/conversation-engine';
import { InMemoryConversationStore } from '../../../src/core/conversation-store';
import type { ChannelName, IncomingMessage } from '../../../src/core/messages';
import type { Database } from '../../../src/storage/mongo/database';
import type { FakeTelegramServer } from '../../fakes/telegram-bot-api';

const ROOT = join(__dirname, '..', '..', '..');

/** Training the matcher takes seconds alone and much longer on a busy machine running test files in parallel. */
export const SETUP_TIMEOUT_MS = 120_000;

export async function loadTestContent(): Promise<BotContent> {
  const result = await loadBotContent({
    intentsDir: join(ROOT, 'intents'),
    localesDir: join(ROOT, 'locales'),
    abbreviationsFile: join(ROOT, 'config', 'abbreviations.yaml'),
    root: ROOT,
  });
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.file}:${e.line}: ${e.message}`).join('\n'));
  return result.value;
}

export async function createComplaintService(
  db: Database,
  directory: Directory,
  photoFetchers: Partial<Record<ChannelName, PhotoFetcher>>,
): Promise<ComplaintUseCases> {
  const holidays = await loadHolidays(join(ROOT, 'config', 'holidays.yaml'));
  if (!holidays.ok) throw new Error('holidays.yaml did not load');
  return complaintUseCases({ db, directory: { current: () => directory }, holidays: holidays.value, photoFetchers });
}

export interface TelegramHarness {
  readonly channel: TelegramChannel;
  readonly complaints: ComplaintUseCases;
  readonly store: MongoTelegramStore;
  /** Every message the engine was given, in order. */
  readonly seen: IncomingMessage[];
  readonly inbound: InboundPipeline;
}

/** Builds the channel on the fake and attaches it to a real pipeline (not started: call `channel.start()`). */
export async function createHarness(options: {
  fake: FakeTelegramServer;
  db: Database;
  content: BotContent;
  directory: Directory;
  config?: Partial<TelegramChannelConfig>;
  /** Where webhook routes go (webhook mode); a fresh fastify instance by default. */
  http?: FastifyInstance;
  /** The pipeline's limits (generous by default). */
  limits?: Partial<PipelineLimits>;
  /** The engine citizens talk to; by default one without flows (answers and commands only). */
  engine?: Pick<ConversationEngine, 'handle'>;
  /** The pipeline's process id (`host:pid:…` lets the durable inbox tell a dead process). */
  owner?: string;
}): Promise<TelegramHarness> {
  const { fake, db, content, directory } = options;
  const photoFetchers: Partial<Record<ChannelName, PhotoFetcher>> = {};
  const store = await MongoTelegramStore.open(db);
  const channel = new TelegramChannel(
    { token: fake.token, apiRoot: fake.apiRoot, mode: 'polling', ...options.config },
    {
      content: { current: () => content },
      directory: () => directory,
      store,
      loadPhoto: mongoPhotoLoader(db),
      pseudonymize: keyedHash(Buffer.alloc(32, 7)),
    },
  );
  photoFetchers.telegram = channel.photoFetcher;
  const complaints = await createComplaintService(db, directory, photoFetchers);
  const engine = options.engine ?? new ConversationEngine({ content: { current: () => content }, store: new InMemoryConversationStore() });
  const seen: IncomingMessage[] = [];
  const inbound = createTestPipeline(
    db,
    { handle: (message) => (seen.push(message), engine.handle(message)) },
    {
      limits: options.limits,
      ...(options.owner ? { owner: options.owner } : {}),
    },
  );
  await channel.attach({ inbound, http: options.http ?? Fastify(), complaints });
  return { channel, complaints, store, seen, inbound };
}

/** A tiny valid PNG (1×1), as a citizen's photo. */
export const PNG_BYTES = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4bb0000000049454e44ae426082',
  'hex',
);
