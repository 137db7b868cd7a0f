/**
 * The coordinator's campaign reports, as sections of the console's report page (the same
 * shape as the complaint reports: tables for the CSV and the monthly summary, a chart):
 * subscribers per channel and topic, the reach of the news items published in the
 * period, and the survey campaigns' mean scores per agency and question.
 */
import type { ReportSection } from '../reports/report-sections';
import { chartLabel, chartLines } from '../reports/report-sections';
import type { CampaignUseCases } from './campaign-use-cases';
import { RECEIPT_OUTCOMES, type ReceiptOutcome } from './ports';
import { localized } from './survey';

const OUTCOME_LABELS: Readonly<Record<ReceiptOutcome, string>> = {
  sent: 'Đã gửi',
  not_allowed: 'Ngoài thời hạn Zalo cho phép',
  skipped: 'Web (không gửi được, xem khi hỏi)',
  failed: 'Lỗi',
  uncertain: 'Không rõ (gửi bị gián đoạn)',
};

/** Whom the answers of subscribers invited without a closed complaint are counted under. */
const SUBSCRIBERS_WITHOUT_AGENCY = 'Người đăng ký nhận tin';

type CampaignReports = Pick<
  CampaignUseCases,
  'subscriberCounts' | 'references' | 'listNews' | 'newsReach' | 'listSurveyCampaigns' | 'surveyResults'
>;

export function campaignReportSections(campaign: CampaignReports): ReportSection[] {
  return [
    {
      id: 'subscribers',
      title: 'Người đăng ký nhận tin',
      byAgency: false,
      async load() {
        const counts = await campaign.subscriberCounts();
        const topics = campaign.references().topics;
        return {
          id: this.id,
          title: this.title,
          note: 'Số người đang đăng ký hiện nay (không theo kỳ): một người có thể nhận nhiều chủ đề.',
          tables: [
            { title: 'Theo kênh', columns: ['Kênh', 'Người đăng ký'], rows: [...Object.entries(counts.byChannel), ['Tổng', counts.total]] },
            {
              title: 'Theo chủ đề',
              columns: ['Chủ đề', 'Người đăng ký'],
              rows: topics.map((t) => [t.label.vi, counts.byTopic[t.id] ?? 0]),
            },
          ],
          chart: {
            type: 'bar',
            horizontal: true,
            labels: topics.map((t) => chartLabel(t.label.vi)),
            datasets: [{ label: 'Người đăng ký', data: topics.map((t) => counts.byTopic[t.id] ?? 0) }],
          },
        };
      },
    },
    {
      id: 'news-reach',
      title: 'Tin đã đăng và số người nhận',
      byAgency: false,
      async load(_ctx, filter) {
        const items = (await campaign.listNews(200)).filter((n) => n.publishedAt >= filter.from && n.publishedAt < filter.to).reverse();
        const reaches = await Promise.all(items.map((n) => campaign.newsReach(n.id)));
        const sums = reaches.map((reach) => {
          const sum: Record<ReceiptOutcome, number> = { sent: 0, not_allowed: 0, skipped: 0, failed: 0, uncertain: 0 };
          for (const perChannel of Object.values(reach)) for (const o of RECEIPT_OUTCOMES) sum[o] += perChannel[o];
          return sum;
        });
        return {
          id: this.id,
          title: this.title,
          note: 'Mỗi người đăng ký được tính một lần cho mỗi tin; "không rõ": lần gửi bị gián đoạn (máy chủ dừng đột ngột), không gửi lại để tránh trùng.',
          tables: [
            {
              columns: ['Ngày đăng', 'Tin', ...RECEIPT_OUTCOMES.map((o) => OUTCOME_LABELS[o])],
              rows: items.map((n, i) => [n.publishedAt.toISOString().slice(0, 10), n.title, ...RECEIPT_OUTCOMES.map((o) => sums[i][o])]),
            },
          ],
          chart: {
            type: 'bar',
            stacked: true,
            horizontal: true,
            labels: items.map((n) => chartLabel(n.title)),
            datasets: RECEIPT_OUTCOMES.map((o) => ({ label: OUTCOME_LABELS[o], data: sums.map((s) => s[o]) })),
          },
        };
      },
    },
    {
      id: 'survey-results',
      title: 'Kết quả khảo sát theo cơ quan',
      byAgency: true,
      async load(ctx, filter) {
        const campaigns = (await campaign.listSurveyCampaigns(50)).filter(
          (c) => c.launchedAt && c.launchedAt >= filter.from && c.launchedAt < filter.to,
        );
        const rows: (string | number)[][] = [];
        // The chart: one category per scored question (its Vietnamese text, the campaign's name when several), one bar per agency.
        const questions: { key: string; label: string[] }[] = [];
        const means = new Map<string, Map<string, number>>();
        for (const c of campaigns) {
          const results = await campaign.surveyResults(c.id);
          if (!results) continue;
          for (const q of results.questions.filter((x) => x.kind === 'likert')) {
            const question = results.survey.questions.find((x) => x.id === q.questionId);
            const text = question ? localized(question.text, 'vi') : q.questionId;
            const key = `${c.id}|${q.questionId}`;
            let drawn = false;
            for (const [agency, r] of Object.entries(q.byAgency)) {
              if (filter.agencyId && agency !== filter.agencyId) continue;
              const agencyName = agency ? ctx.labels.agency(agency) : SUBSCRIBERS_WITHOUT_AGENCY;
              rows.push([c.name, agencyName, text, r.answers, r.mean ?? 0]);
              if (r.mean === undefined) continue;
              if (!means.has(agencyName)) means.set(agencyName, new Map());
              means.get(agencyName)?.set(key, r.mean);
              drawn = true;
            }
            if (drawn)
              questions.push({ key, label: campaigns.length > 1 ? [...chartLines(text, 3), ...chartLines(c.name, 1)] : chartLines(text) });
          }
        }
        return {
          id: this.id,
          title: this.title,
          note: 'Điểm trung bình (1–5) các câu hỏi chấm điểm của các đợt khảo sát mở trong kỳ; ý kiến viết tay xem ở trang kết quả từng đợt, không kèm danh tính.',
          tables: [{ columns: ['Đợt khảo sát', 'Cơ quan', 'Câu hỏi', 'Số trả lời', 'Điểm trung bình'], rows }],
          chart: {
            type: 'bar',
            horizontal: true,
            max: 5,
            labels: questions.map((q) => q.label),
            datasets: [...means].map(([agencyName, byQuestion]) => ({
              label: chartLabel(agencyName),
              data: questions.map((q) => byQuestion.get(q.key) ?? null),
            })),
          },
        };
      },
    },
  ];
}
