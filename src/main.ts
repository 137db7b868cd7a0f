/**
 * `npm start`: the whole service. Reads `.env`, validates the configuration (listing
 * every problem), builds the app, starts it, and stops gracefully on SIGTERM/SIGINT.
 */
import { config as loadDotenv } from 'dotenv';
import { ConfigError, loadConfig } from './config';
import { ContentValidationError } from './content/content-error';
import { createLogger } from './infra/logger';
import { EmbeddedDatabaseBusyError } from './storage/embedded-ferretdb';
import { buildApp } from './app';

async function main(): Promise<void> {
  loadDotenv({ quiet: true });
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger({ level: config.LOG_LEVEL });
  // A bug in one handler must not take the bot down for every citizen: log and go on.
  // Logged by class only: a message or stack may quote what a citizen wrote.
  process.on('unhandledRejection', (err) =>
    logger.error({ err: err instanceof Error ? err.name : typeof err }, 'unhandled promise rejection'),
  );

  let app;
  try {
    app = await buildApp(config, logger);
  } catch (err) {
    if (err instanceof EmbeddedDatabaseBusyError) {
      logger.fatal({ holderPid: err.holder.parentPid }, 'the embedded database folder is in use by another process');
      console.error(err.message);
      process.exit(1);
    }
    if (err instanceof ContentValidationError) {
      logger.fatal({ problems: err.errors.length }, 'content files are invalid; fix them (npm run nlu -- validate) and start again');
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  await app.start();
  console.error(`Bot ready: open ${app.url}/ in a browser (web chat). Stop with Ctrl+C.`);

  const shutdown = (signal: string): void => {
    logger.info({ signal }, 'shutdown requested');
    const force = setTimeout(() => process.exit(1), 20000);
    force.unref();
    app.stop().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
