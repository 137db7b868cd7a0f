/**
 * Broadcast benchmark: a news item to BENCH_SUBSCRIBERS subscribers (default 10,000; 8/10
 * Telegram, 2/10 Zalo) through the real channel senders to the local fake Telegram and
 * Zalo servers, on the embedded FerretDB (or MONGODB_URI). The pacing is opened well
 * above the platforms' limits (BENCH_BROADCAST_PER_SECOND, default 1,000/s) so the figure
 * is what the sender itself can do; it is printed beside the limits the production
 * pacing keeps (Telegram 30 messages/s per bot, news at 20/s; Zalo 4,000 calls/min per
 * OA, news at 2,000/min): when the sender's rate is above them, the limits, not the
 * code, set how long a broadcast takes. Database commands per send are counted too.
 */
import { silentLogger } from '../src/infra/logger';
import { openDatabase } from '../src/storage/mongo/database';
import { FakeTelegramServer } from '../test/fakes/telegram-bot-api';
import { FakeZaloServer } from '../test/fakes/zalo-oa-server';
import { publishLandNews, seedAudience } from '../test/campaign/support/audience';
import { createHarnessDispatcher } from '../test/campaign/support/broadcast-harness';
import { receivedCounts } from '../test/campaign/support/fake-counts';
import { fmt, heading } from './bench-util';
import { openBenchMongo } from './complaint-bench';

const TOKEN = '7000000003:AAE2eTestTokenForTheBenchmark_0123';
const TELEGRAM_LIMIT_PER_SECOND = 30;
const ZALO_LIMIT_PER_SECOND = 4000 / 60;

export async function runBroadcastBench(): Promise<void> {
  const size = Number(process.env.BENCH_SUBSCRIBERS ?? 10_000);
  const pace = Number(process.env.BENCH_BROADCAST_PER_SECOND ?? 1000);
  const telegramCount = Math.round(size * 0.8);
  const zaloCount = size - telegramCount;
  heading(`broadcast: a news item to ${size} subscribers (${telegramCount} Telegram, ${zaloCount} Zalo), pacing opened to ${pace}/s`);
  const mongo = await openBenchMongo('broadcast');
  const db = await openDatabase({ uri: mongo.uri, dbName: mongo.dbName, embeddedDataDir: '', logger: silentLogger() });
  const telegram = new FakeTelegramServer({ token: TOKEN, rateLimits: { globalPerSecond: pace * 2, perChatPerSecond: 1 } });
  const zalo = new FakeZaloServer();
  await telegram.start();
  await zalo.start();
  try {
    console.log(`database: ${mongo.description}`);
    await seedAudience(db, { telegram: telegramCount, zalo: zaloCount, zaloStale: 0 }, { telegram, zalo });
    await publishLandNews(db, 'bench-news');
    const harness = await createHarnessDispatcher(db, {
      owner: 'bench',
      telegram: { apiRoot: telegram.apiRoot, token: TOKEN, globalPerSecond: pace * 2, newsPerSecond: pace },
      zalo: { base: zalo.url, appId: zalo.appId, appSecret: zalo.appSecret, ...zalo.issueTokens(), perSecond: pace },
      concurrency: Number(process.env.BENCH_CONCURRENCY ?? 16),
    });
    const commandsBefore = db.commands.total;
    const started = Date.now();
    harness.dispatcher.start();
    while ((await db.models.Broadcast.findById('news:bench-news').lean())?.finishedAt === undefined)
      await new Promise((r) => setTimeout(r, 250));
    const seconds = (Date.now() - started) / 1000;
    await harness.stop();
    const commands = db.commands.total - commandsBefore;
    const { perChat, perZalo } = receivedCounts(telegram, zalo);
    const twice = [...perChat.values(), ...perZalo.values()].filter((n) => n > 1).length;
    const rate = (perChat.size + perZalo.size) / seconds;
    console.log(`sent ${perChat.size + perZalo.size} in ${fmt(seconds)} s: ${fmt(rate)} messages/s; received twice: ${twice}`);
    console.log(`database commands per message: ${fmt(commands / size, 2)} (all of the dispatcher's, polling included)`);
    console.log(
      `platform limits: Telegram ${TELEGRAM_LIMIT_PER_SECOND}/s per bot (news paced at 20/s), Zalo ${fmt(ZALO_LIMIT_PER_SECOND)}/s per OA (news at ${fmt(2000 / 60)}/s)`,
    );
    console.log(
      `at the production pace this broadcast takes ~${fmt(telegramCount / 20 / 60)} min (Telegram-bound); the sender alone runs at ${fmt(rate / 20)}× that pace`,
    );
  } finally {
    await telegram.close();
    await zalo.close();
    await mongo.close(() => db.connection.dropDatabase().then(() => undefined));
    await db.close();
  }
}

if (require.main === module) {
  runBroadcastBench().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
