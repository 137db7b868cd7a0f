/**
 * The news topics and the survey files reload while the service runs (WATCH_CONTENT), like
 * the other content: a valid edit is in service within moments, a broken one is refused
 * and the last good version stays.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestService, type TestService } from '../support/test-service';

const ROOT = join(__dirname, '..', '..');
let dir: string;
let s: TestService;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cchc-campaign-content-'));
  cpSync(join(ROOT, 'config', 'news-topics.yaml'), join(dir, 'news-topics.yaml'));
  cpSync(join(ROOT, 'surveys'), join(dir, 'surveys'), { recursive: true });
  s = await startTestService('campaign_reload', {
    WATCH_CONTENT: 'true',
    NEWS_TOPICS_FILE: join(dir, 'news-topics.yaml'),
    SURVEYS_DIR: join(dir, 'surveys'),
  });
}, 180_000);

afterAll(async () => {
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function eventually<T>(what: string, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not seen in time: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('reloads a topic label, and keeps the last good topics when an edit is broken', async () => {
  const file = join(dir, 'news-topics.yaml');
  const original = readFileSync(file, 'utf8');
  writeFileSync(file, original.replace('label: { vi: Đất đai, en: Land }', 'label: { vi: Đất đai và nhà ở, en: Land and housing }'));
  await eventually('the new label', () =>
    s.app.campaign.references().topics.find((t) => t.label.vi === 'Đất đai và nhà ở') ? true : undefined,
  );

  // Six topics: more than a phone screen's buttons, refused.
  writeFileSync(file, `${readFileSync(file, 'utf8')}  - id: weather\n    label: { vi: Thời tiết, en: Weather }\n`);
  await new Promise((r) => setTimeout(r, 1500));
  const topics = s.app.campaign.references().topics.map((t) => t.id);
  expect(topics).toHaveLength(5);
  expect(topics).not.toContain('weather');
  expect(s.app.campaign.references().topics.find((t) => t.id === 'land')?.label.vi).toBe('Đất đai và nhà ở');
});

it('takes a new survey file, and keeps the surveys in service when one is broken', async () => {
  const sample = readFileSync(join(dir, 'surveys', 'sipas-dich-vu-cong.yaml'), 'utf8');
  writeFileSync(join(dir, 'surveys', 'hanh-chinh-cong.yaml'), sample.replace('id: sipas-dich-vu-cong', 'id: hanh-chinh-cong'));
  await eventually('the new survey', () =>
    s.app.campaign.surveyDefinitionList().some((d) => d.id === 'hanh-chinh-cong') ? true : undefined,
  );

  writeFileSync(join(dir, 'surveys', 'hong.yaml'), 'id: hong\ntitle: { vi: thiếu câu hỏi }\n');
  await new Promise((r) => setTimeout(r, 1500));
  expect(
    s.app.campaign
      .surveyDefinitionList()
      .map((d) => d.id)
      .sort(),
  ).toEqual(['hanh-chinh-cong', 'sipas-dich-vu-cong']);
  const created = await s.app.campaign.createSurveyCampaign({
    surveyId: 'hanh-chinh-cong',
    name: 'Khảo sát sau khi tải lại',
    audience: { kind: 'survey', subscribers: { topics: [] } },
    by: 'test',
  });
  expect(created.ok).toBe(true);
});
