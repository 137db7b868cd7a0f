/**
 * Every query of the campaign (subscriptions, news, broadcasts, surveys). See
 * campaign-models.ts for why the big collections are insert-only: on FerretDB v1 a read
 * or insert by `_id` costs ~2 ms whatever the size, an update or delete grows with the
 * collection. Aggregations use only `$match`, `$group` with `$sum` and `$sort`, which
 * FerretDB v1 runs (its `$avg` is not implemented, and `$unwind` loses the other fields
 * of a grouped key: measured), so averages are computed from the counts per value.
 */
import type { ChannelName } from '../../core/messages';
import type { NewsItem } from '../../campaign/news';
import type {
  Audience,
  Broadcast,
  BroadcastStore,
  CampaignEraser,
  NewsStore,
  Receipt,
  ReceiptOutcome,
  Recipient,
  RecipientBatch,
  RecipientPage,
  Subscriber,
  SubscriberCounts,
  SubscriptionStore,
  SurveyCampaign,
  SurveyCampaignState,
  SurveyCountRow,
  SurveyResponse,
  SurveyStore,
} from '../../campaign/ports';
import { isDuplicateKeyError } from './claims';
import type { Database } from './database';

type Doc = Record<string, unknown>;
const CLOSED_STATUSES = ['resolved', 'closed'];

export class MongoCampaignStore implements SubscriptionStore, BroadcastStore, NewsStore, SurveyStore, CampaignEraser {
  constructor(private readonly db: Database) {}

  private get m() {
    return this.db.models;
  }

  // ------------------------------------------------------------ subscriptions

  async get(id: string): Promise<Subscriber | undefined> {
    const doc = await this.m.Subscriber.findById(id).lean();
    return doc ? toSubscriber(doc) : undefined;
  }

  async save(s: Subscriber): Promise<void> {
    // By _id (one citizen).
    await this.m.Subscriber.updateOne(
      { _id: s.id },
      {
        $set: {
          channel: s.channel,
          userId: s.userId,
          topics: [...s.topics],
          localityIds: [...s.localityIds],
          locale: s.locale,
          subscribedAt: s.subscribedAt,
        },
      },
      { upsert: true },
    );
  }

  async remove(id: string): Promise<boolean> {
    return ((await this.m.Subscriber.deleteOne({ _id: id })).deletedCount ?? 0) > 0;
  }

  async counts(): Promise<SubscriberCounts> {
    const byChannel = await this.m.Subscriber.aggregate<{ _id: string; n: number }>([{ $group: { _id: '$channel', n: { $sum: 1 } } }]);
    const byTopic: Record<string, number> = {};
    // One count per topic (an $unwind would be one pipeline, but FerretDB v1 mishandles it: see the header).
    const topics: string[] = (await this.m.Subscriber.distinct('topics')).map(String);
    for (const topic of topics) byTopic[topic] = await this.m.Subscriber.countDocuments({ topics: topic });
    const channels = Object.fromEntries(byChannel.map((r) => [r._id, r.n]));
    return { total: Object.values(channels).reduce((a, b) => a + b, 0), byChannel: channels, byTopic };
  }

  // ------------------------------------------------------------ news

  async publish(item: NewsItem, broadcast: Broadcast): Promise<boolean> {
    try {
      await this.m.News.create({ _id: item.id, ...item, topics: [...item.topics], localityIds: [...item.localityIds] });
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
    await this.addBroadcast(broadcast);
    return true;
  }

  async addBroadcast(broadcast: Broadcast): Promise<void> {
    await this.m.Broadcast.create({
      _id: broadcast.id,
      audience: serializeAudience(broadcast.audience),
      createdAt: broadcast.createdAt,
    }).catch((err: unknown) => {
      if (!isDuplicateKeyError(err)) throw err;
    });
  }

  async getNews(id: string): Promise<NewsItem | undefined> {
    const doc = await this.m.News.findById(id).lean();
    return doc ? toNews(doc) : undefined;
  }

  async latest(topics: readonly string[], localityIds: readonly string[], limit: number): Promise<NewsItem[]> {
    // Index {publishedAt}; the few latest items are filtered here (a locality match needs "none or any of mine").
    const docs = await this.m.News.find({ topics: { $in: [...topics] } })
      .sort({ publishedAt: -1 })
      .limit(limit * 5)
      .lean();
    const mine = new Set(localityIds);
    return docs
      .map((d) => toNews(d as unknown as Doc))
      .filter((n) => n.localityIds.length === 0 || n.localityIds.some((l) => mine.has(l)))
      .slice(0, limit);
  }

  async list(limit: number): Promise<NewsItem[]> {
    return (await this.m.News.find({}).sort({ publishedAt: -1 }).limit(limit).lean()).map((d) => toNews(d as unknown as Doc));
  }

  // ------------------------------------------------------------ broadcasts

  async active(): Promise<Broadcast[]> {
    const docs = await this.m.Broadcast.find({ finishedAt: { $exists: false } })
      .sort({ createdAt: 1 })
      .lean();
    return docs.map((d) => ({ id: String(d._id), audience: parseAudience(d.audience as Doc), createdAt: d.createdAt }));
  }

  async recipientPages(audience: Audience, cursor: string | undefined, pageSize: number, pages: number): Promise<RecipientPage[]> {
    if (audience.kind === 'subscribers') {
      const filter: Doc = { topics: { $in: [...audience.topics] } };
      if (audience.localityIds.length) filter.localityIds = { $in: [...audience.localityIds] };
      return this.subscriberPages(filter, cursor, pageSize, pages, '');
    }
    if (audience.closedComplaints && (!cursor || cursor.startsWith('c:'))) {
      const found = await this.complaintPages(audience.closedComplaints, cursor?.slice(2), pageSize, pages);
      const last = found[found.length - 1];
      if (last.next || !audience.subscribers) return found;
      return [...found.slice(0, -1), { recipients: last.recipients, next: 's:' }];
    }
    if (!audience.subscribers) return [{ recipients: [] }];
    const filter: Doc = audience.subscribers.topics.length ? { topics: { $in: [...audience.subscribers.topics] } } : {};
    return this.subscriberPages(filter, cursor?.startsWith('s:') ? cursor.slice(2) || undefined : undefined, pageSize, pages, 's:');
  }

  private async subscriberPages(
    filter: Doc,
    after: string | undefined,
    pageSize: number,
    pages: number,
    prefix: string,
  ): Promise<RecipientPage[]> {
    // In _id order, several pages in one query: a scan on FerretDB, so once per planning round rather than once per page.
    const docs = await this.m.Subscriber.find(
      { ...filter, ...(after ? { _id: { $gt: after } } : {}) },
      { channel: 1, userId: 1, locale: 1 },
    )
      .sort({ _id: 1 })
      .limit(pageSize * pages)
      .lean();
    return splitPages(
      docs,
      pageSize,
      pages,
      (d) => `${prefix}${String(d._id)}`,
      (d) => {
        const s = toSubscriber(d);
        return { id: s.id, channel: s.channel, userId: s.userId, locale: s.locale };
      },
    );
  }

  private async complaintPages(
    scope: { from: Date; to: Date; agencyIds: readonly string[] },
    after: string | undefined,
    pageSize: number,
    pages: number,
  ): Promise<RecipientPage[]> {
    const filter: Doc = { status: { $in: CLOSED_STATUSES }, updatedAt: { $gte: scope.from, $lt: scope.to } };
    if (scope.agencyIds.length) filter.agencyId = { $in: [...scope.agencyIds] };
    if (after) filter._id = { $gt: after };
    const docs = await this.m.Complaint.find(filter, { channel: 1, userId: 1, locale: 1, agencyId: 1 })
      .sort({ _id: 1 })
      .limit(pageSize * pages)
      .lean();
    return splitPages(
      docs,
      pageSize,
      pages,
      (d) => `c:${String(d._id)}`,
      (d) =>
        String(d.userId).startsWith('forgotten:')
          ? undefined
          : {
              id: `${d.channel}:${d.userId}`,
              channel: d.channel as ChannelName,
              userId: String(d.userId),
              locale: d.locale === 'en' ? 'en' : 'vi',
              agencyId: String(d.agencyId),
            },
    );
  }

  async lastBatch(broadcastId: string): Promise<RecipientBatch | undefined> {
    const doc = await this.m.BroadcastBatch.findOne({ broadcastId }).sort({ seq: -1 }).lean();
    return doc ? toBatch(doc) : undefined;
  }

  async addBatches(batches: readonly RecipientBatch[]): Promise<boolean> {
    if (batches.length === 0) return true;
    try {
      // Ordered: a crash mid-insert leaves a prefix (the next planner starts after the last batch stored), never a gap.
      await this.m.BroadcastBatch.insertMany(batches.map((b) => ({ _id: b.id, ...b, recipients: [...b.recipients] })));
      return true;
    } catch (err) {
      if (isBulkDuplicatesOnly(err)) return false;
      throw err;
    }
  }

  async openBatches(broadcastId: string, limit: number): Promise<RecipientBatch[]> {
    const docs = await this.m.BroadcastBatch.find({ broadcastId, done: false }).sort({ seq: 1 }).limit(limit).lean();
    return docs.map((d) => toBatch(d as unknown as Doc));
  }

  async markBatchDone(batchId: string): Promise<void> {
    await this.m.BroadcastBatch.updateOne({ _id: batchId }, { $set: { done: true } });
  }

  async finish(broadcastId: string, at: Date): Promise<void> {
    await this.m.Broadcast.updateOne({ _id: broadcastId }, { $set: { finishedAt: at } });
  }

  async addReceipts(receipts: readonly Receipt[]): Promise<void> {
    if (receipts.length === 0) return;
    await this.m.BroadcastReceipt.insertMany(
      receipts.map((r) => ({ _id: r.key, ...r })),
      { ordered: false },
    ).catch((err: unknown) => {
      if (!isBulkDuplicatesOnly(err)) throw err;
    });
  }

  async receipt(key: string): Promise<Receipt | undefined> {
    const doc = await this.m.BroadcastReceipt.findById(key).lean();
    if (!doc) return undefined;
    return {
      key,
      broadcastId: doc.broadcastId,
      recipientId: doc.recipientId,
      channel: doc.channel as ChannelName,
      outcome: doc.outcome,
      attempts: doc.attempts,
      at: doc.at,
      ...(doc.agencyId ? { agencyId: doc.agencyId } : {}),
    };
  }

  async claimAttempts(keys: readonly string[], attempt: number, owner: string): Promise<Set<string>> {
    // One unordered insert of unique `_id`s: each key's claim goes to exactly one process (FerretDB's conditional updates are not atomic).
    const taken = await this.db.claims.tryClaimMany(
      keys.map((key) => attemptClaimId(key, attempt)),
      owner,
    );
    return new Set(keys.filter((key) => taken.has(attemptClaimId(key, attempt))));
  }

  async markAttemptsFailed(attempts: readonly { readonly key: string; readonly attempt: number }[], owner: string): Promise<void> {
    await this.db.claims.tryClaimMany(
      attempts.map((a) => `${attemptClaimId(a.key, a.attempt)}:failed`),
      owner,
    );
  }

  async attemptTaken(key: string): Promise<boolean> {
    return (await this.db.claims.ownerOf(attemptClaimId(key, 1))) !== undefined;
  }

  async attemptFailed(key: string, attempt: number): Promise<boolean> {
    return (await this.db.claims.ownerOf(`${attemptClaimId(key, attempt)}:failed`)) !== undefined;
  }

  async reach(broadcastId: string): Promise<Record<string, Record<ReceiptOutcome, number>>> {
    const rows = await this.m.BroadcastReceipt.aggregate<{ _id: { channel: string; outcome: ReceiptOutcome }; n: number }>([
      { $match: { broadcastId } },
      { $group: { _id: { channel: '$channel', outcome: '$outcome' }, n: { $sum: 1 } } },
    ]);
    const reach: Record<string, Record<ReceiptOutcome, number>> = {};
    for (const row of rows) {
      reach[row._id.channel] ??= { sent: 0, not_allowed: 0, skipped: 0, failed: 0, uncertain: 0 };
      reach[row._id.channel][row._id.outcome] = row.n;
    }
    return reach;
  }

  // ------------------------------------------------------------ surveys

  async createCampaign(c: SurveyCampaign): Promise<boolean> {
    try {
      await this.m.SurveyCampaign.create({ _id: c.id, ...c, audience: serializeAudience(c.audience) });
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  }

  async getCampaign(id: string): Promise<SurveyCampaign | undefined> {
    const doc = await this.m.SurveyCampaign.findById(id).lean();
    return doc ? toCampaign(doc) : undefined;
  }

  async listCampaigns(limit: number): Promise<SurveyCampaign[]> {
    return (await this.m.SurveyCampaign.find({}).sort({ createdAt: -1 }).limit(limit).lean()).map((d) => toCampaign(d as unknown as Doc));
  }

  async setState(id: string, state: SurveyCampaignState, at: Date): Promise<void> {
    await this.m.SurveyCampaign.updateOne({ _id: id }, { $set: { state, ...(state === 'launched' ? { launchedAt: at } : {}) } });
  }

  async recordResponse(r: SurveyResponse): Promise<'recorded' | 'already'> {
    const id = `${r.campaignId}|${r.respondent}`;
    const agency = r.agencyId ? { agencyId: r.agencyId } : {};
    try {
      // The unique _id first: it is the "one answer per person" rule.
      await this.m.SurveyResponse.create({ _id: id, campaignId: r.campaignId, respondent: r.respondent, ...agency, at: r.at });
    } catch (err) {
      if (isDuplicateKeyError(err)) return 'already';
      throw err;
    }
    const answers = Object.entries(r.answers).map(([questionId, a]) => ({
      _id: `${id}|${questionId}`,
      campaignId: r.campaignId,
      respondent: r.respondent,
      ...agency,
      questionId,
      ...a,
    }));
    if (answers.length) await this.m.SurveyAnswer.insertMany(answers, { ordered: false });
    return 'recorded';
  }

  async hasResponded(campaignId: string, respondent: string): Promise<boolean> {
    return (await this.m.SurveyResponse.exists({ _id: `${campaignId}|${respondent}` })) !== null;
  }

  async responseCounts(campaignId: string): Promise<Record<string, number>> {
    const rows = await this.m.SurveyResponse.aggregate<{ _id: string | null; n: number }>([
      { $match: { campaignId } },
      { $group: { _id: '$agencyId', n: { $sum: 1 } } },
    ]);
    return Object.fromEntries(rows.map((r) => [r._id ?? '', r.n]));
  }

  async answerCounts(campaignId: string): Promise<SurveyCountRow[]> {
    const group = (field: 'score' | 'choice') =>
      this.m.SurveyAnswer.aggregate<{ _id: { agencyId?: string | null; questionId: string; value: number | string }; n: number }>([
        { $match: { campaignId, kind: field === 'score' ? 'likert' : 'choice' } },
        { $group: { _id: { agencyId: '$agencyId', questionId: '$questionId', value: `$${field}` }, n: { $sum: 1 } } },
        { $sort: { _id: 1 } },
      ]);
    const rows = [...(await group('score')), ...(await group('choice'))];
    return rows.map((r) => ({ agencyId: r._id.agencyId ?? null, questionId: r._id.questionId, value: r._id.value, count: r.n }));
  }

  async texts(campaignId: string): Promise<{ agencyId: string | null; questionId: string; text: string }[]> {
    const docs = await this.m.SurveyAnswer.find({ campaignId, kind: 'text' }, { agencyId: 1, questionId: 1, text: 1, _id: 0 }).lean();
    return docs
      .map((d) => ({ agencyId: d.agencyId ?? null, questionId: d.questionId, text: String(d.text ?? '') }))
      .sort((a, b) => (a.questionId + a.text).localeCompare(b.questionId + b.text));
  }

  // ------------------------------------------------------------ erasure

  async forgetCitizen(channel: ChannelName, userId: string, respondent: string): Promise<void> {
    const id = `${channel}:${userId}`;
    await this.m.Subscriber.deleteOne({ _id: id });
    // Index recipientId / respondent on MongoDB; scans on FerretDB (consent withdrawals only).
    await this.m.BroadcastReceipt.deleteMany({ recipientId: id });
    await this.m.SurveyAnswer.deleteMany({ respondent });
    await this.m.SurveyResponse.deleteMany({ respondent });
    await this.m.BroadcastBatch.updateMany({ done: false, 'recipients.id': id }, { $pull: { recipients: { id } } });
  }
}

function attemptClaimId(key: string, attempt: number): string {
  return `broadcast:${key}#${attempt}`;
}

/**
 * Splits up to `pageSize * pages` documents (in cursor order) into pages; a page's `next` is
 * the cursor of its last document, absent on the last page when fewer documents came than
 * asked (the audience ends there).
 */
function splitPages<D>(
  docs: readonly D[],
  pageSize: number,
  pages: number,
  cursorOf: (doc: D) => string,
  toRecipient: (doc: D) => Recipient | undefined,
): RecipientPage[] {
  const more = docs.length === pageSize * pages;
  const result: RecipientPage[] = [];
  for (let i = 0; i < docs.length || result.length === 0; i += pageSize) {
    const slice = docs.slice(i, i + pageSize);
    const lastPage = i + pageSize >= docs.length;
    const next = slice.length > 0 && (!lastPage || more) ? cursorOf(slice[slice.length - 1]) : undefined;
    result.push({ recipients: slice.flatMap((d) => toRecipient(d) ?? []), ...(next ? { next } : {}) });
  }
  return result;
}

/** insertMany with `ordered: false` reports duplicates (code 11000) as write errors; only those are expected. */
function isBulkDuplicatesOnly(err: unknown): boolean {
  if (isDuplicateKeyError(err)) return true;
  const writeErrors = (err as { writeErrors?: { code?: number; err?: { code?: number } }[] }).writeErrors;
  return Array.isArray(writeErrors) && writeErrors.length > 0 && writeErrors.every((e) => (e.code ?? e.err?.code) === 11000);
}

function toSubscriber(d: Doc): Subscriber {
  return {
    id: String(d._id),
    channel: d.channel as ChannelName,
    userId: String(d.userId),
    topics: (d.topics as string[] | undefined) ?? [],
    localityIds: (d.localityIds as string[] | undefined) ?? [],
    locale: d.locale === 'en' ? 'en' : 'vi',
    subscribedAt: d.subscribedAt as Date,
  };
}

function toNews(d: Doc): NewsItem {
  const en = d.en as { title?: string; summary?: string } | undefined;
  return {
    id: String(d._id),
    title: String(d.title),
    summary: String(d.summary),
    link: String(d.link),
    ...(typeof d.image === 'string' ? { image: d.image } : {}),
    ...(en?.title && en.summary ? { en: { title: en.title, summary: en.summary } } : {}),
    topics: (d.topics as string[] | undefined) ?? [],
    localityIds: (d.localityIds as string[] | undefined) ?? [],
    publishedAt: d.publishedAt as Date,
    publishedBy: String(d.publishedBy),
  };
}

function toBatch(d: Doc): RecipientBatch {
  return {
    id: String(d._id),
    broadcastId: String(d.broadcastId),
    seq: Number(d.seq),
    recipients: ((d.recipients as Doc[] | undefined) ?? []).map((r) => ({
      id: String(r.id),
      channel: r.channel as ChannelName,
      userId: String(r.userId),
      locale: r.locale === 'en' ? 'en' : 'vi',
      ...(typeof r.agencyId === 'string' ? { agencyId: r.agencyId } : {}),
    })),
    ...(typeof d.next === 'string' ? { next: d.next } : {}),
    last: Boolean(d.last),
    done: Boolean(d.done),
  };
}

function toCampaign(d: Doc): SurveyCampaign {
  return {
    id: String(d._id),
    surveyId: String(d.surveyId),
    name: String(d.name),
    audience: parseAudience(d.audience as Doc) as SurveyCampaign['audience'],
    state: d.state as SurveyCampaignState,
    createdBy: String(d.createdBy),
    ...(d.launchedAt ? { launchedAt: d.launchedAt as Date } : {}),
  };
}

/** Audiences are stored as plain data (dates as dates). */
function serializeAudience(a: Audience): Doc {
  return JSON.parse(JSON.stringify(a)) as Doc;
}

function parseAudience(d: Doc): Audience {
  if (d.kind === 'subscribers')
    return { kind: 'subscribers', topics: (d.topics as string[]) ?? [], localityIds: (d.localityIds as string[]) ?? [] };
  const cc = d.closedComplaints as { from: string; to: string; agencyIds?: string[] } | undefined;
  const subs = d.subscribers as { topics?: string[] } | undefined;
  return {
    kind: 'survey',
    ...(subs ? { subscribers: { topics: subs.topics ?? [] } } : {}),
    ...(cc ? { closedComplaints: { from: new Date(cc.from), to: new Date(cc.to), agencyIds: cc.agencyIds ?? [] } } : {}),
  };
}
