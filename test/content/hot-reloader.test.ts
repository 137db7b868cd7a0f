import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadBotContent, type ContentPaths } from '../../src/content/content-loader';
import { HotReloader } from '../../src/content/hot-reloader';
import type { BotContent } from '../../src/core/bot-content';
import { createLogger } from '../../src/infra/logger';
import { PROJECT_ROOT } from '../../src/cli/project-paths';
import { extraTextKeys } from '../../src/app-text-keys';
import { ASPECT_EXAMPLES_FILE } from '../../src/content/aspects-file';

describe('hot reloading of intents, locales and the catalog', () => {
  let dir: string;
  let paths: ContentPaths;
  let reloader: HotReloader<BotContent>;
  const logLines: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cchc-reload-'));
    cpSync(join(PROJECT_ROOT, 'intents'), join(dir, 'intents'), { recursive: true });
    cpSync(join(PROJECT_ROOT, 'locales'), join(dir, 'locales'), { recursive: true });
    cpSync(join(PROJECT_ROOT, 'procedures'), join(dir, 'procedures'), { recursive: true });
    cpSync(join(PROJECT_ROOT, 'config', 'abbreviations.yaml'), join(dir, 'abbreviations.yaml'));
    paths = {
      root: dir,
      intentsDir: join(dir, 'intents'),
      localesDir: join(dir, 'locales'),
      abbreviationsFile: join(dir, 'abbreviations.yaml'),
      proceduresDir: join(dir, 'procedures'),
    };
    const sink = new Writable({
      write(chunk, _enc, done) {
        logLines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({ level: 'info', destination: sink });
    reloader = await HotReloader.create(
      () => loadBotContent(paths, { requiredTextKeys: extraTextKeys() }),
      (c) => ({ contentVersion: c.version }),
      logger,
    );
    await reloader.watch([paths.intentsDir, paths.localesDir, paths.abbreviationsFile, paths.proceduresDir!], 50);
  }, 120_000);

  afterAll(async () => {
    await reloader.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function waitFor(predicate: () => boolean, timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('picks up an edited answer without a restart', async () => {
    const before = reloader.current();
    const vi = JSON.parse(readFileSync(join(paths.localesDir, 'vi.json'), 'utf8'));
    vi.intent.hotline.answer = 'Đường dây nóng mới: Anh/Chị {{call_hotline}}.'; // same placeholder as the English text
    writeFileSync(join(paths.localesDir, 'vi.json'), JSON.stringify(vi, null, 2));
    await waitFor(() => reloader.current() !== before);
    expect(reloader.current().translator.t('vi', 'intent.hotline.answer', { hotline: '123' })).toBe(
      'Đường dây nóng mới: Anh/Chị gọi đường dây nóng 123.',
    );
  }, 120_000);

  it('keeps the last good content when an edit is broken, and logs file and line', async () => {
    const before = reloader.current();
    logLines.length = 0;
    writeFileSync(join(paths.intentsDir, 'hotline.yaml'), 'intent: hotline\nanswer: intent.hotline.answer\nexamples: [unclosed\n');
    await waitFor(() => logLines.some((l) => l.includes('edit rejected')));
    expect(reloader.current()).toBe(before);
    expect(reloader.current().matcher.match('số đường dây nóng cải cách hành chính').intent).toBe('hotline');
    const rejected = logLines.find((l) => l.includes('edit rejected'))!;
    expect(rejected).toMatch(/intents\/hotline\.yaml:\d+/);
  }, 120_000);

  it('reloads the aspect examples of the catalog: a broken edit refused with file and line, a good one served', async () => {
    // The test before left a broken intent file: put it back first.
    const broken = reloader.current();
    cpSync(join(PROJECT_ROOT, 'intents', 'hotline.yaml'), join(paths.intentsDir, 'hotline.yaml'));
    await waitFor(() => reloader.current() !== broken);
    const file = join(paths.proceduresDir!, ASPECT_EXAMPLES_FILE);
    const before = reloader.current();
    logLines.length = 0;
    const text = readFileSync(file, 'utf8');
    // An example given to two aspects (it is a fee example already): refused, the last good detector stays.
    writeFileSync(file, text.replace('  documents:\n', '  documents:\n    - lệ phí đăng ký kết hôn bao nhiêu\n'));
    await waitFor(() => logLines.some((l) => l.includes('edit rejected')));
    expect(reloader.current()).toBe(before);
    expect(logLines.find((l) => l.includes('edit rejected'))).toMatch(/procedures\/_aspect-examples\.yaml:\d+/);

    writeFileSync(file, text.replace('  documents:\n', '  documents:\n    - phải cầm theo những thứ gì\n'));
    await waitFor(() => reloader.current() !== before);
    expect(reloader.current().catalog!.aspects).not.toBe(before.catalog!.aspects);
  }, 180_000);
});
