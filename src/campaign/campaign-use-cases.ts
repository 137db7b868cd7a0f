/**
 * The campaign's use cases — what the chat flows, the CLI and the web console call:
 * subscriptions, publishing news, survey campaigns and their results, subscriber counts,
 * news reach. They read and write through ports (ports.ts) and know no database.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Checked } from '../content/content-error';
import type { ChannelName, Locale } from '../core/messages';
import { localityChain } from '../complaints/directory/directory';
import type { DirectorySource } from '../complaints/use-cases/ports';
import { checkNewsDraft, type NewsDraft, type NewsItem } from './news';
import type { NewsTopic } from './news-topics';
import type {
  Audience,
  BroadcastStore,
  NewsStore,
  Receipt,
  ReceiptOutcome,
  Subscriber,
  SubscriberCounts,
  SubscriptionStore,
  SurveyAnswerValue,
  SurveyCampaign,
  SurveyStore,
} from './ports';
import type { SurveyDefinition } from './survey';

/** How long a survey start waits for the receipt of an invitation whose send was claimed (see `invitation`). */
const RECEIPT_WAIT_MS = 5_000;
const RECEIPT_POLL_MS = 100;

export interface CampaignDeps {
  readonly subscriptions: SubscriptionStore;
  readonly news: NewsStore;
  readonly broadcasts: BroadcastStore;
  readonly surveys: SurveyStore;
  readonly topics: () => readonly NewsTopic[];
  readonly directory: DirectorySource;
  readonly surveyDefinitions: () => ReadonlyMap<string, SurveyDefinition>;
  /** Keyed hash of a citizen (survey answers carry no platform id). */
  readonly respondentKey: (channel: ChannelName, userId: string) => string;
  /** A broadcast was stored: wake the dispatcher. */
  readonly onBroadcast?: () => void;
  readonly clock?: () => Date;
}

export type PublishResult = { readonly ok: true; readonly id: string } | { readonly ok: false; readonly errors: readonly string[] };

/** Survey results per agency and question: what the console's report shows. */
export interface SurveyResults {
  readonly campaign: SurveyCampaign;
  readonly survey: SurveyDefinition;
  /** Respondents per agency ('' = no agency: invited as a subscriber). */
  readonly respondents: Readonly<Record<string, number>>;
  readonly questions: readonly QuestionResult[];
  readonly invitations: Readonly<Record<string, Readonly<Record<ReceiptOutcome, number>>>>;
}

export interface QuestionResult {
  readonly questionId: string;
  readonly kind: 'likert' | 'choice' | 'text';
  /** Per agency ('' = none). */
  readonly byAgency: Readonly<
    Record<
      string,
      {
        readonly answers: number;
        /** Count per score (1–5) or option id. */
        readonly counts: Readonly<Record<string, number>>;
        /** Likert only: mean score, 2 decimals. */
        readonly mean?: number;
        /** Text only: the answers, without who wrote them. */
        readonly texts?: readonly string[];
      }
    >
  >;
}

export type SurveyStart =
  | { readonly ok: true; readonly campaign: SurveyCampaign; readonly survey: SurveyDefinition; readonly agencyId?: string }
  | { readonly ok: false; readonly reason: 'unknown' | 'not_open' | 'not_invited' | 'already_answered' };

export class CampaignUseCases {
  private readonly clock: () => Date;

  constructor(private readonly deps: CampaignDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  // ------------------------------------------------------------ subscriptions

  subscription(channel: ChannelName, userId: string): Promise<Subscriber | undefined> {
    return this.deps.subscriptions.get(subscriberId(channel, userId));
  }

  /** Subscribes (every topic unless given); a subscriber keeps their topics and place when subscribing again. */
  async subscribe(channel: ChannelName, userId: string, locale: Locale, topics?: readonly string[]): Promise<Subscriber> {
    const current = await this.subscription(channel, userId);
    const known = this.deps.topics().map((t) => t.id);
    const chosen = topics?.filter((t) => known.includes(t));
    const subscriber: Subscriber = {
      id: subscriberId(channel, userId),
      channel,
      userId,
      topics: chosen?.length ? chosen : (current?.topics ?? known),
      localityIds: current?.localityIds ?? [],
      locale,
      subscribedAt: current?.subscribedAt ?? this.clock(),
    };
    await this.deps.subscriptions.save(subscriber);
    return subscriber;
  }

  /** Adds or removes one topic; the last topic cannot be removed (unsubscribe instead). */
  async toggleTopic(channel: ChannelName, userId: string, locale: Locale, topic: string): Promise<Subscriber> {
    const current = (await this.subscription(channel, userId)) ?? (await this.subscribe(channel, userId, locale));
    const has = current.topics.includes(topic);
    const topics = has ? current.topics.filter((t) => t !== topic) : [...current.topics, topic];
    if (topics.length === 0 || !this.deps.topics().some((t) => t.id === topic)) return current;
    const next = { ...current, topics, locale };
    await this.deps.subscriptions.save(next);
    return next;
  }

  /** The place (and every place enclosing it) whose local news the subscriber also receives; undefined clears it. */
  async setLocality(channel: ChannelName, userId: string, locale: Locale, localityId: string | undefined): Promise<Subscriber> {
    const current = (await this.subscription(channel, userId)) ?? (await this.subscribe(channel, userId, locale));
    const directory = this.deps.directory.current();
    const locality = localityId ? directory.localityById.get(localityId) : undefined;
    const next = { ...current, localityIds: locality ? localityChain(directory, locality).map((l) => l.id) : [] };
    await this.deps.subscriptions.save(next);
    return next;
  }

  unsubscribe(channel: ChannelName, userId: string): Promise<boolean> {
    return this.deps.subscriptions.remove(subscriberId(channel, userId));
  }

  /** The latest items for a subscriber's topics and place; for anyone else, the latest of every topic. */
  async latestNews(channel: ChannelName, userId: string, limit = 3): Promise<NewsItem[]> {
    const s = await this.subscription(channel, userId);
    const topics = s?.topics ?? this.deps.topics().map((t) => t.id);
    return this.deps.news.latest(topics, s?.localityIds ?? [], limit);
  }

  subscriberCounts(): Promise<SubscriberCounts> {
    return this.deps.subscriptions.counts();
  }

  // ------------------------------------------------------------ news

  /** Checks and publishes a news item; its sending starts at once. `by`: `file:news/x.yaml`, `console:<account>`. */
  async publishNews(input: unknown, by: string): Promise<PublishResult> {
    const checked: Checked<NewsDraft> = checkNewsDraft(input, this.references());
    if (!checked.ok) return { ok: false, errors: checked.errors.map((e) => e.message) };
    const draft = checked.value;
    const id = draft.id ?? `${this.clock().toISOString().slice(0, 10)}-${randomBytes(3).toString('hex')}`;
    const item: NewsItem = {
      id,
      title: draft.title,
      summary: draft.summary,
      link: draft.link,
      ...(draft.image ? { image: draft.image } : {}),
      ...(draft.en ? { en: draft.en } : {}),
      topics: draft.topics,
      localityIds: draft.localities,
      publishedAt: this.clock(),
      publishedBy: by,
    };
    const audience: Audience = { kind: 'subscribers', topics: item.topics, localityIds: item.localityIds };
    if (!(await this.deps.news.publish(item, { id: newsBroadcastId(id), audience, createdAt: item.publishedAt })))
      return { ok: false, errors: [`a news item with id '${id}' was already published`] };
    this.deps.onBroadcast?.();
    return { ok: true, id };
  }

  /** The survey definitions a campaign can be created from (the console's list). */
  surveyDefinitionList(): SurveyDefinition[] {
    return [...this.deps.surveyDefinitions().values()];
  }

  references() {
    return { topics: this.deps.topics(), localityIds: new Set(this.deps.directory.current().localities.map((l) => l.id)) };
  }

  /** Receipts per channel and outcome (sent, not_allowed, skipped, failed). */
  newsReach(newsId: string): Promise<Readonly<Record<string, Readonly<Record<ReceiptOutcome, number>>>>> {
    return this.deps.broadcasts.reach(newsBroadcastId(newsId));
  }

  listNews(limit = 50): Promise<NewsItem[]> {
    return this.deps.news.list(limit);
  }

  // ------------------------------------------------------------ surveys

  async createSurveyCampaign(input: {
    surveyId: string;
    name: string;
    audience: Extract<Audience, { kind: 'survey' }>;
    by: string;
  }): Promise<{ ok: true; id: string } | { ok: false; error: string }> {
    if (!this.deps.surveyDefinitions().has(input.surveyId)) return { ok: false, error: `unknown survey '${input.surveyId}'` };
    if (!input.audience.subscribers && !input.audience.closedComplaints) return { ok: false, error: 'the campaign invites nobody' };
    const cc = input.audience.closedComplaints;
    if (cc && !(cc.from < cc.to)) return { ok: false, error: 'the period must end after it starts' };
    const unknown = cc?.agencyIds.filter((a) => !this.deps.directory.current().agencyById.has(a)) ?? [];
    if (unknown.length) return { ok: false, error: `unknown agency '${unknown[0]}'` };
    const id = `${input.surveyId}-${randomBytes(3).toString('hex')}`;
    const campaign: SurveyCampaign = {
      id,
      surveyId: input.surveyId,
      name: input.name,
      audience: input.audience,
      state: 'draft',
      createdBy: input.by,
    };
    await this.deps.surveys.createCampaign(campaign);
    return { ok: true, id };
  }

  /** Opens the campaign and sends the invitations (once each, like news). */
  async launchSurveyCampaign(id: string): Promise<{ ok: true } | { ok: false; error: string }> {
    const campaign = await this.deps.surveys.getCampaign(id);
    if (!campaign) return { ok: false, error: 'unknown campaign' };
    if (campaign.state === 'closed') return { ok: false, error: 'the campaign is closed' };
    const now = this.clock();
    if (campaign.state === 'draft') await this.deps.surveys.setState(id, 'launched', now);
    await this.deps.news.addBroadcast({ id: surveyBroadcastId(id), audience: campaign.audience, createdAt: now });
    this.deps.onBroadcast?.();
    return { ok: true };
  }

  async closeSurveyCampaign(id: string): Promise<void> {
    await this.deps.surveys.setState(id, 'closed', this.clock());
  }

  listSurveyCampaigns(limit = 50): Promise<SurveyCampaign[]> {
    return this.deps.surveys.listCampaigns(limit);
  }

  /** Whether this citizen may answer the campaign now, and as whose client (the agency of their closed complaint). */
  async startSurvey(campaignId: string, channel: ChannelName, userId: string): Promise<SurveyStart> {
    const campaign = await this.deps.surveys.getCampaign(campaignId);
    const survey = campaign && this.deps.surveyDefinitions().get(campaign.surveyId);
    if (!campaign || !survey) return { ok: false, reason: 'unknown' };
    if (campaign.state !== 'launched') return { ok: false, reason: 'not_open' };
    const invitation = await this.invitation(`${surveyBroadcastId(campaignId)}|${subscriberId(channel, userId)}`);
    if (!invitation) return { ok: false, reason: 'not_invited' };
    if (await this.deps.surveys.hasResponded(campaignId, this.deps.respondentKey(channel, userId)))
      return { ok: false, reason: 'already_answered' };
    return { ok: true, campaign, survey, ...(invitation.agencyId ? { agencyId: invitation.agencyId } : {}) };
  }

  /**
   * The invitation's receipt. A receipt is written just after its send (grouped with others,
   * within a fraction of a second), so a citizen quick on the button can arrive before it: when
   * the send was claimed, wait for the receipt a little rather than call them uninvited.
   */
  private async invitation(key: string): Promise<Receipt | undefined> {
    const receipt = await this.deps.broadcasts.receipt(key);
    if (receipt || !(await this.deps.broadcasts.attemptTaken(key))) return receipt;
    for (let waited = 0; waited < RECEIPT_WAIT_MS; waited += RECEIPT_POLL_MS) {
      await sleep(RECEIPT_POLL_MS);
      const late = await this.deps.broadcasts.receipt(key);
      if (late) return late;
    }
    return undefined;
  }

  /** Stores a completed survey; `already` when this person answered the campaign before. */
  submitSurvey(input: {
    campaignId: string;
    channel: ChannelName;
    userId: string;
    agencyId?: string;
    answers: Readonly<Record<string, SurveyAnswerValue>>;
  }): Promise<'recorded' | 'already'> {
    return this.deps.surveys.recordResponse({
      campaignId: input.campaignId,
      respondent: this.deps.respondentKey(input.channel, input.userId),
      ...(input.agencyId ? { agencyId: input.agencyId } : {}),
      at: this.clock(),
      answers: input.answers,
    });
  }

  /** Results per agency and question, counted in the database; means from the counts per score. */
  async surveyResults(campaignId: string): Promise<SurveyResults | undefined> {
    const campaign = await this.deps.surveys.getCampaign(campaignId);
    const survey = campaign && this.deps.surveyDefinitions().get(campaign.surveyId);
    if (!campaign || !survey) return undefined;
    const [respondents, rows, texts, invitations] = await Promise.all([
      this.deps.surveys.responseCounts(campaignId),
      this.deps.surveys.answerCounts(campaignId),
      this.deps.surveys.texts(campaignId),
      this.deps.broadcasts.reach(surveyBroadcastId(campaignId)),
    ]);
    const questions = survey.questions.map((q): QuestionResult => {
      const byAgency: Record<string, { answers: number; counts: Record<string, number>; mean?: number; texts?: string[] }> = {};
      const slot = (agency: string | null) => (byAgency[agency ?? ''] ??= { answers: 0, counts: {} });
      for (const row of rows.filter((r) => r.questionId === q.id)) {
        const s = slot(row.agencyId);
        s.counts[String(row.value)] = (s.counts[String(row.value)] ?? 0) + row.count;
        s.answers += row.count;
      }
      for (const t of texts.filter((x) => x.questionId === q.id)) {
        const s = slot(t.agencyId);
        (s.texts ??= []).push(t.text);
        s.answers += 1;
      }
      if (q.kind === 'likert')
        for (const s of Object.values(byAgency)) {
          const total = Object.entries(s.counts).reduce((sum, [score, n]) => sum + Number(score) * n, 0);
          if (s.answers) s.mean = Math.round((total / s.answers) * 100) / 100;
        }
      return { questionId: q.id, kind: q.kind, byAgency };
    });
    return { campaign, survey, respondents, questions, invitations };
  }
}

export function subscriberId(channel: ChannelName, userId: string): string {
  return `${channel}:${userId}`;
}

export function newsBroadcastId(newsId: string): string {
  return `news:${newsId}`;
}

export function surveyBroadcastId(campaignId: string): string {
  return `survey:${campaignId}`;
}
