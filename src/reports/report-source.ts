/**
 * What the reports read, as grouped counts: each method is one aggregation pipeline in
 * MongoDB (src/storage/mongo/mongo-report-source.ts) that returns a handful of rows, never
 * the documents themselves. The report sections (report-sections.ts) turn the rows into
 * tables and charts.
 */

/** A period [from, to) and optionally one agency. Questions have no agency: the filter does not apply to them. */
export interface ReportFilter {
  readonly from: Date;
  readonly to: Date;
  readonly agencyId?: string;
}

export interface ReportSource {
  /** Questions answered or not, per ISO week (Vietnam time) and intent (`fallback` included). */
  questionsByWeekAndIntent(filter: ReportFilter): Promise<{ week: string; intent: string; count: number }[]>;
  /** The most frequent questions the bot could not answer, grouped by their text without diacritics. */
  topUnanswered(filter: ReportFilter, limit: number): Promise<{ text: string; count: number }[]>;
  /** Complaints filed in the period, per value of one field (`null`: no locality known). */
  complaintsBy(field: 'agencyId' | 'sector' | 'localityId', filter: ReportFilter): Promise<{ key: string | null; count: number }[]>;
  /** Complaints filed in the period that got a first response, per agency and whether it met the deadline. */
  responsesByAgency(filter: ReportFilter): Promise<{ agencyId: string; onTime: boolean; count: number }[]>;
  /** Complaints filed in the period still waiting for a first response after their deadline (`now`), per agency. */
  overdueWithoutResponse(filter: ReportFilter, now: Date): Promise<{ agencyId: string; count: number }[]>;
  /** Ratings given in the period, per agency and score. */
  ratingsByAgency(filter: ReportFilter): Promise<{ agencyId: string; score: number; count: number }[]>;
}

/**
 * The source for one page: the same query asked twice (two reports both need the
 * questions per week) runs once. Results are kept only as long as the returned object.
 */
export function onePassSource(source: ReportSource): ReportSource {
  const cache = new Map<string, Promise<unknown>>();
  return new Proxy(source, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const key = `${String(name)}:${JSON.stringify(args)}`;
        if (!cache.has(key)) cache.set(key, (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
        return cache.get(key);
      };
    },
  });
}
