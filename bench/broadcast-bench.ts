/**
 * Broadcast benchmark, two figures, through the real channel senders to the local fake
 * Telegram and Zalo servers, on the embedded FerretDB (or MONGODB_URI):
 *
 * 1. **the sender itself**: a news item to BENCH_SUBSCRIBERS subscribers (default 10,000;
 *    8/10 Telegram, 2/10 Zalo) with the pacing opened well above the platforms' limits
 *    (BENCH_BROADCAST_PER_SECOND, default 1,000/s): what the code and the database can do,
 *    with the database commands per message;
 * 2. **at the real limits**: BENCH_REAL_PACE_SUBSCRIBERS (default 500) with the service's
 *    default pacing (src/config.ts: news at 20/s on Telegram, 2,000/min on Zalo) to fake
 *    servers that enforce the platforms' limits (Telegram 30 messages in any second and 1
 *    per chat per second; Zalo 4,000 calls a minute per OA): the send rate measured per
 *    platform against its limit, the busiest second, and any refusal.
 *
 * When (1) is above the limits, the limits, not the code, set how long a broadcast takes.
 */
import { loadConfig } from '../src/config';
import { silentLogger } from '../src/infra/logger';
import { openDatabase, type Database } from '../src/storage/mongo/database';
import { FakeTelegramServer } from '../test/fakes/telegram-bot-api';
import { FakeZaloServer, ZALO_RATE_LIMIT } from '../test/fakes/zalo-oa-server';
import { publishLandNews, seedAudience } from '../test/campaign/support/audience';
import { createHarnessDispatcher } from '../test/campaign/support/broadcast-harness';
import { maxInWindow, receivedCounts } from '../test/campaign/support/fake-counts';
import { fmt, heading } from './bench-util';
import { openBenchMongo, type BenchMongo } from './complaint-bench';

const TOKEN = '7000000003:AAE2eTestTokenForTheBenchmark_0123';
/** Telegram's documented bot-wide limit (messages per second). */
const TELEGRAM_LIMIT_PER_SECOND = 30;

interface Pacing {
  /** The Telegram send queue's bot-wide limit. */
  readonly telegramGlobal: number;
  readonly telegramNews: number;
  readonly zaloNews: number;
}

interface Run {
  /** From the start of the sender to the broadcast's end. */
  readonly seconds: number;
  readonly commands: number;
  readonly telegram: FakeTelegramServer;
  readonly zalo: FakeZaloServer;
}

export async function runBroadcastBench(): Promise<void> {
  const size = Number(process.env.BENCH_SUBSCRIBERS ?? 10_000);
  const pace = Number(process.env.BENCH_BROADCAST_PER_SECOND ?? 1000);
  const realSize = Number(process.env.BENCH_REAL_PACE_SUBSCRIBERS ?? 500);
  const config = loadConfig({});
  const mongo = await openBenchMongo('broadcast');
  try {
    heading(
      `broadcast: a news item to ${size} subscribers (${share(size).telegram} Telegram, ${share(size).zalo} Zalo), pacing opened to ${pace}/s`,
    );
    console.log(`database: ${mongo.description}`);
    const open = await send(mongo, 'open', size, { telegramGlobal: pace * 2, telegramNews: pace, zaloNews: pace }, false);
    const { perChat, perZalo } = receivedCounts(open.telegram, open.zalo);
    const twice = [...perChat.values(), ...perZalo.values()].filter((n) => n > 1).length;
    const rate = (perChat.size + perZalo.size) / open.seconds;
    console.log(`sent ${perChat.size + perZalo.size} in ${fmt(open.seconds)} s: ${fmt(rate)} messages/s; received twice: ${twice}`);
    console.log(`database commands per message: ${fmt(open.commands / size, 2)} (all of the dispatcher's, polling included)`);

    const real: Pacing = {
      telegramGlobal: config.TELEGRAM_GLOBAL_PER_SECOND,
      telegramNews: config.NEWS_TELEGRAM_PER_SECOND,
      zaloNews: config.NEWS_ZALO_PER_MINUTE / 60,
    };
    heading(
      `broadcast at the real limits: ${realSize} subscribers, news paced at ${real.telegramNews}/s (Telegram) and ${config.NEWS_ZALO_PER_MINUTE}/min (Zalo)`,
    );
    const limited = await send(mongo, 'real', realSize, real, true);
    const rates = printRealRates(limited, config.NEWS_ZALO_PER_MINUTE);
    // The channels go one after the other (subscribers in `_id` order: Telegram's, then Zalo's).
    const estimate = share(size).telegram / rates.telegram + share(size).zalo / rates.zalo;
    console.log(
      `so ${size} subscribers take ~${fmt(estimate / 60)} min at the production pace; the sender alone runs at ${fmt(rate / real.telegramNews)}× Telegram's news pace`,
    );
  } finally {
    await mongo.close(async () => undefined);
  }
}

/** How the benchmark splits an audience: 8/10 Telegram, 2/10 Zalo. */
function share(size: number): { telegram: number; zalo: number } {
  const telegram = Math.round(size * 0.8);
  return { telegram, zalo: size - telegram };
}

/** One news item to `size` fresh subscribers in database `<bench>_<name>`; fakes enforce the real limits when `realLimits`. */
async function send(mongo: BenchMongo, name: string, size: number, pacing: Pacing, realLimits: boolean): Promise<Run> {
  const db = await openDatabase({ uri: mongo.uri, dbName: `${mongo.dbName}_${name}`, embeddedDataDir: '', logger: silentLogger() });
  const telegram = new FakeTelegramServer({
    token: TOKEN,
    rateLimits: realLimits ? true : { globalPerSecond: pacing.telegramGlobal, perChatPerSecond: 1 },
  });
  const zalo = new FakeZaloServer(realLimits ? { rateLimit: true } : {});
  await telegram.start();
  await zalo.start();
  try {
    await seedAudience(db, { ...share(size), zaloStale: 0 }, { telegram, zalo });
    await publishLandNews(db, 'bench-news');
    const harness = await createHarnessDispatcher(db, {
      owner: 'bench',
      telegram: { apiRoot: telegram.apiRoot, token: TOKEN, globalPerSecond: pacing.telegramGlobal, newsPerSecond: pacing.telegramNews },
      zalo: { base: zalo.url, appId: zalo.appId, appSecret: zalo.appSecret, ...zalo.issueTokens(), perSecond: pacing.zaloNews },
      concurrency: 16,
    });
    const commandsBefore = db.commands.total;
    const started = Date.now();
    harness.dispatcher.start();
    await finished(db, 'news:bench-news');
    const seconds = (Date.now() - started) / 1000;
    await harness.stop();
    return { seconds, commands: db.commands.total - commandsBefore, telegram, zalo };
  } finally {
    await telegram.close();
    await zalo.close();
    await db.connection.dropDatabase().catch(() => undefined);
    await db.close();
  }
}

async function finished(db: Database, broadcastId: string): Promise<void> {
  while ((await db.models.Broadcast.findById(broadcastId).lean())?.finishedAt === undefined) await new Promise((r) => setTimeout(r, 250));
}

/** Per platform: messages per second between its first and last message, the busiest window, refusals; returns the rates. */
function printRealRates(run: Run, zaloPerMinute: number): { telegram: number; zalo: number } {
  const tg = run.telegram.sent.filter((c) => c.method === 'sendMessage').map((c) => c.at);
  const zalo = run.zalo.sent.map((m) => m.at);
  const { busiestTelegramSecond } = receivedCounts(run.telegram, run.zalo);
  console.log(
    `Telegram: ${tg.length} messages at ${fmt(ratePerSecond(tg))}/s (limit ${TELEGRAM_LIMIT_PER_SECOND}/s per bot); busiest second ${busiestTelegramSecond}; flood refusals ${run.telegram.floodRefusals}`,
  );
  console.log(
    `Zalo: ${zalo.length} messages at ${fmt(ratePerSecond(zalo) * 60)}/min (news budget ${zaloPerMinute}/min, limit ${ZALO_RATE_LIMIT.limit}/min per OA); busiest minute ${maxInWindow(zalo, ZALO_RATE_LIMIT.spanMs)}; quota refusals ${run.zalo.rateRefusals}`,
  );
  return { telegram: ratePerSecond(tg), zalo: ratePerSecond(zalo) };
}

function ratePerSecond(times: readonly number[]): number {
  if (times.length < 2) return 0;
  return ((times.length - 1) * 1000) / (Math.max(...times) - Math.min(...times));
}

if (require.main === module) {
  runBroadcastBench().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
