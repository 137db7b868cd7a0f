/**
 * `npm run console -- create-admin --user NAME [--name "Full Name"]`: the first admin of the
 * web console (then the admin creates every other account in the console itself).
 *
 * The password is never an argument (argv is visible in `ps` and shell history): it is
 * read from CONSOLE_ADMIN_PASSWORD when set (for automated set-ups), else asked for twice
 * on the terminal without echo.
 *
 *     npm run console -- create-admin --user admin
 *     npm run console -- reset-password --user admin      a new password for an account (e.g. a locked-out admin)
 */
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { USERNAME } from '../console/console-ports';
import { hashPassword, passwordProblem } from '../console/passwords';
import { MongoAccountStore, MongoAuditLog } from '../storage/mongo/mongo-console-store';
import { openConfiguredDatabase } from './configured-database';
import { runCommand, UsageError } from './operator-command';

const USAGE = `usage:
  npm run console -- create-admin --user NAME [--name "Full name"]
  npm run console -- reset-password --user NAME
The password comes from CONSOLE_ADMIN_PASSWORD, or is asked for (not echoed).`;

/** Asks for a line without echoing what is typed. */
function askHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    if (!process.stdin.isTTY) {
      reject(new UsageError('no terminal to ask for the password: set CONSOLE_ADMIN_PASSWORD'));
      return;
    }
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    const output = rl as unknown as { _writeToOutput: (s: string) => void };
    let asking = true;
    output._writeToOutput = (s: string) => {
      if (!asking) process.stdout.write(s);
    };
    process.stdout.write(question);
    rl.question('', (answer) => {
      asking = false;
      rl.close();
      process.stdout.write('\n');
      resolve(answer);
    });
  });
}

async function newPassword(username: string): Promise<string> {
  const fromEnv = process.env.CONSOLE_ADMIN_PASSWORD;
  const password = fromEnv ?? (await askHidden('New password: '));
  if (fromEnv === undefined && (await askHidden('Again: ')) !== password) throw new Error('the two passwords differ');
  const problem = passwordProblem(password, username);
  if (problem) throw new Error(problem);
  return password;
}

runCommand(USAGE, async (argv) => {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { user: { type: 'string' }, name: { type: 'string' } },
  });
  const [command] = positionals;
  const username = (values.user ?? '').trim().toLowerCase();
  if (!['create-admin', 'reset-password'].includes(command ?? '')) throw new UsageError(`unknown command ${command ?? '(none)'}`);
  if (!USERNAME.test(username)) throw new UsageError('--user: 3–40 characters a–z, 0–9, ".", "_" or "-"');
  const password = await newPassword(username);
  const { db } = await openConfiguredDatabase({ share: 'attach' });
  try {
    const accounts = new MongoAccountStore(db);
    const audit = new MongoAuditLog(db);
    const at = new Date();
    if (command === 'create-admin') {
      const outcome = await accounts.create({
        username,
        displayName: values.name?.trim() || username,
        role: 'admin',
        passwordHash: await hashPassword(password),
        disabled: false,
      });
      if (outcome === 'exists') throw new Error(`an account ${username} exists already (reset-password sets a new password)`);
      await audit.record({ at, actor: 'cli', action: 'account.create', target: username, outcome: 'ok', detail: 'admin (create-admin)' });
      console.log(`admin ${username} created: sign in at /console/login`);
    } else {
      if (!(await accounts.update(username, { passwordHash: await hashPassword(password), disabled: false })))
        throw new Error(`no account ${username}`);
      await audit.record({
        at,
        actor: 'cli',
        action: 'account.update',
        target: username,
        outcome: 'ok',
        detail: 'password (reset-password)',
      });
      console.log(`new password set for ${username}`);
    }
  } finally {
    await db.close();
  }
});
