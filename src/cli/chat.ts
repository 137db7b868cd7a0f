/**
 * `npm run chat`: talk to the bot in the terminal, with the same engine, content and
 * database as the service — no tokens, no network. Quick replies are shown as a
 * numbered menu: type the number to choose. Complaints are stored for real; forwarding
 * runs in `noop` mode unless FORWARDING_MODE is set, so nothing leaves the machine.
 */
import { createInterface } from 'node:readline';
import { config as loadDotenv } from 'dotenv';
import { ConfigError, loadConfig } from '../config';
import { ContentValidationError } from '../content/content-error';
import { createLogger } from '../infra/logger';
import { buildApp } from '../app';
import type { OutgoingMessage, QuickReply } from '../core/messages';

async function main(): Promise<void> {
  loadDotenv({ quiet: true });
  const env = {
    ...process.env,
    FORWARDING_MODE: process.env.FORWARDING_MODE ?? 'noop',
    TELEGRAM_BOT_TOKEN: '',
    ZALO_APP_ID: '',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  };
  const config = loadConfig(env);
  const logger = createLogger({ level: config.LOG_LEVEL, destination: process.stderr });
  // Beside a running `npm start` on the same DATA_DIR, talk through its database server.
  const app = await buildApp(config, logger, { shareEmbeddedDatabase: true });
  await app.start({ http: false });
  console.log(`\n${config.BOT_NAME} — database: ${app.db.description}`);
  console.log(
    'Type a question (with or without diacritics). /en English, /vi tiếng Việt, /phananh complaint, /tracuu PA-XXXXXX, /huy cancel, Ctrl+D to quit.\n',
  );

  const userId = process.env.CHAT_USER ?? 'console-user';
  let menu: readonly QuickReply[] = [];
  const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: 'bạn> ' });
  rl.prompt();
  for await (const line of rl) {
    const typed = line.trim();
    if (typed) {
      const choice = /^\d+$/.test(typed) ? menu[Number(typed) - 1] : undefined;
      // The same inbound chain as every channel: cleaning, limits, the citizen's turn.
      const { admitted, done } = app.inbound.submit({
        message: { channel: 'console', userId, requesterKey: userId, text: choice ? choice.payload : typed },
        run: (message, converse) => converse(message),
      });
      const admission = await admitted;
      const reply = await done;
      if (reply) menu = print(reply.messages);
      else console.log(`\n(${admission.kind === 'throttled' ? 'too fast: wait a moment' : admission.kind})\n`);
    }
    rl.prompt();
  }
  await app.stop();
}

function print(messages: readonly OutgoingMessage[]): readonly QuickReply[] {
  let menu: readonly QuickReply[] = [];
  for (const message of messages) {
    console.log(`\nbot> ${message.text.replace(/\n/g, '\n     ')}`);
    if (message.quickReplies?.length) {
      menu = message.quickReplies;
      console.log(menu.map((q, i) => `     ${i + 1}. ${q.label}`).join('\n'));
    }
  }
  console.log('');
  return menu;
}

main().catch((err) => {
  if (err instanceof ConfigError || err instanceof ContentValidationError) console.error(err.message);
  else console.error(err);
  process.exit(1);
});
