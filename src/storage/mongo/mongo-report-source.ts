/**
 * The reports' aggregation pipelines (the {@link ReportSource} port). Each returns grouped
 * counts — a few rows — and runs unchanged on MongoDB and on FerretDB v1, which limits
 * what they may use (measured against FerretDB 1.24): `$match`, `$group` with one `$sum`
 * accumulator per stage (two accumulators in one `$group` gave a wrong count), `$sort`,
 * `$limit`; no `$avg`/`$min`/`$first`, `$cond`, `$expr`, date operators or `$facet`. So
 * what a pipeline would compute is stored when it happens instead: the ISO week of a
 * question (`week`), whether a complaint's first response met its deadline
 * (`respondedOnTime`); averages and rates are computed from the grouped counts.
 *
 * Indexes: complaints {createdAt, agencyId} and {rating.at}; question_log {at, intent} and
 * {fallback, at}. On FerretDB v1 every pipeline reads the whole collection (it uses only
 * `_id` lookups), which is fine for a pilot's volumes; MongoDB uses the indexes.
 */
import { OPEN_STATUSES } from '../../complaints/domain/complaint';
import type { ReportFilter, ReportSource } from '../../reports/report-source';
import type { Database } from './database';

type Row = { _id: unknown; count: number };

export class MongoReportSource implements ReportSource {
  constructor(private readonly db: Pick<Database, 'models'>) {}

  async questionsByWeekAndIntent(filter: ReportFilter): Promise<{ week: string; intent: string; count: number }[]> {
    const rows = await this.questions([{ $group: { _id: { week: '$week', intent: '$intent' }, count: { $sum: 1 } } }], filter);
    return rows.map((r) => ({ week: field(r._id, 'week') ?? '', intent: field(r._id, 'intent') ?? '', count: r.count }));
  }

  async topUnanswered(filter: ReportFilter, limit: number): Promise<{ text: string; count: number }[]> {
    const top = await this.questions(
      [
        { $match: { fallback: true } },
        { $group: { _id: '$textKey', count: { $sum: 1 } } },
        { $sort: { count: -1, _id: 1 } },
        { $limit: limit },
      ],
      filter,
    );
    const keys = top.map((r) => r._id).filter((k): k is string => typeof k === 'string');
    if (keys.length === 0) return [];
    // The way each question was most often written (with its diacritics), for the top keys only.
    const variants = await this.questions(
      [{ $match: { fallback: true, textKey: { $in: keys } } }, { $group: { _id: { key: '$textKey', text: '$text' }, count: { $sum: 1 } } }],
      filter,
    );
    const label = new Map<string, { text: string; count: number }>();
    for (const v of variants) {
      const key = field(v._id, 'key');
      const text = field(v._id, 'text');
      if (!key || !text) continue;
      const best = label.get(key);
      if (!best || v.count > best.count || (v.count === best.count && text < best.text)) label.set(key, { text, count: v.count });
    }
    return top.flatMap((r) => (typeof r._id === 'string' ? [{ text: label.get(r._id)?.text ?? r._id, count: r.count }] : []));
  }

  async complaintsBy(
    fieldName: 'agencyId' | 'sector' | 'localityId',
    filter: ReportFilter,
  ): Promise<{ key: string | null; count: number }[]> {
    const rows = await this.complaints([{ $group: { _id: `$${fieldName}`, count: { $sum: 1 } } }], filter);
    return rows.map((r) => ({ key: typeof r._id === 'string' ? r._id : null, count: r.count }));
  }

  async responsesByAgency(filter: ReportFilter): Promise<{ agencyId: string; onTime: boolean; count: number }[]> {
    const rows = await this.complaints(
      [
        { $match: { respondedOnTime: { $exists: true } } },
        { $group: { _id: { agencyId: '$agencyId', onTime: '$respondedOnTime' }, count: { $sum: 1 } } },
      ],
      filter,
    );
    return rows.map((r) => ({
      agencyId: field(r._id, 'agencyId') ?? '',
      onTime: (r._id as { onTime?: unknown }).onTime === true,
      count: r.count,
    }));
  }

  async overdueWithoutResponse(filter: ReportFilter, now: Date): Promise<{ agencyId: string; count: number }[]> {
    const rows = await this.complaints(
      [
        { $match: { firstResponseAt: { $exists: false }, status: { $in: [...OPEN_STATUSES] }, dueAt: { $lt: now } } },
        { $group: { _id: '$agencyId', count: { $sum: 1 } } },
      ],
      filter,
    );
    return rows.map((r) => ({ agencyId: String(r._id), count: r.count }));
  }

  async ratingsByAgency(filter: ReportFilter): Promise<{ agencyId: string; score: number; count: number }[]> {
    const match: Record<string, unknown> = {
      'rating.at': { $gte: filter.from, $lt: filter.to },
      'rating.score': { $exists: true },
      ...(filter.agencyId ? { agencyId: filter.agencyId } : {}),
    };
    // Index {rating.at} on MongoDB.
    const rows = await this.db.models.Complaint.aggregate<Row>([
      { $match: match },
      { $group: { _id: { agencyId: '$agencyId', score: '$rating.score' }, count: { $sum: 1 } } },
    ]);
    return rows.map((r) => ({
      agencyId: field(r._id, 'agencyId') ?? '',
      score: Number((r._id as { score?: unknown }).score),
      count: r.count,
    }));
  }

  /** A pipeline over the complaints filed in the period (index {createdAt, agencyId} on MongoDB). */
  private complaints(stages: object[], filter: ReportFilter): Promise<Row[]> {
    const match = { createdAt: { $gte: filter.from, $lt: filter.to }, ...(filter.agencyId ? { agencyId: filter.agencyId } : {}) };
    return this.db.models.Complaint.aggregate<Row>([{ $match: match }, ...(stages as never[])]);
  }

  /** A pipeline over the questions of the period (index {at, intent} on MongoDB). */
  private questions(stages: object[], filter: ReportFilter): Promise<Row[]> {
    return this.db.models.QuestionLog.aggregate<Row>([{ $match: { at: { $gte: filter.from, $lt: filter.to } } }, ...(stages as never[])]);
  }
}

function field(id: unknown, name: string): string | undefined {
  const value = id && typeof id === 'object' ? (id as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : undefined;
}
