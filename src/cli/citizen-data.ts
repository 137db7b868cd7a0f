/**
 * `npm run citizen-data -- export|erase …`: a citizen's request about their personal data
 * (Decree 13/2023/NĐ-CP Art. 14 and 16 — access and erasure; from 1 January 2026 the Law
 * on Personal Data Protection), handled by an operator after checking who asks.
 *
 *     npm run citizen-data -- export --code PA-7K3M9X [--out FILE]     JSON of everything held
 *     npm run citizen-data -- export --phone 0912345678 [--out FILE]
 *     npm run citizen-data -- erase  --code PA-7K3M9X [--yes]          irreversible
 *
 * The citizen is the platform account (Telegram, Zalo, web session) that filed the
 * complaint with that code, or every account that left that phone number with a
 * complaint. Export: their complaints with history, photo metadata, what was sent to
 * agencies about them, notifications, conversation state. Erase: the same selection,
 * through the use case Zalo's `user_withdraw` uses (use-cases/personal-data.ts) — the
 * complaint records stay for the agencies' statistics without the personal fields. It
 * asks for confirmation unless `--yes`; the log records the request without personal data.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { CitizenSequencer } from '../channels/pipeline/citizen-sequencer';
import { MongoSlotStore } from '../channels/pipeline/slot-store';
import { loadConfig } from '../config';
import { normalizeVietnamesePhone } from '../complaints/contact-input';
import type { ComplaintService } from '../complaints/complaint-service';
import { loadDirectory } from '../complaints/directory/directory-loader';
import { loadHolidays } from '../complaints/holiday-calendar';
import { isTrackingCode } from '../complaints/tracking-code';
import { conversationKey, type ChannelName } from '../core/messages';
import { ComplaintUseCases } from '../complaints/use-cases/complaint-use-cases';
import type { Logger } from '../infra/logger';
import { PROJECT_ROOT } from '../infra/project-root';
import { MongoCitizenDataStore, type CitizenAccount } from '../storage/mongo/citizen-data-store';
import { mongoComplaintPorts } from '../storage/mongo/mongo-complaint-ports';
import { openConfiguredDatabase } from './configured-database';
import { runCommand, UsageError } from './operator-command';

const USAGE = `usage:
  npm run citizen-data -- export (--code CODE | --phone PHONE) [--out FILE]
  npm run citizen-data -- erase  (--code CODE | --phone PHONE) [--yes]`;

export interface CitizenDataCliDeps {
  readonly store: Pick<MongoCitizenDataStore, 'accountsByCode' | 'accountsByPhone' | 'export' | 'deleteChannelRecords'>;
  readonly complaints: Pick<ComplaintService, 'forgetCitizen'>;
  readonly out: (text: string) => void;
  /** Asks the operator; false when nobody can answer (not a terminal). */
  readonly confirm: (question: string) => Promise<boolean>;
  readonly writeFile?: (path: string, text: string) => Promise<void>;
  readonly logger: Logger;
  readonly clock?: () => Date;
  /**
   * Runs an account's erasure in that citizen's line of turns (the inbound pipeline's,
   * shared by every service process): no turn runs during it, and the next turn knows a
   * turn it did not write came in between, so it reads the (erased) conversation instead
   * of reusing a draft it kept (core/conversation-cache.ts). Without it the erasure runs at once.
   */
  readonly inCitizenLine?: (channel: ChannelName, userId: string, work: () => Promise<number>) => Promise<number>;
}

/** Runs one request; returns the exit code (0 done, 1 nothing matched or not confirmed). Throws UsageError for a bad command line. */
export async function runCitizenDataCli(args: readonly string[], deps: CitizenDataCliDeps): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { code: { type: 'string' }, phone: { type: 'string' }, out: { type: 'string' }, yes: { type: 'boolean' } },
  });
  const [command, ...extra] = positionals;
  if ((command !== 'export' && command !== 'erase') || extra.length > 0) throw new UsageError('say export or erase');
  if (Boolean(values.code) === Boolean(values.phone)) throw new UsageError('give either --code or --phone');
  let accounts: CitizenAccount[];
  let selection: 'code' | 'phone';
  if (values.code) {
    const code = values.code.trim().toUpperCase();
    if (!isTrackingCode(code)) throw new UsageError(`${values.code} is not a tracking code (PA- and 6 characters)`);
    accounts = await deps.store.accountsByCode(code);
    selection = 'code';
  } else {
    const phone = normalizeVietnamesePhone(values.phone ?? '');
    if (!phone) throw new UsageError('--phone is not a valid Vietnamese phone number');
    accounts = await deps.store.accountsByPhone(phone);
    selection = 'phone';
  }
  if (accounts.length === 0) {
    deps.out(`no complaint with personal data matches this ${selection}: nothing is held, or it was already erased`);
    return 1;
  }
  const data = await Promise.all(accounts.map((a) => deps.store.export(a)));
  const codes = data.flatMap((d) => d.complaints.map((c) => String(c._id)));

  if (command === 'export') {
    const json = JSON.stringify({ exportedAt: (deps.clock?.() ?? new Date()).toISOString(), citizens: data }, null, 2);
    if (values.out) {
      await (deps.writeFile ?? ((path, text) => writeFile(path, text, { mode: 0o600 })))(values.out, json);
      deps.out(`exported ${accounts.length} account(s), ${codes.length} complaint(s) to ${values.out}`);
    } else deps.out(json);
    deps.logger.info({ selection, accounts: accounts.length, complaints: codes.length }, 'citizen data exported on request');
    return 0;
  }

  const summary = `${accounts.length} account(s) (${accounts.map((a) => a.channel).join(', ')}), ${codes.length} complaint(s): ${codes.join(', ') || 'none'}`;
  if (!values.yes && !(await deps.confirm(`Erase the personal data of ${summary}? This cannot be undone. Type "erase" to confirm: `))) {
    deps.out('not erased (confirm by typing "erase", or pass --yes)');
    return 1;
  }
  let erased = 0;
  const inLine = deps.inCitizenLine ?? ((_channel, _userId, work) => work());
  for (const account of accounts) {
    erased += await inLine(account.channel, account.userId, async () => {
      const forgotten = await deps.complaints.forgetCitizen(account.channel, account.userId);
      await deps.store.deleteChannelRecords(account);
      return forgotten;
    });
  }
  deps.logger.info({ selection, accounts: accounts.length, complaints: erased, codes }, 'citizen data erased on request');
  deps.out(`erased: ${summary}. The complaint records stay, without personal data, for the agencies' statistics.`);
  return 0;
}

async function main(argv: string[]): Promise<void> {
  const { db, logger } = await openConfiguredDatabase({ share: 'attach' });
  try {
    const config = loadConfig();
    const [directory, holidays] = await Promise.all([
      loadDirectory(resolve(PROJECT_ROOT, config.DIRECTORY_FILE), config.DIRECTORY_FILE),
      loadHolidays(resolve(PROJECT_ROOT, config.HOLIDAYS_FILE), config.HOLIDAYS_FILE),
    ]);
    if (!directory.ok || !holidays.ok) throw new Error('the directory or holiday file is invalid: run `npm start` to see the problems');
    const complaints = new ComplaintUseCases({
      ...mongoComplaintPorts(db, `citizen-data:${process.pid}`),
      directory: { current: () => directory.value },
      holidays: holidays.value,
      clock: () => new Date(),
      logger,
    });
    const line = new CitizenSequencer({ store: new MongoSlotStore(db.connection), owner: `citizen-data:${process.pid}`, logger });
    process.exitCode = await runCitizenDataCli(argv, {
      store: new MongoCitizenDataStore(db),
      complaints,
      inCitizenLine: async (channel, userId, work) => {
        let place: string | undefined;
        const erased = await line.run(conversationKey(channel, userId), (turn) => {
          place = turn.id;
          return work();
        });
        // The line marks a turn done in the background, and the database closes right after: mark it now and wait,
        // or the citizen's next message would wait out the lease.
        if (place) await line.settle(place);
        return erased;
      },
      out: (text) => console.log(text),
      confirm: askOnTerminal,
      logger,
    });
  } finally {
    await db.close();
  }
}

async function askOnTerminal(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim().toLowerCase() === 'erase';
  } finally {
    rl.close();
  }
}

if (require.main === module) runCommand(USAGE, main);
