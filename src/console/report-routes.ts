/**
 * The coordinator's reports: every report section of the period with its chart and its
 * table, one section as CSV, and the monthly summary (a page made to print on A4). The
 * figures come from aggregation pipelines (report sections over the ReportSource).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { reportCsv } from '../reports/csv';
import { parseMonth, parsePeriod, type Period } from '../reports/report-period';
import type { ReportResult, ReportSection } from '../reports/report-sections';
import { onePassSource, type ReportFilter } from '../reports/report-source';
import type { ConsoleRequestTools } from './console-context';

const Query = z.object({
  from: z.string().max(10).optional(),
  to: z.string().max(10).optional(),
  month: z.string().max(7).optional(),
  agency: z.string().max(100).optional(),
});

export function registerReportRoutes(scope: FastifyInstance, tools: ConsoleRequestTools): void {
  const { deps } = tools;
  const coordinator = { preHandler: tools.requireRoles('coordinator') };
  const agencies = () => deps.directory.current().agencies.map((a) => ({ id: a.id, name: a.name.vi }));

  const filterOf = (request: FastifyRequest, period: Period) => {
    const query = Query.safeParse(request.query ?? {});
    const agency =
      query.success && query.data.agency && deps.directory.current().agencyById.has(query.data.agency) ? query.data.agency : undefined;
    return { from: period.from, to: period.to, ...(agency ? { agencyId: agency } : {}) } satisfies ReportFilter;
  };
  const load = (sections: readonly ReportSection[], filter: ReportFilter): Promise<ReportResult[]> => {
    const ctx = { source: onePassSource(deps.reports.source), labels: deps.reports.labels(), now: tools.now() };
    return Promise.all(sections.map((s) => s.load(ctx, s.byAgency ? filter : { from: filter.from, to: filter.to })));
  };
  const query = (request: FastifyRequest) => {
    const parsed = Query.safeParse(request.query ?? {});
    return parsed.success ? parsed.data : {};
  };

  scope.get('/reports', coordinator, async (request, reply) => {
    const q = query(request);
    const period = parsePeriod(q.from, q.to, tools.now());
    if (!period)
      return tools.fail(request, reply, 400, 'Khoảng thời gian không hợp lệ (tối đa 400 ngày, ngày bắt đầu trước ngày kết thúc).');
    const filter = filterOf(request, period);
    const results = await load(deps.reports.sections, filter);
    await tools.audit(request, {
      action: 'report.view',
      target: 'all',
      outcome: 'ok',
      detail: `${period.fromDate}..${period.toDate} ${filter.agencyId ?? ''}`,
    });
    return tools.page(request, reply, 'reports', 'Báo cáo', {
      results,
      period,
      agency: filter.agencyId,
      agencies: agencies(),
      sections: deps.reports.sections,
    });
  });

  scope.get('/reports/monthly', coordinator, async (request, reply) => {
    const q = query(request);
    const month = parseMonth(q.month, tools.now());
    if (!month) return tools.fail(request, reply, 400, 'Tháng không hợp lệ (dạng 2026-11).');
    const filter = filterOf(request, month);
    const results = await load(deps.reports.sections, filter);
    await tools.audit(request, { action: 'report.monthly', target: month.month, outcome: 'ok', detail: filter.agencyId });
    return tools.page(request, reply, 'monthly', `Báo cáo tháng ${month.month.slice(5)}/${month.month.slice(0, 4)}`, {
      results,
      month,
      agency: filter.agencyId,
      agencyName: filter.agencyId ? deps.reports.labels().agency(filter.agencyId) : undefined,
      agencies: agencies(),
      generatedAt: tools.now(),
    });
  });

  scope.get('/reports/:id.csv', coordinator, async (request, reply) => {
    const id = String((request.params as { id?: string }).id ?? '');
    const section = deps.reports.sections.find((s) => s.id === id);
    const q = query(request);
    const period = parsePeriod(q.from, q.to, tools.now());
    if (!section || !period) return tools.fail(request, reply, 404, 'Không có báo cáo này hoặc khoảng thời gian không hợp lệ.');
    const filter = filterOf(request, period);
    const [result] = await load([section], filter);
    await tools.audit(request, {
      action: 'report.csv',
      target: id,
      outcome: 'ok',
      detail: `${period.fromDate}..${period.toDate} ${filter.agencyId ?? ''}`,
    });
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${id}_${period.fromDate}_${period.toDate}.csv"`)
      .send(reportCsv(result));
  });
}
