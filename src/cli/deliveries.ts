/**
 * `npm run deliveries -- list|resend …`: the operators' view of the agency outbox, as
 * FixMyStreet lets its operators see and re-send failed reports.
 *
 *     npm run deliveries -- list                     dead deliveries, newest first
 *     npm run deliveries -- list --state pending --agency ubnd-huyen-dak-ha --limit 20 [--json]
 *     npm run deliveries -- resend KEY [KEY…]        a dead delivery becomes due again, with a fresh retry budget
 *     npm run deliveries -- resend --all-dead [--agency ID]
 *
 * The running service's worker sends re-sent deliveries at its next round. Each re-send
 * is recorded on the delivery with who did it (`--by`, default the system user name).
 * Nothing here prints a complaint's text or a citizen's contact.
 */
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { config as loadDotenv } from 'dotenv';
import { ConfigError, loadConfig } from '../config';
import { describeDelivery, type DeliveryItem } from '../forwarding/delivery-item';
import { createLogger } from '../infra/logger';
import { PROJECT_ROOT } from '../infra/project-root';
import type { OutboxState, OutboxStore } from '../outbox/outbox-store';
import { openDatabase } from '../storage/mongo/database';
import { deliveryOutbox } from '../storage/mongo/mongo-outbox';

const STATES: readonly OutboxState[] = ['pending', 'sending', 'sent', 'dead'];
const USAGE = `usage:
  npm run deliveries -- list [--state dead|pending|sending|sent] [--agency ID] [--limit N] [--json]
  npm run deliveries -- resend KEY [KEY...] [--by NAME]
  npm run deliveries -- resend --all-dead [--agency ID] [--by NAME]`;

export interface DeliveriesCliDeps {
  readonly store: Pick<OutboxStore<DeliveryItem>, 'list' | 'resend'>;
  readonly out: (line: string) => void;
  readonly clock?: () => Date;
  readonly defaultActor?: string;
}

/** Runs one command; returns the process exit code (0 ok, 1 something not done, 2 usage). */
export async function runDeliveriesCli(args: readonly string[], deps: DeliveriesCliDeps): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        state: { type: 'string' },
        agency: { type: 'string' },
        limit: { type: 'string' },
        json: { type: 'boolean' },
        'all-dead': { type: 'boolean' },
        by: { type: 'string' },
      },
    });
  } catch (err) {
    deps.out(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const [command, ...keys] = parsed.positionals;
  const { values } = parsed;
  const state = (values.state ?? 'dead') as OutboxState;
  const limit = Number(values.limit ?? 50);
  if (!STATES.includes(state) || !Number.isInteger(limit) || limit < 1 || limit > 1000) {
    deps.out(`--state must be one of ${STATES.join(', ')}; --limit 1–1000\n${USAGE}`);
    return 2;
  }
  const match = values.agency ? { agencyId: values.agency } : undefined;
  if (command === 'list') {
    const items = await deps.store.list({ state, limit, ...(match ? { match } : {}) });
    if (values.json) deps.out(JSON.stringify(items.map(describeDelivery), null, 2));
    else if (items.length === 0) deps.out(`no ${state} deliveries`);
    else for (const item of items) deps.out(line(item));
    return 0;
  }
  if (command === 'resend') {
    const targets = values['all-dead']
      ? (await deps.store.list({ state: 'dead', limit: 1000, ...(match ? { match } : {}) })).map((d) => d.id)
      : keys;
    if (targets.length === 0) {
      deps.out(values['all-dead'] ? 'no dead deliveries' : `name the deliveries to re-send\n${USAGE}`);
      return values['all-dead'] ? 0 : 2;
    }
    const by = `cli:${values.by ?? deps.defaultActor ?? 'operator'}`;
    let failed = 0;
    for (const key of targets) {
      const outcome = await deps.store.resend(key, by, deps.clock?.() ?? new Date());
      if (outcome !== 'resent') failed++;
      deps.out(
        `${key}: ${outcome === 'resent' ? 're-sent (due now)' : outcome === 'not_dead' ? 'not dead: left alone' : 'no such delivery'}`,
      );
    }
    return failed > 0 ? 1 : 0;
  }
  deps.out(USAGE);
  return 2;
}

function line(d: DeliveryItem): string {
  const when = d.createdAt ? d.createdAt.toISOString() : '';
  return `${d.id}  ${d.state}  ${d.agencyId}  ${d.transport}  ${d.event}  attempts ${d.attempts}  ${when}${d.lastError ? `\n    last error: ${d.lastError}` : ''}`;
}

async function main(): Promise<void> {
  loadDotenv({ quiet: true });
  const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  const logger = createLogger({ level: config.LOG_LEVEL, destination: process.stderr });
  const db = await openDatabase({
    uri: config.MONGODB_URI,
    dbName: config.MONGODB_DB,
    embeddedDataDir: resolve(PROJECT_ROOT, config.DATA_DIR),
    logger,
  });
  try {
    process.exitCode = await runDeliveriesCli(process.argv.slice(2), {
      store: deliveryOutbox(db),
      out: (text) => console.log(text),
      defaultActor: userInfo().username,
    });
  } finally {
    await db.close();
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(1);
  });
}
