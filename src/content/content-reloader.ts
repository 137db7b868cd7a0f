/**
 * Serves the current BotContent and replaces it when admins edit the files, without a
 * restart. An edit that does not validate never replaces the content in service: the
 * bot keeps answering with the last good version and the log says exactly why.
 */
import { watch, type FSWatcher } from 'chokidar';
import type { BotContent, ContentSource } from '../core/bot-content';
import type { Logger } from '../infra/logger';
import { ContentValidationError, formatContentError, type Checked } from './content-error';

export type ContentLoad = () => Promise<Checked<BotContent>>;

export class ContentReloader implements ContentSource {
  private watcher?: FSWatcher;
  private timer?: NodeJS.Timeout;
  private reloading: Promise<boolean> | undefined;
  private pending = false;

  private constructor(
    private content: BotContent,
    private readonly load: ContentLoad,
    private readonly logger: Logger,
  ) {}

  /** Loads the content once; throws {@link ContentValidationError} listing every problem if it is invalid. */
  static async create(load: ContentLoad, logger: Logger): Promise<ContentReloader> {
    const first = await load();
    if (!first.ok) throw new ContentValidationError(first.errors);
    logger.info({ contentVersion: first.value.version, intents: first.value.intents.size }, 'content loaded');
    return new ContentReloader(first.value, load, logger);
  }

  current(): BotContent {
    return this.content;
  }

  /** Watches files and folders; edits are debounced so a save of several files reloads once. */
  watch(paths: readonly string[], debounceMs = 300): void {
    this.watcher = watch([...paths], { ignoreInitial: true, awaitWriteFinish: { stabilityThreshold: 100, pollInterval: 50 } });
    const schedule = (): void => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.reload(), debounceMs);
    };
    this.watcher.on('all', schedule);
    this.watcher.on('error', (err) => this.logger.error({ err }, 'content watcher failed'));
  }

  /** Reloads now. Resolves true when new content is in service. Concurrent calls coalesce. */
  async reload(): Promise<boolean> {
    if (this.reloading) {
      this.pending = true;
      return this.reloading;
    }
    this.reloading = this.reloadOnce();
    try {
      return await this.reloading;
    } finally {
      this.reloading = undefined;
      if (this.pending) {
        this.pending = false;
        void this.reload();
      }
    }
  }

  private async reloadOnce(): Promise<boolean> {
    const started = Date.now();
    let result: Checked<BotContent>;
    try {
      result = await this.load();
    } catch (err) {
      this.logger.error({ err }, 'content reload crashed; keeping the content in service');
      return false;
    }
    if (!result.ok) {
      this.logger.error(
        { problems: result.errors.map(formatContentError), contentVersion: this.content.version },
        'content edit rejected; still serving the last valid version',
      );
      return false;
    }
    this.content = result.value;
    this.logger.info({ contentVersion: result.value.version, intents: result.value.intents.size, ms: Date.now() - started }, 'content reloaded');
    return true;
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    await this.watcher?.close();
    await this.reloading;
  }
}
