/**
 * The coordinator's survey report (a campaign report section) on answers stored in a real
 * database: its chart names each scored question by its Vietnamese text — never by its id —
 * with one bar per agency, and the means match hand counts.
 */
import { campaignReportSections } from '../../src/campaign/campaign-report-sections';
import { chartLines, type ReportContext, type ReportResult } from '../../src/reports/report-sections';
import type { Database } from '../../src/storage/mongo/database';
import { MongoReportSource } from '../../src/storage/mongo/mongo-report-source';
import { campaignKit, type CampaignKit } from '../campaign/support/campaign-kit';
import { dropTestDatabase, openTestDatabase } from '../support/database';

const SURVEY = 'sipas-dich-vu-cong';
const DAK_HA = 'ubnd-huyen-dak-ha';
const TAX = 'cuc-thue-tinh';
const launched = new Date(Date.UTC(2026, 10, 10, 3));
const november = { from: new Date(Date.UTC(2026, 9, 31, 17)), to: new Date(Date.UTC(2026, 10, 30, 17)) };

let db: Database;
let kit: CampaignKit;
let ctx: ReportContext;

beforeAll(async () => {
  db = await openTestDatabase('survey_report');
  kit = await campaignKit(db, { clock: () => launched });
  const agencyName = (id: string) => kit.directory.agencyById.get(id)?.name.vi ?? id;
  ctx = {
    source: new MongoReportSource(db),
    labels: { agency: agencyName, sector: (id) => id, locality: (id) => id ?? '', intent: (id) => id },
    now: launched,
  };
  const created = await kit.campaign.createSurveyCampaign({
    surveyId: SURVEY,
    name: 'Khảo sát tháng 11',
    audience: { kind: 'survey', subscribers: { topics: [] } },
    by: 'console:bientap',
  });
  if (!created.ok) throw new Error(created.error);
  await kit.campaign.launchSurveyCampaign(created.id);
  // Đắk Hà: overall 5 and 3 (mean 4), timeliness 4 and 2 (mean 3); the tax department: overall 2, no timeliness answer.
  const answers: [string, string | undefined, Record<string, number>][] = [
    ['u1', DAK_HA, { overall: 5, timeliness: 4 }],
    ['u2', DAK_HA, { overall: 3, timeliness: 2 }],
    ['u3', TAX, { overall: 2 }],
  ];
  for (const [userId, agencyId, scores] of answers) {
    await kit.campaign.submitSurvey({
      campaignId: created.id,
      channel: 'telegram',
      userId,
      ...(agencyId ? { agencyId } : {}),
      answers: Object.fromEntries(Object.entries(scores).map(([q, score]) => [q, { kind: 'likert' as const, score }])),
    });
  }
}, 60_000);

afterAll(() => dropTestDatabase(db));

async function surveyReport(agencyId?: string): Promise<ReportResult> {
  const section = campaignReportSections(kit.campaign).find((s) => s.id === 'survey-results');
  if (!section) throw new Error('no survey-results section');
  return section.load(ctx, { ...november, ...(agencyId ? { agencyId } : {}) });
}

const questionText = (id: string): string => {
  const q = kit.surveys.get(SURVEY)?.questions.find((x) => x.id === id);
  if (!q) throw new Error(`no question ${id}`);
  return q.text.vi;
};

it('labels the chart with the questions in Vietnamese, one bar per agency, means from the answers', async () => {
  const result = await surveyReport();
  const labels = result.chart?.labels ?? [];
  expect(labels).toEqual([chartLines(questionText('overall')), chartLines(questionText('timeliness'))]);
  // The lines are the question's words, in order (nothing but the words was cut here).
  expect((labels[1] as string[]).join(' ')).toBe(questionText('timeliness'));
  const flat = labels.flat().join(' ');
  for (const id of ['overall', 'timeliness']) expect(flat).not.toContain(id);

  const agencyName = (id: string) => ctx.labels.agency(id);
  const datasets = [...(result.chart?.datasets ?? [])].sort((a, b) => a.label.localeCompare(b.label));
  expect(datasets).toEqual(
    [
      { label: agencyName(DAK_HA), data: [4, 3] },
      { label: agencyName(TAX), data: [2, null] },
    ].sort((a, b) => a.label.localeCompare(b.label)),
  );
  expect(result.tables[0].rows).toContainEqual(['Khảo sát tháng 11', agencyName(DAK_HA), questionText('overall'), 2, 4]);
});

it('narrowed to one agency, draws only its bars', async () => {
  const result = await surveyReport(TAX);
  expect(result.chart?.datasets).toEqual([{ label: ctx.labels.agency(TAX), data: [2] }]);
  expect(result.chart?.labels).toEqual([chartLines(questionText('overall'))]);
});

it('cuts a long label into lines of at most 24 characters, the words kept in order', () => {
  const lines = chartLines('Thời gian giải quyết có đúng hẹn không? (1 = rất chậm, 5 = đúng hoặc sớm hơn hẹn)');
  expect(lines.every((l) => l.length <= 24)).toBe(true);
  expect(lines.join(' ')).toBe('Thời gian giải quyết có đúng hẹn không? (1 = rất chậm, 5 = đúng hoặc sớm hơn hẹn)');
  const cut = chartLines('một '.repeat(40).trim(), 2);
  expect(cut).toHaveLength(2);
  expect(cut[1].endsWith('…')).toBe(true);
});
