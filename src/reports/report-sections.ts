/**
 * The coordinator's reports, each a {@link ReportSection}: it reads grouped counts from a
 * {@link ReportSource} and returns tables (what the CSV export and the monthly summary
 * print) and a chart (what the console draws with Chart.js). Pure apart from `source`.
 *
 * Adding a report (the campaign's subscribers, news reach, survey results…) is one more
 * object with the same shape, given to the console next to these — see
 * docs/console.md, "Adding a report"; nothing else changes.
 */
import type { ReportFilter, ReportSource } from './report-source';

interface ReportTable {
  readonly title?: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
}

interface ChartSpec {
  readonly type: 'bar' | 'line' | 'doughnut';
  /** One per category; a label given as lines is drawn on several lines (Chart.js takes arrays). */
  readonly labels: readonly (string | readonly string[])[];
  /** `null`: no figure for that category (a gap, not a zero). */
  readonly datasets: readonly { readonly label: string; readonly data: readonly (number | null)[] }[];
  readonly stacked?: boolean;
  /** Values are percentages (axis 0–100). */
  readonly percent?: boolean;
  /** The value axis ends there (a 1–5 score: 5), not at the largest value. */
  readonly max?: number;
  /** Horizontal bars (long labels such as agency names). */
  readonly horizontal?: boolean;
}

export interface ReportResult {
  readonly id: string;
  readonly title: string;
  /** One line saying how the figures are counted. */
  readonly note?: string;
  readonly tables: readonly ReportTable[];
  readonly chart?: ChartSpec;
}

/** Display names for the ids the counts carry. */
export interface ReportLabels {
  agency(id: string): string;
  sector(id: string): string;
  locality(id: string | null): string;
  intent(id: string): string;
}

export interface ReportContext {
  readonly source: ReportSource;
  readonly labels: ReportLabels;
  readonly now: Date;
}

export interface ReportSection {
  readonly id: string;
  readonly title: string;
  /** False for reports that cannot be narrowed to one agency (questions are not an agency's). */
  readonly byAgency: boolean;
  load(ctx: ReportContext, filter: ReportFilter): Promise<ReportResult>;
}

/** Intents drawn one by one in the weekly chart; the rest are summed as "others". */
const CHART_INTENTS = 8;
const TOP_UNANSWERED = 20;
export const FALLBACK_INTENT = 'fallback';

/** Longest label drawn in a chart's legend or axis (tables keep the whole name). */
const CHART_LABEL = 34;

/** A label shortened for a chart, so a legend still fits on a phone. */
export function chartLabel(label: string): string {
  return label.length > CHART_LABEL ? `${label.slice(0, CHART_LABEL - 1).trimEnd()}…` : label;
}

/** Characters per line of a label drawn on several lines: fits beside a bar on a phone (390 px). */
const CHART_LINE = 24;

/**
 * A long label (a survey question) cut into lines of at most 24 characters, on at most
 * `maxLines` lines (the last one shortened): the sentence stays readable beside a bar,
 * also on a phone, instead of being cut after 34 characters.
 */
export function chartLines(label: string, maxLines = 4): string[] {
  const lines: string[] = [];
  for (const word of label.split(/\s+/).filter(Boolean)) {
    const last = lines[lines.length - 1];
    if (last !== undefined && last.length + 1 + word.length <= CHART_LINE) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  const cut = (line: string) => (line.length > CHART_LINE ? `${line.slice(0, CHART_LINE - 1).trimEnd()}…` : line);
  if (lines.length <= maxLines) return lines.map(cut);
  // What is left is longer than a line (it did not fit on one), so the last line ends with "…".
  return [...lines.slice(0, maxLines - 1).map(cut), cut(lines.slice(maxLines - 1).join(' '))];
}

/** Percentage with one decimal, 0 when nothing was counted. */
function percent(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 1000) / 10;
}

const questionsByTopic: ReportSection = {
  id: 'questions',
  title: 'Câu hỏi theo chủ đề, theo tuần',
  byAgency: false,
  async load(ctx, filter) {
    const rows = await ctx.source.questionsByWeekAndIntent(filter);
    const weeks = [...new Set(rows.map((r) => r.week))].sort();
    const totals = new Map<string, number>();
    for (const r of rows) totals.set(r.intent, (totals.get(r.intent) ?? 0) + r.count);
    const intents = [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([i]) => i);
    const drawn = intents.slice(0, CHART_INTENTS);
    const count = (week: string, intent: string) => rows.find((r) => r.week === week && r.intent === intent)?.count ?? 0;
    const others = intents.slice(CHART_INTENTS);
    const datasets = drawn.map((intent) => ({ label: chartLabel(ctx.labels.intent(intent)), data: weeks.map((w) => count(w, intent)) }));
    if (others.length > 0)
      datasets.push({ label: 'Chủ đề khác', data: weeks.map((w) => others.reduce((sum, intent) => sum + count(w, intent), 0)) });
    return {
      id: this.id,
      title: this.title,
      note: 'Mỗi câu hỏi người dân gửi mà trợ lý trả lời (hoặc không trả lời được) được đếm một lần, theo tuần ISO giờ Việt Nam.',
      tables: [
        {
          columns: ['Tuần', 'Chủ đề', 'Mã chủ đề', 'Số câu hỏi'],
          rows: [...rows]
            .sort((a, b) => a.week.localeCompare(b.week) || b.count - a.count || a.intent.localeCompare(b.intent))
            .map((r) => [r.week, ctx.labels.intent(r.intent), r.intent, r.count]),
        },
      ],
      chart: { type: 'bar', labels: weeks, datasets, stacked: true },
    };
  },
};

const unanswered: ReportSection = {
  id: 'unanswered',
  title: 'Câu hỏi trợ lý chưa trả lời được',
  byAgency: false,
  async load(ctx, filter) {
    const [rows, top] = await Promise.all([ctx.source.questionsByWeekAndIntent(filter), ctx.source.topUnanswered(filter, TOP_UNANSWERED)]);
    const weeks = [...new Set(rows.map((r) => r.week))].sort();
    const perWeek = weeks.map((week) => {
      const total = rows.filter((r) => r.week === week).reduce((s, r) => s + r.count, 0);
      const fallbacks = rows.filter((r) => r.week === week && r.intent === FALLBACK_INTENT).reduce((s, r) => s + r.count, 0);
      return { week, total, fallbacks, rate: percent(fallbacks, total) };
    });
    const total = perWeek.reduce((s, w) => s + w.total, 0);
    const fallbacks = perWeek.reduce((s, w) => s + w.fallbacks, 0);
    return {
      id: this.id,
      title: this.title,
      note: 'Tỷ lệ câu hỏi không khớp chủ đề nào; danh sách là việc cần làm của nhóm nội dung (câu hỏi đã chuẩn hoá, số đã được che).',
      tables: [
        {
          title: 'Tỷ lệ không trả lời được theo tuần',
          columns: ['Tuần', 'Tổng số câu hỏi', 'Không trả lời được', 'Tỷ lệ (%)'],
          rows: [...perWeek.map((w) => [w.week, w.total, w.fallbacks, w.rate]), ['Cả kỳ', total, fallbacks, percent(fallbacks, total)]],
        },
        { title: 'Câu hỏi chưa trả lời được gặp nhiều nhất', columns: ['Câu hỏi', 'Số lần'], rows: top.map((t) => [t.text, t.count]) },
      ],
      chart: {
        type: 'line',
        labels: weeks,
        datasets: [{ label: 'Tỷ lệ không trả lời được (%)', data: perWeek.map((w) => w.rate) }],
        percent: true,
      },
    };
  },
};

function complaintsBy(
  id: string,
  title: string,
  fieldName: 'agencyId' | 'sector' | 'localityId',
  column: string,
  label: (ctx: ReportContext, key: string | null) => string,
): ReportSection {
  return {
    id,
    title,
    byAgency: true,
    async load(ctx, filter) {
      const rows = (await ctx.source.complaintsBy(fieldName, filter))
        .map((r) => ({ label: label(ctx, r.key), key: r.key ?? '', count: r.count }))
        .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
      const total = rows.reduce((s, r) => s + r.count, 0);
      return {
        id,
        title,
        note: 'Phản ánh, kiến nghị nhận trong kỳ (theo ngày gửi); cơ quan là cơ quan đang chịu trách nhiệm.',
        tables: [
          { columns: [column, 'Mã', 'Số phản ánh'], rows: [...rows.map((r) => [r.label, r.key, r.count]), ['Tổng cộng', '', total]] },
        ],
        chart: {
          type: 'bar',
          labels: rows.map((r) => chartLabel(r.label)),
          datasets: [{ label: 'Số phản ánh', data: rows.map((r) => r.count) }],
          horizontal: true,
        },
      };
    },
  };
}

const onTime: ReportSection = {
  id: 'on-time',
  title: 'Tỷ lệ giải quyết đúng hạn',
  byAgency: true,
  async load(ctx, filter) {
    const [responses, overdue] = await Promise.all([
      ctx.source.responsesByAgency(filter),
      ctx.source.overdueWithoutResponse(filter, ctx.now),
    ]);
    const agencies = [...new Set([...responses.map((r) => r.agencyId), ...overdue.map((r) => r.agencyId)])];
    const rows = agencies
      .map((agencyId) => {
        const inTime = responses.filter((r) => r.agencyId === agencyId && r.onTime).reduce((s, r) => s + r.count, 0);
        const late = responses.filter((r) => r.agencyId === agencyId && !r.onTime).reduce((s, r) => s + r.count, 0);
        const waiting = overdue.filter((r) => r.agencyId === agencyId).reduce((s, r) => s + r.count, 0);
        return { agencyId, name: ctx.labels.agency(agencyId), inTime, late, waiting, rate: percent(inTime, inTime + late + waiting) };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
    const sum = (pick: (r: (typeof rows)[number]) => number) => rows.reduce((s, r) => s + pick(r), 0);
    const [inTime, late, waiting] = [sum((r) => r.inTime), sum((r) => r.late), sum((r) => r.waiting)];
    return {
      id: this.id,
      title: this.title,
      note: 'Đúng hạn: trả lời, giải quyết hoặc đóng lần đầu trước hạn tính theo ngày làm việc; quá hạn chưa trả lời cũng tính là trễ hạn. Phản ánh còn trong hạn không được tính.',
      tables: [
        {
          columns: ['Cơ quan', 'Đúng hạn', 'Trễ hạn', 'Quá hạn chưa trả lời', 'Tỷ lệ đúng hạn (%)'],
          rows: [
            ...rows.map((r) => [r.name, r.inTime, r.late, r.waiting, r.rate]),
            ['Tổng cộng', inTime, late, waiting, percent(inTime, inTime + late + waiting)],
          ],
        },
      ],
      chart: {
        type: 'bar',
        labels: rows.map((r) => chartLabel(r.name)),
        datasets: [{ label: 'Tỷ lệ đúng hạn (%)', data: rows.map((r) => r.rate) }],
        percent: true,
        horizontal: true,
      },
    };
  },
};

const ratings: ReportSection = {
  id: 'ratings',
  title: 'Đánh giá của người dân theo cơ quan',
  byAgency: true,
  async load(ctx, filter) {
    const counts = await ctx.source.ratingsByAgency(filter);
    const agencies = [...new Set(counts.map((r) => r.agencyId))];
    const rows = agencies
      .map((agencyId) => {
        const scores = [1, 2, 3, 4, 5].map((s) =>
          counts.filter((r) => r.agencyId === agencyId && r.score === s).reduce((n, r) => n + r.count, 0),
        );
        const n = scores.reduce((a, b) => a + b, 0);
        const mean = n === 0 ? 0 : Math.round((scores.reduce((a, c, i) => a + c * (i + 1), 0) / n) * 100) / 100;
        return { name: ctx.labels.agency(agencyId), n, mean, scores, satisfied: percent(scores[3] + scores[4], n) };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
    return {
      id: this.id,
      title: this.title,
      note: 'Điểm 1–5 người dân cho câu trả lời sau khi phản ánh được giải quyết, theo ngày đánh giá; hài lòng là 4–5 điểm.',
      tables: [
        {
          columns: ['Cơ quan', 'Số đánh giá', 'Điểm trung bình', '1', '2', '3', '4', '5', 'Hài lòng (%)'],
          rows: rows.map((r) => [r.name, r.n, r.mean, ...r.scores, r.satisfied]),
        },
      ],
      chart: {
        type: 'bar',
        labels: rows.map((r) => chartLabel(r.name)),
        datasets: [{ label: 'Điểm trung bình (1–5)', data: rows.map((r) => r.mean) }],
        horizontal: true,
      },
    };
  },
};

/** The reports over questions and complaints, in the order the console shows them. */
export const COMPLAINT_AND_QUESTION_REPORTS: readonly ReportSection[] = [
  questionsByTopic,
  unanswered,
  complaintsBy('by-agency', 'Phản ánh theo cơ quan', 'agencyId', 'Cơ quan', (ctx, key) => ctx.labels.agency(key ?? '')),
  complaintsBy('by-sector', 'Phản ánh theo lĩnh vực', 'sector', 'Lĩnh vực', (ctx, key) => ctx.labels.sector(key ?? '')),
  complaintsBy('by-locality', 'Phản ánh theo địa bàn', 'localityId', 'Địa bàn', (ctx, key) => ctx.labels.locality(key)),
  onTime,
  ratings,
];
