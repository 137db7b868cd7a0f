/**
 * Serves the current version of something admins edit (the bot content, the agency
 * directory) and replaces it when they edit the files, without a restart. An edit that does not validate never replaces the content in service: the
 * bot keeps answering with the last good version and the log says exactly why.
 */
import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from '../infra/logger';
import { ContentValidationError, formatContentError, type Checked } from './content-error';

export type ContentLoad<T> = () => Promise<Checked<T>>;

/** What to log about a loaded value (a version hash, counts): never its content. */
export type Describe<T> = (value: T) => Record<string, unknown>;

export class HotReloader<T> {
  private watcher?: FSWatcher;
  private timer?: NodeJS.Timeout;
  private reloading: Promise<boolean> | undefined;
  private pending = false;

  private constructor(
    private content: T,
    private readonly load: ContentLoad<T>,
    private readonly describe: Describe<T>,
    private readonly logger: Logger,
  ) {}

  /** Loads once; throws {@link ContentValidationError} listing every problem if it is invalid. */
  static async create<T>(load: ContentLoad<T>, describe: Describe<T>, logger: Logger): Promise<HotReloader<T>> {
    const first = await load();
    if (!first.ok) throw new ContentValidationError(first.errors);
    logger.info(describe(first.value), 'loaded');
    return new HotReloader(first.value, load, describe, logger);
  }

  current(): T {
    return this.content;
  }

  /**
   * Watches files and folders; edits are debounced so a save of several files reloads
   * once. Resolves when the watcher is ready (edits before that may be missed).
   */
  watch(paths: readonly string[], debounceMs = 300): Promise<void> {
    this.watcher = watch([...paths], { ignoreInitial: true, awaitWriteFinish: { stabilityThreshold: 100, pollInterval: 50 } });
    const ready = new Promise<void>((resolve) => this.watcher?.once('ready', () => resolve()));
    const schedule = (): void => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.reload(), debounceMs);
    };
    this.watcher.on('all', schedule);
    this.watcher.on('error', (err) => this.logger.error({ err }, 'content watcher failed'));
    return ready;
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
    let result: Checked<T>;
    try {
      result = await this.load();
    } catch (err) {
      this.logger.error({ err }, 'content reload crashed; keeping the content in service');
      return false;
    }
    if (!result.ok) {
      this.logger.error(
        { problems: result.errors.map(formatContentError), ...this.describe(this.content) },
        'edit rejected; still serving the last valid version',
      );
      return false;
    }
    this.content = result.value;
    this.logger.info({ ...this.describe(result.value), ms: Date.now() - started }, 'reloaded');
    return true;
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    await this.watcher?.close();
    await this.reloading;
  }
}
