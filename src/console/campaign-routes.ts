/**
 * The editor's pages: news items (list with their reach, publish with topics and
 * localities) and survey campaigns (create from a survey definition, launch, close,
 * results per agency and question). They call the campaign's use cases, which trust
 * their caller: every route here checks the role first, every action is audited, and
 * every form carries the CSRF token (checked by the console for every POST).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { CampaignUseCases } from '../campaign/campaign-use-cases';
import { RECEIPT_OUTCOMES } from '../campaign/ports';
import type { ConsoleRequestTools } from './console-context';
import type { ConsoleNavEntry } from './console-view';

export type CampaignConsolePort = Pick<
  CampaignUseCases,
  | 'publishNews'
  | 'listNews'
  | 'newsReach'
  | 'references'
  | 'surveyDefinitionList'
  | 'createSurveyCampaign'
  | 'launchSurveyCampaign'
  | 'closeSurveyCampaign'
  | 'listSurveyCampaigns'
  | 'surveyResults'
>;

export const CAMPAIGN_NAV: readonly ConsoleNavEntry[] = [
  { href: '/console/news', label: 'Tin cải cách hành chính', roles: ['editor'] },
  { href: '/console/surveys', label: 'Khảo sát', roles: ['editor'] },
];

/** A form field given once or several times (checkboxes, multiple selects). */
const many = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]).map((x) => x.trim()).filter(Boolean));
const optionalText = z
  .string()
  .optional()
  .transform((v) => v?.trim() || undefined);

const NewsForm = z.object({
  title: z.string().default(''),
  summary: z.string().default(''),
  link: z.string().default(''),
  image: optionalText,
  topics: many,
  localities: many,
});

const SurveyForm = z.object({
  surveyId: z.string().max(80).default(''),
  name: z.string().trim().min(3, 'đặt tên cho đợt khảo sát (ít nhất 3 ký tự)').max(120),
  subscribers: z.string().optional(),
  subscriberTopics: many,
  closedFrom: optionalText,
  closedTo: optionalText,
  agencies: many,
});
const CampaignId = z.object({ id: z.string().regex(/^[a-z0-9_-]{3,100}$/) });
const Done = z.object({ done: z.string().max(40).optional().catch(undefined) });

export function registerCampaignRoutes(scope: FastifyInstance, tools: ConsoleRequestTools, campaign: CampaignConsolePort): void {
  const editor = { preHandler: tools.requireRoles('editor') };
  const by = (request: FastifyRequest) => `console:${tools.account(request).username}`;

  const newsPage = async (request: FastifyRequest, reply: Parameters<ConsoleRequestTools['page']>[1], extra: Record<string, unknown>) => {
    const items = await campaign.listNews(50);
    const reaches = await Promise.all(items.map((n) => campaign.newsReach(n.id)));
    const refs = campaign.references();
    const directory = tools.deps.directory.current();
    return tools.page(request, reply, 'news', 'Tin cải cách hành chính', {
      items: items.map((item, i) => ({ item, reach: totals(reaches[i]) })),
      outcomes: RECEIPT_OUTCOMES,
      topics: refs.topics.map((t) => ({ id: t.id, label: t.label.vi })),
      localities: directory.localities.map((l) => ({ id: l.id, name: l.name.vi })),
      ...extra,
    });
  };

  scope.get('/news', editor, async (request, reply) => newsPage(request, reply, { done: Done.parse(request.query ?? {}).done }));

  scope.post('/news', editor, async (request, reply) => {
    const form = NewsForm.parse(request.body ?? {});
    const result = await campaign.publishNews(
      {
        title: form.title,
        summary: form.summary,
        link: form.link,
        ...(form.image ? { image: form.image } : {}),
        topics: form.topics,
        localities: form.localities,
      },
      by(request),
    );
    await tools.audit(request, {
      action: 'news.publish',
      ...(result.ok ? { target: result.id } : {}),
      outcome: result.ok ? 'ok' : 'refused',
      ...(result.ok ? { detail: `topics ${form.topics.join(',')}; localities ${form.localities.length}` } : {}),
    });
    if (result.ok) return reply.redirect(`/console/news?done=published`, 303);
    reply.status(400);
    return newsPage(request, reply, { errors: result.errors, form });
  });

  const surveysPage = async (
    request: FastifyRequest,
    reply: Parameters<ConsoleRequestTools['page']>[1],
    extra: Record<string, unknown>,
  ) => {
    const directory = tools.deps.directory.current();
    return tools.page(request, reply, 'surveys', 'Khảo sát mức độ hài lòng', {
      campaigns: await campaign.listSurveyCampaigns(50),
      surveys: campaign.surveyDefinitionList().map((s) => ({ id: s.id, title: s.title.vi, questions: s.questions.length })),
      topics: campaign.references().topics.map((t) => ({ id: t.id, label: t.label.vi })),
      agencies: directory.agencies.map((a) => ({ id: a.id, name: a.name.vi })),
      ...extra,
    });
  };

  scope.get('/surveys', editor, async (request, reply) => surveysPage(request, reply, { done: Done.parse(request.query ?? {}).done }));

  scope.post('/surveys', editor, async (request, reply) => {
    const parsed = SurveyForm.safeParse(request.body ?? {});
    const audience = parsed.success ? surveyAudience(parsed.data) : undefined;
    const result =
      parsed.success && audience
        ? await campaign.createSurveyCampaign({ surveyId: parsed.data.surveyId, name: parsed.data.name, audience, by: by(request) })
        : { ok: false as const, error: parsed.success ? 'ngày không hợp lệ (dd/mm/yyyy hoặc yyyy-mm-dd)' : parsed.error.issues[0].message };
    await tools.audit(request, {
      action: 'survey.create',
      ...(result.ok ? { target: result.id } : {}),
      outcome: result.ok ? 'ok' : 'refused',
      ...(result.ok ? {} : { detail: result.error.slice(0, 120) }),
    });
    if (result.ok) return reply.redirect(`/console/surveys?done=created`, 303);
    reply.status(400);
    return surveysPage(request, reply, { error: result.error });
  });

  for (const action of ['launch', 'close'] as const) {
    scope.post(`/surveys/:id/${action}`, editor, async (request, reply) => {
      const params = CampaignId.safeParse(request.params);
      if (!params.success) return tools.fail(request, reply, 404, 'Không có đợt khảo sát này.');
      const result =
        action === 'launch'
          ? await campaign.launchSurveyCampaign(params.data.id)
          : (await campaign.closeSurveyCampaign(params.data.id), { ok: true as const });
      await tools.audit(request, {
        action: `survey.${action}`,
        target: params.data.id,
        outcome: result.ok ? 'ok' : 'refused',
        ...(result.ok ? {} : { detail: result.error.slice(0, 120) }),
      });
      return reply.redirect(`/console/surveys?done=${result.ok ? action : 'refused'}`, 303);
    });
  }

  scope.get('/surveys/:id', { preHandler: tools.requireRoles('editor', 'coordinator') }, async (request, reply) => {
    const params = CampaignId.safeParse(request.params);
    const results = params.success ? await campaign.surveyResults(params.data.id) : undefined;
    if (!results) return tools.fail(request, reply, 404, 'Không có đợt khảo sát này.');
    const labels = tools.deps.reports.labels();
    return tools.page(request, reply, 'survey-results', `Kết quả: ${results.campaign.name}`, {
      results,
      agencyName: (id: string) => (id ? labels.agency(id) : 'Người đăng ký nhận tin (không gắn cơ quan)'),
      invitations: totals(results.invitations),
      outcomes: RECEIPT_OUTCOMES,
    });
  });
}

/** Receipts summed over channels: outcome → count. */
function totals(reach: Readonly<Record<string, Readonly<Record<string, number>>>>): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const perChannel of Object.values(reach))
    for (const [outcome, n] of Object.entries(perChannel)) sum[outcome] = (sum[outcome] ?? 0) + n;
  return sum;
}

/** The form's audience; undefined when a date does not parse. */
function surveyAudience(
  form: z.output<typeof SurveyForm>,
): Parameters<CampaignConsolePort['createSurveyCampaign']>[0]['audience'] | undefined {
  const from = form.closedFrom ? parseDay(form.closedFrom) : undefined;
  const to = form.closedTo ? parseDay(form.closedTo) : undefined;
  if ((form.closedFrom && !from) || (form.closedTo && !to) || Boolean(from) !== Boolean(to)) return undefined;
  return {
    kind: 'survey',
    ...(form.subscribers ? { subscribers: { topics: form.subscriberTopics } } : {}),
    ...(from && to ? { closedComplaints: { from, to: new Date(to.getTime() + 24 * 3600_000), agencyIds: form.agencies } } : {}),
  };
}

/** "2026-03-31" or "31/03/2026" → the start of that day in Vietnam (UTC+7). */
function parseDay(text: string): Date | undefined {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const vn = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
  const [y, m, d] = iso ? [iso[1], iso[2], iso[3]] : vn ? [vn[3], vn[2], vn[1]] : [];
  if (!y) return undefined;
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)) - 7 * 3600_000);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
