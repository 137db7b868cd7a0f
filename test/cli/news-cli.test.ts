/** `npm run news`: files checked with file and line, published once (stored with its broadcast), listed with their reach, on the test FerretDB. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runNewsCli, type NewsCliDeps } from '../../src/cli/news';
import type { Database } from '../../src/storage/mongo/database';
import { campaignKit, type CampaignKit } from '../campaign/support/campaign-kit';
import { dropTestDatabase, openTestDatabase } from '../support/database';

const ROOT = join(__dirname, '..', '..');
const SAMPLE = 'news/chinh-quyen-hai-cap-dich-vu-cong.yaml';
let db: Database;
let kit: CampaignKit;
const drafts = new Map<string, string>();

beforeAll(async () => {
  db = await openTestDatabase('news_cli');
  kit = await campaignKit(db);
});

afterAll(async () => {
  await dropTestDatabase(db);
});

async function run(...args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const deps: NewsCliDeps = {
    references: async () => ({
      refs: { topics: kit.topics, localityIds: new Set(kit.directory.localities.map((l) => l.id)) },
      errors: [],
    }),
    campaign: async () => kit.campaign,
    readFile: async (file) => drafts.get(file) ?? readFile(join(ROOT, file), 'utf8'),
    newsFiles: async () => [SAMPLE],
    out: (l) => lines.push(l),
  };
  const code = await runNewsCli(args, deps);
  return { code, out: lines.join('\n') };
}

it('validates the sample and reports every mistake of a broken file with its line', async () => {
  await expect(run('validate')).resolves.toMatchObject({ code: 0, out: expect.stringContaining('1 news file(s) are valid') });
  drafts.set(
    'news/broken.yaml',
    [
      'title: Nộp hồ sơ đất đai trực tuyến',
      'summary: Hồ sơ đăng ký đất đai lần đầu được nộp trên Cổng dịch vụ công.',
      'link: https://dichvucong.gov.vn/',
      'topics: [land, weather]',
      'localities: [huyen-dak-ha, atlantis]',
      '',
    ].join('\n'),
  );
  const { code, out } = await run('validate', 'news/broken.yaml');
  expect(code).toBe(1);
  expect(out).toContain('news/broken.yaml:4:');
  expect(out).toContain("unknown topic 'weather'");
  expect(out).toContain('news/broken.yaml:5:');
  expect(out).toContain("unknown locality 'atlantis'");
  expect(out).not.toContain("'huyen-dak-ha'");
  drafts.set('news/not-yaml.yaml', 'title: [unclosed\n');
  expect((await run('publish', 'news/not-yaml.yaml')).out).toMatch(/^news\/not-yaml\.yaml:\d+:\d+: YAML syntax/);
  expect(await db.models.News.countDocuments({})).toBe(0);
});

it('publishes a file once, with the broadcast the service sends, and lists it with its reach', async () => {
  const published = await run('publish', SAMPLE);
  expect(published).toMatchObject({ code: 0, out: expect.stringContaining("published 'chinh-quyen-hai-cap-dich-vu-cong'") });
  const item = await db.models.News.findById('chinh-quyen-hai-cap-dich-vu-cong').lean();
  expect(item).toMatchObject({ publishedBy: `file:${SAMPLE}`, topics: ['reform', 'online_services'], localityIds: [] });
  expect(await db.models.Broadcast.findById('news:chinh-quyen-hai-cap-dich-vu-cong').lean()).toMatchObject({
    audience: { kind: 'subscribers', topics: ['reform', 'online_services'] },
  });

  const again = await run('publish', SAMPLE);
  expect(again.code).toBe(1);
  expect(again.out).toContain('already published');
  expect(await db.models.News.countDocuments({})).toBe(1);

  await db.models.BroadcastReceipt.insertMany(
    ['sent', 'sent', 'uncertain'].map((outcome, i) => ({
      _id: `news:chinh-quyen-hai-cap-dich-vu-cong|telegram:${i}`,
      broadcastId: 'news:chinh-quyen-hai-cap-dich-vu-cong',
      recipientId: `telegram:${i}`,
      channel: 'telegram',
      outcome,
      attempts: 1,
      at: new Date(),
    })),
  );
  const listed = await run('list');
  expect(listed.code).toBe(0);
  expect(listed.out).toContain('chinh-quyen-hai-cap-dich-vu-cong');
  expect(listed.out).toContain('sent 2,');
  expect(listed.out).toContain('uncertain 1');
});

it('refuses a bad command line', async () => {
  await expect(run('frobnicate')).rejects.toThrow(/validate, publish or list/);
  await expect(run('publish')).rejects.toThrow(/one file/);
  await expect(run('list', '--limit', 'many')).rejects.toThrow(/--limit/);
});
