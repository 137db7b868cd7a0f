/**
 * What the campaign (subscriptions, news, surveys) needs from storage, as ports: the use
 * cases and the dispatcher know no mongoose (src/storage/mongo/mongo-campaign-store.ts
 * implements them).
 */
import type { ChannelName, Locale } from '../core/messages';
import type { NewsItem } from './news';

export interface Subscriber {
  /** `<channel>:<userId>`, as the conversation key. */
  readonly id: string;
  readonly channel: ChannelName;
  readonly userId: string;
  readonly topics: readonly string[];
  /** The place chosen and every place enclosing it (news for the district reaches its communes). */
  readonly localityIds: readonly string[];
  readonly locale: Locale;
  readonly subscribedAt: Date;
}

export interface SubscriptionStore {
  get(id: string): Promise<Subscriber | undefined>;
  save(subscriber: Subscriber): Promise<void>;
  /** True if there was a subscription. */
  remove(id: string): Promise<boolean>;
  /** Subscribers per channel and per topic (aggregated in the database). */
  counts(): Promise<SubscriberCounts>;
}

export interface SubscriberCounts {
  readonly total: number;
  readonly byChannel: Readonly<Record<string, number>>;
  readonly byTopic: Readonly<Record<string, number>>;
}

/** Who a broadcast goes to. */
export type Audience =
  | { readonly kind: 'subscribers'; readonly topics: readonly string[]; readonly localityIds: readonly string[] }
  | {
      readonly kind: 'survey';
      /** Subscribers (of these topics; all when empty) are invited. */
      readonly subscribers?: { readonly topics: readonly string[] };
      /** Citizens whose complaint was resolved or closed in [from, to), optionally of these agencies. */
      readonly closedComplaints?: { readonly from: Date; readonly to: Date; readonly agencyIds: readonly string[] };
    };

/** One message fanned out to an audience: a news item, or the invitation to a survey campaign. */
export interface Broadcast {
  /** `news:<newsId>` or `survey:<campaignId>`. */
  readonly id: string;
  readonly audience: Audience;
  readonly createdAt: Date;
}

export interface Recipient {
  /** `<channel>:<userId>`. */
  readonly id: string;
  readonly channel: ChannelName;
  readonly userId: string;
  readonly locale: Locale;
  /** The agency of the closed complaint that made them a recipient (survey results per agency). */
  readonly agencyId?: string;
}

export interface RecipientPage {
  readonly recipients: readonly Recipient[];
  /** Where the next page starts; absent when this page was the last. */
  readonly next?: string;
}

/** A page of a broadcast's recipients, fixed once written (`<broadcast>#<seq>`). */
export interface RecipientBatch {
  readonly id: string;
  readonly broadcastId: string;
  readonly seq: number;
  readonly recipients: readonly Recipient[];
  /** The audience cursor after this page; absent on the last page. */
  readonly next?: string;
  readonly last: boolean;
  readonly done: boolean;
}

/**
 * How one recipient's message ended; a receipt is final (never retried). `uncertain`: a
 * send was under way when its process died — it may have arrived, and is not sent again.
 */
export type ReceiptOutcome = 'sent' | 'not_allowed' | 'skipped' | 'failed' | 'uncertain';

export const RECEIPT_OUTCOMES: readonly ReceiptOutcome[] = ['sent', 'not_allowed', 'skipped', 'failed', 'uncertain'];

export interface Receipt {
  /** `<broadcast>|<recipient>`: the idempotency key, one per (message, person). */
  readonly key: string;
  readonly broadcastId: string;
  readonly recipientId: string;
  readonly channel: ChannelName;
  readonly outcome: ReceiptOutcome;
  readonly attempts: number;
  readonly at: Date;
  readonly agencyId?: string;
  /** Why not sent (a class of error, never personal data). */
  readonly reason?: string;
}

export interface BroadcastStore {
  /** Broadcasts not finished yet, oldest first. */
  active(): Promise<Broadcast[]>;
  /**
   * Up to `pages` consecutive pages of `pageSize` recipients from `cursor`, read in one
   * query (each page knows where the next starts, so a crash while planning replays the
   * same pages into the same batch ids).
   */
  recipientPages(audience: Audience, cursor: string | undefined, pageSize: number, pages: number): Promise<RecipientPage[]>;
  lastBatch(broadcastId: string): Promise<RecipientBatch | undefined>;
  /**
   * Inserts batches in order in one round trip; false when one was already there (another
   * planner stored it first: it is left as it is, and so are the batches after it).
   */
  addBatches(batches: readonly RecipientBatch[]): Promise<boolean>;
  openBatches(broadcastId: string, limit: number): Promise<RecipientBatch[]>;
  markBatchDone(batchId: string): Promise<void>;
  finish(broadcastId: string, at: Date): Promise<void>;
  /** Inserts receipts in one round trip; one already there is kept (first outcome wins). */
  addReceipts(receipts: readonly Receipt[]): Promise<void>;
  receipt(key: string): Promise<Receipt | undefined>;
  /**
   * Takes attempt `attempt` of each of `keys` in one round trip (unique inserts: exactly
   * one process wins each); returns the keys this call took.
   */
  claimAttempts(keys: readonly string[], attempt: number, owner: string): Promise<Set<string>>;
  /** Records that these attempts ended without sending (temporary failures), in one round trip: their next attempts may go. */
  markAttemptsFailed(attempts: readonly { readonly key: string; readonly attempt: number }[], owner: string): Promise<void>;
  /** Whether attempt `attempt` of `key` was recorded as failed. */
  attemptFailed(key: string, attempt: number): Promise<boolean>;
  /** Whether a first attempt of `key` was taken: its message is being sent, or was. */
  attemptTaken(key: string): Promise<boolean>;
  /** Receipts per channel and outcome (aggregated in the database). */
  reach(broadcastId: string): Promise<Readonly<Record<string, Readonly<Record<ReceiptOutcome, number>>>>>;
}

export interface NewsStore {
  /** Stores the item and its broadcast; false if the id is taken. */
  publish(item: NewsItem, broadcast: Broadcast): Promise<boolean>;
  /** Stores a broadcast (a survey campaign launched); one already there is kept. */
  addBroadcast(broadcast: Broadcast): Promise<void>;
  getNews(id: string): Promise<NewsItem | undefined>;
  /** Latest items of any of `topics` for a subscriber of `localityIds` (province-wide items included). */
  latest(topics: readonly string[], localityIds: readonly string[], limit: number): Promise<NewsItem[]>;
  list(limit: number): Promise<NewsItem[]>;
}

/** When the citizen last wrote to the bot on their channel (Zalo's messaging window counts from it). */
export type LastInteraction = (channel: ChannelName, userId: string) => Promise<Date | undefined>;

export type SurveyCampaignState = 'draft' | 'launched' | 'closed';

export interface SurveyCampaign {
  readonly id: string;
  readonly surveyId: string;
  readonly name: string;
  readonly audience: Extract<Audience, { kind: 'survey' }>;
  readonly state: SurveyCampaignState;
  readonly createdBy: string;
  readonly launchedAt?: Date;
}

/** One answer as stored: no platform id, only the keyed-hash respondent. */
export type SurveyAnswerValue =
  | { readonly kind: 'likert'; readonly score: number }
  | { readonly kind: 'choice'; readonly choice: string }
  | { readonly kind: 'text'; readonly text: string };

export interface SurveyResponse {
  readonly campaignId: string;
  /** Keyed hash of `<channel>:<userId>`. */
  readonly respondent: string;
  readonly agencyId?: string;
  readonly at: Date;
  readonly answers: Readonly<Record<string, SurveyAnswerValue>>;
}

/** Counts per agency, question and value, as the database aggregated them. */
export interface SurveyCountRow {
  readonly agencyId: string | null;
  readonly questionId: string;
  readonly value: number | string;
  readonly count: number;
}

export interface SurveyStore {
  createCampaign(campaign: SurveyCampaign): Promise<boolean>;
  getCampaign(id: string): Promise<SurveyCampaign | undefined>;
  listCampaigns(limit: number): Promise<SurveyCampaign[]>;
  setState(id: string, state: SurveyCampaignState, at: Date): Promise<void>;
  /** `already`: this person answered this campaign before (the unique `_id`). */
  recordResponse(response: SurveyResponse): Promise<'recorded' | 'already'>;
  hasResponded(campaignId: string, respondent: string): Promise<boolean>;
  /** Respondents per agency. */
  responseCounts(campaignId: string): Promise<Readonly<Record<string, number>>>;
  /** Likert scores and choices counted per agency, question and value. */
  answerCounts(campaignId: string): Promise<SurveyCountRow[]>;
  /** Free-text answers per agency and question, without who wrote them, in a stable order unrelated to time. */
  texts(campaignId: string): Promise<{ readonly agencyId: string | null; readonly questionId: string; readonly text: string }[]>;
}

/** Erases a citizen's campaign data (subscription, receipts, survey answers): Decree 13/2023. */
export interface CampaignEraser {
  forgetCitizen(channel: ChannelName, userId: string, respondent: string): Promise<void>;
}
