import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateContentFiles, type ContentPaths } from '../../src/content/content-loader';
import { formatContentError, type ContentError } from '../../src/content/content-error';
import { defaultContentPaths, PROJECT_ROOT } from '../../src/cli/project-paths';
import { extraTextKeys } from '../../src/app-text-keys';

/** A private copy of the shipped content that a test may break. */
function copyContent(): ContentPaths & { dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cchc-content-'));
  cpSync(join(PROJECT_ROOT, 'intents'), join(dir, 'intents'), { recursive: true });
  cpSync(join(PROJECT_ROOT, 'locales'), join(dir, 'locales'), { recursive: true });
  cpSync(join(PROJECT_ROOT, 'procedures'), join(dir, 'procedures'), { recursive: true });
  cpSync(join(PROJECT_ROOT, 'config', 'abbreviations.yaml'), join(dir, 'abbreviations.yaml'));
  return {
    dir,
    root: dir,
    intentsDir: join(dir, 'intents'),
    localesDir: join(dir, 'locales'),
    abbreviationsFile: join(dir, 'abbreviations.yaml'),
  };
}

async function problems(paths: ContentPaths): Promise<ContentError[]> {
  const result = await validateContentFiles(paths, { requiredTextKeys: extraTextKeys() });
  return result.ok ? [] : result.errors;
}

describe('content validation', () => {
  let paths: ReturnType<typeof copyContent>;
  beforeEach(() => {
    paths = copyContent();
  });
  afterEach(() => rmSync(paths.dir, { recursive: true, force: true }));

  it('accepts the shipped content', async () => {
    expect((await problems(defaultContentPaths())).map(formatContentError)).toEqual([]);
  });

  it('reports bad YAML with file and line', async () => {
    writeFileSync(
      join(paths.intentsDir, 'hotline.yaml'),
      'intent: hotline\nanswer: intent.hotline.answer\nexamples:\n  - "unclosed\n  - ok\n',
    );
    const errors = await problems(paths);
    const error = errors.find((e) => e.file === 'intents/hotline.yaml');
    expect(error?.message).toMatch(/YAML syntax/);
    expect(error?.line).toBeGreaterThanOrEqual(4);
  });

  it('reports an unknown key at its line', async () => {
    const file = join(paths.intentsDir, 'hotline.yaml');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace(/^examples:/m, 'exemples:'));
    const errors = await problems(paths);
    const unknown = errors.find((e) => /unknown key\(s\) 'exemples'/.test(e.message));
    expect(unknown?.file).toBe('intents/hotline.yaml');
    const expectedLine = original.split('\n').findIndex((l) => l.startsWith('examples:')) + 1;
    expect(unknown?.line).toBe(expectedLine);
  });

  it('reports an answer key that no locale has', async () => {
    const file = join(paths.intentsDir, 'hotline.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^answer: .*$/m, 'answer: intent.hotline.no_such_key'));
    const messages = (await problems(paths)).map(formatContentError);
    expect(messages).toContain("locales/vi.json: missing text 'intent.hotline.no_such_key'");
    expect(messages).toContain("locales/en.json: missing text 'intent.hotline.no_such_key'");
  });

  it('reports an example that appears under two intents', async () => {
    const file = join(paths.intentsDir, 'hotline.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^examples:\n/m, 'examples:\n  - Xin chao\n'));
    writeFileSync(
      join(paths.intentsDir, 'greeting.yaml'),
      readFileSync(join(paths.intentsDir, 'greeting.yaml'), 'utf8').replace(/^examples:\n/m, 'examples:\n  - xin chào\n'),
    );
    const errors = await problems(paths);
    expect(errors.some((e) => /also under intent/.test(e.message))).toBe(true);
  });

  it('reports a translation missing in English and a placeholder mismatch', async () => {
    const en = JSON.parse(readFileSync(join(paths.localesDir, 'en.json'), 'utf8'));
    delete en.menu.hotline;
    en.intent.hotline.answer = 'Call {{phone}}';
    writeFileSync(join(paths.localesDir, 'en.json'), JSON.stringify(en, null, 2));
    const messages = (await problems(paths)).map(formatContentError);
    expect(messages.some((m) => m.includes("locales/en.json: missing text 'menu.hotline'"))).toBe(true);
    expect(messages.some((m) => /intent\.hotline\.answer' uses placeholders phone/.test(m))).toBe(true);
  });

  it('reports invalid JSON in a locale file with its line', async () => {
    writeFileSync(join(paths.localesDir, 'vi.json'), '{\n  "intent": {\n    "x": "y",\n  }\n}\n');
    const error = (await problems(paths)).find((e) => e.file === 'locales/vi.json');
    expect(error?.message).toMatch(/JSON syntax/);
    expect(error?.line).toBe(4);
  });

  it('reports a multi-word abbreviation key', async () => {
    writeFileSync(paths.abbreviationsFile, 'expansions:\n  ko: không\n  "bay h": bây giờ\n');
    const error = (await problems(paths)).find((e) => e.file.endsWith('abbreviations.yaml'));
    expect(error?.message).toMatch(/exactly one word/);
    expect(error?.line).toBe(3);
  });
});
