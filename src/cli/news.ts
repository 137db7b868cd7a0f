/**
 * `npm run news -- publish FILE | list | validate [FILE…]`: editors publish a news item
 * written as a YAML file (docs/campaign.md), see what was published and how far it
 * reached, and check files before publishing.
 *
 *     npm run news -- validate                      topics, surveys and every news/*.yaml
 *     npm run news -- validate news/x.yaml          one file
 *     npm run news -- publish news/x.yaml           checked, stored; the running service sends it
 *     npm run news -- list [--limit N]              latest items, with their reach
 *
 * Every mistake is printed with its file and line. The item's id is the file's `id:`, or
 * its name without `.yaml`; an id published before is refused (never sent twice).
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { config as loadDotenv } from 'dotenv';
import { CampaignUseCases } from '../campaign/campaign-use-cases';
import { parseNewsFile, type NewsReferences } from '../campaign/news';
import { loadNewsTopics } from '../campaign/news-topics';
import { loadSurveys } from '../campaign/survey';
import { loadConfig } from '../config';
import { formatContentError, type ContentError } from '../content/content-error';
import { loadDirectory } from '../complaints/directory/directory-loader';
import { PROJECT_ROOT } from '../infra/project-root';
import { keyedHash } from '../infra/pseudonyms';
import { MongoCampaignStore } from '../storage/mongo/mongo-campaign-store';
import { openConfiguredDatabase } from './configured-database';
import { runCommand, UsageError } from './operator-command';

const USAGE = `usage:
  npm run news -- validate [FILE...]
  npm run news -- publish FILE
  npm run news -- list [--limit N]`;

export interface NewsCliDeps {
  /** Topics and localities a news file is checked against; the errors of the topic and survey files. */
  readonly references: () => Promise<{ refs: NewsReferences; errors: readonly ContentError[] }>;
  /** Opened only by `publish` and `list`. */
  readonly campaign: () => Promise<Pick<CampaignUseCases, 'publishNews' | 'listNews' | 'newsReach'>>;
  readonly readFile: (path: string) => Promise<string>;
  /** The news files `validate` checks when none is named. */
  readonly newsFiles: () => Promise<string[]>;
  readonly out: (line: string) => void;
}

/** Runs one command; returns the exit code (0 done, 1 something invalid or refused). Throws UsageError for a bad command line. */
export async function runNewsCli(args: readonly string[], deps: NewsCliDeps): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { limit: { type: 'string' } } });
  const [command, ...files] = positionals;
  if (command === 'list') {
    const limit = Number(values.limit ?? 20);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new UsageError('--limit is a number from 1 to 500');
    const campaign = await deps.campaign();
    const items = await campaign.listNews(limit);
    if (items.length === 0) deps.out('no news item published yet');
    for (const item of items) {
      const reach = Object.values(await campaign.newsReach(item.id));
      const total = (o: 'sent' | 'not_allowed' | 'skipped' | 'failed' | 'uncertain') => reach.reduce((n, r) => n + r[o], 0);
      deps.out(
        `${item.publishedAt.toISOString().slice(0, 16)}  ${item.id}  [${item.topics.join(', ')}]  ${item.title}\n` +
          `    sent ${total('sent')}, outside Zalo's window ${total('not_allowed')}, web (not pushed) ${total('skipped')}, ` +
          `failed ${total('failed')}, uncertain ${total('uncertain')}`,
      );
    }
    return 0;
  }
  if (command !== 'publish' && command !== 'validate') throw new UsageError('say validate, publish or list');
  if (command === 'publish' && files.length !== 1) throw new UsageError('publish takes one file');
  const { refs, errors } = await deps.references();
  const problems: ContentError[] = [...errors];
  const drafts = [];
  for (const file of files.length ? files : await deps.newsFiles()) {
    const text = await deps.readFile(file).catch(() => undefined);
    if (text === undefined) {
      problems.push({ file, message: 'cannot be read (no such file?)' });
      continue;
    }
    const parsed = parseNewsFile(file, text, refs);
    if (parsed.ok) drafts.push({ file, draft: { ...parsed.value, id: parsed.value.id ?? basename(file).replace(/\.ya?ml$/, '') } });
    else problems.push(...parsed.errors);
  }
  for (const p of problems) deps.out(formatContentError(p));
  if (problems.length) return 1;
  if (command === 'validate') {
    deps.out(`ok: topics, surveys${drafts.length ? ` and ${drafts.length} news file(s)` : ''} are valid`);
    return 0;
  }
  const [{ file, draft }] = drafts;
  const result = await (await deps.campaign()).publishNews(draft, `file:${file}`);
  if (!result.ok) {
    for (const e of result.errors) deps.out(`${file}: ${e}`);
    return 1;
  }
  deps.out(`published '${result.id}': the running service sends it to the matching subscribers (see: npm run news -- list)`);
  return 0;
}

/** The project's files and database, as the service has them configured. */
function configuredDeps(): NewsCliDeps {
  loadDotenv({ quiet: true });
  const config = loadConfig();
  const path = (p: string) => resolve(PROJECT_ROOT, p);
  const loaded = (async () => {
    const [topics, surveys, directory] = await Promise.all([
      loadNewsTopics(path(config.NEWS_TOPICS_FILE), config.NEWS_TOPICS_FILE),
      loadSurveys(path(config.SURVEYS_DIR), config.SURVEYS_DIR),
      loadDirectory(path(config.DIRECTORY_FILE), config.DIRECTORY_FILE),
    ]);
    return { topics, surveys, directory };
  })();
  return {
    references: async () => {
      const { topics, surveys, directory } = await loaded;
      const errors = [topics, surveys, directory].flatMap((c) => (c.ok ? [] : c.errors));
      return {
        refs: {
          topics: topics.ok ? topics.value : [],
          localityIds: new Set(directory.ok ? directory.value.localities.map((l) => l.id) : []),
        },
        errors,
      };
    },
    campaign: async () => {
      const { topics, surveys, directory } = await loaded;
      if (!topics.ok || !surveys.ok || !directory.ok) throw new Error('fix the files above first (npm run news -- validate)');
      const { db } = await openConfiguredDatabase({ share: 'attach' });
      const store = new MongoCampaignStore(db);
      return new CampaignUseCases({
        subscriptions: store,
        news: store,
        broadcasts: store,
        surveys: store,
        topics: () => topics.value,
        directory: { current: () => directory.value },
        surveyDefinitions: () => surveys.value,
        // Publishing and listing never touch survey answers: a throwaway key is enough.
        respondentKey: (channel, userId) => keyedHash(Buffer.from('news-cli'))(`${channel}:${userId}`),
      });
    },
    readFile: (file) => readFile(path(file), 'utf8'),
    newsFiles: async () =>
      (await readdir(path('news')).catch(() => [] as string[]))
        .filter((f) => f.endsWith('.yaml'))
        .sort()
        .map((f) => relative(PROJECT_ROOT, path(`news/${f}`))),
    out: (line) => console.log(line),
  };
}

if (require.main === module) {
  runCommand(USAGE, async (argv) => {
    process.exitCode = await runNewsCli(argv, configuredDeps());
  });
}
