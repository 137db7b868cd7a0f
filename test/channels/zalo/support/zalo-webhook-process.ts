/**
 * The Zalo channel (ZaloChannel, as the composition root builds it) in its own process, on
 * the real pipeline and the test database, with the durable inbox and the overflow lot
 * taking over a dead process's events at start — for the crash test, which SIGKILLs it
 * after its 200s. Configuration from the environment: TEST_MONGODB_URI, DB_NAME,
 * ZALO_BASE, ZALO_APP_ID, ZALO_APP_SECRET, ZALO_ACCESS_TOKEN, ZALO_REFRESH_TOKEN, PORT;
 * CAPACITY (messages in flight in all, default 1000); an engine that echoes each message
 * (HANG=1: that never answers). Prints "ready" once it listens.
 */
import { hostname } from 'node:os';
import Fastify from 'fastify';
import { DurableInbox } from '../../../../src/channels/pipeline/durable-inbox';
import { MongoSlotStore } from '../../../../src/channels/pipeline/slot-store';
import { ZaloChannel } from '../../../../src/channels/zalo/zalo-channel';
import type { ComplaintService } from '../../../../src/complaints/complaint-service';
import type { IncomingMessage, Reply } from '../../../../src/core/messages';
import { silentLogger } from '../../../../src/infra/logger';
import { MongoConversationStore } from '../../../../src/storage/mongo/mongo-conversation-store';
import { createTestPipeline } from '../../support/pipeline';
import { openProcessDatabase, requiredEnv } from '../../../support/child-process';
import { OA_SECRET, realContent } from '../zalo-channel-harness';

async function main(): Promise<void> {
  const db = await openProcessDatabase();
  const owner = `${hostname()}:${process.pid}:test`;
  const content = await realContent();
  const conversations = new MongoConversationStore(db);
  // An echo engine: one reply per turn, saying which message it answers (the test counts and orders them).
  const engine =
    process.env.HANG === '1'
      ? { handle: () => new Promise<never>(() => undefined) }
      : {
          handle: async (m: IncomingMessage): Promise<Reply> => ({ messages: [{ text: `echo: ${m.text}` }], intent: 'echo', locale: 'vi' }),
        };
  const inbound = createTestPipeline(db, engine, { owner, limits: { capacity: Number(process.env.CAPACITY ?? 1000) } });
  const channel = new ZaloChannel(
    {
      appId: requiredEnv('ZALO_APP_ID'),
      appSecret: requiredEnv('ZALO_APP_SECRET'),
      oaSecretKey: OA_SECRET,
      accessToken: requiredEnv('ZALO_ACCESS_TOKEN'),
      refreshToken: requiredEnv('ZALO_REFRESH_TOKEN'),
      openApiBase: requiredEnv('ZALO_BASE'),
      oauthBase: requiredEnv('ZALO_BASE'),
    },
    { db, owner, content: { current: () => content }, conversations, logger: silentLogger() },
  );
  const http = Fastify();
  const complaints = { forgetCitizen: async () => 0 } as unknown as ComplaintService;
  await channel.attach({ inbound, http, complaints });
  await http.listen({ host: '127.0.0.1', port: Number(requiredEnv('PORT')) });
  await channel.start();
  const inbox = new DurableInbox({ store: new MongoSlotStore(db.connection), pipeline: inbound, owner });
  await inbox.sweep();
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => {
    void Promise.all([inbox.stop(), channel.stop(), http.close()])
      .then(() => db.close())
      .then(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`zalo-webhook-process failed: ${String(err)}\n`);
  process.exit(1);
});
