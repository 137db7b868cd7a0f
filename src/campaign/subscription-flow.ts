/**
 * Subscribing to news in the chat. One message subscribes ("/dangky", "nhận tin cải cách
 * hành chính", "subscribe to news"): every topic at first, or the topics kept from an
 * earlier subscription. The reply offers the topics as buttons (pressing one adds or
 * removes it) and "done"; then, optionally, the commune or ward whose local news the
 * citizen also wants, typed as they say it (matched in the directory's localities).
 * Unsubscribing and "any news?" are plain intents (news-handlers.ts).
 */
import type { FlowState } from '../core/conversation-store';
import { everydayAnswer, foldForChoice } from '../core/everyday-answers';
import type { ConversationFlow, IntentHandler, TurnContext, TurnOutcome } from '../core/flow';
import type { StepFit } from '../core/flow-interruption';
import type { QuickReply } from '../core/messages';
import type { DirectorySource } from '../complaints/use-cases/ports';
import { LocalityMatcher } from '../complaints/directory/locality-matcher';
import type { CampaignUseCases } from './campaign-use-cases';
import type { NewsTopic } from './news-topics';
import type { Subscriber } from './ports';

export const SUBSCRIPTION_FLOW = 'subscription';
const TOPIC = '#sub:t:';
const DONE = '#sub:done';
const SKIP = '#sub:skip';
const TTL_MS = 24 * 3600 * 1000;
const DONE_WORDS = new Set(['xong', 'done', 'ok', 'xong roi', 'finish']);

export const SUBSCRIPTION_TEXT_KEYS = [
  'news.subscribed',
  'news.topics_now',
  'news.button.done',
  'news.button.skip',
  'news.ask_place',
  'news.place_unknown',
  'news.finished',
  'news.finished_place',
  'news.unsubscribed',
  'news.not_subscribed',
  'news.latest_header',
  'news.latest_item',
  'news.none',
  'news.subscribe_hint',
  'conversation.continue_offer.subscription',
  'conversation.restore_offer.subscription',
  'conversation.button.discard_subscription',
] as const;

export interface SubscriptionDeps {
  readonly campaign: CampaignUseCases;
  readonly topics: () => readonly NewsTopic[];
  readonly directory: DirectorySource;
}

export class SubscriptionFlow implements ConversationFlow {
  readonly name = SUBSCRIPTION_FLOW;
  readonly ownTopics: ReadonlySet<string> = new Set(['news_subscribe']);

  constructor(private readonly deps: SubscriptionDeps) {}

  async start(ctx: TurnContext): Promise<TurnOutcome> {
    const { channel, userId } = ctx.message;
    const s = await this.deps.campaign.subscribe(channel, userId, ctx.locale);
    return this.topicsStep(ctx, s, ctx.t('news.subscribed'));
  }

  async resume(ctx: TurnContext, state: FlowState): Promise<TurnOutcome> {
    const { channel, userId } = ctx.message;
    const text = ctx.message.text.trim();
    if (state.step === 'topics') {
      if (text.startsWith(TOPIC)) {
        const s = await this.deps.campaign.toggleTopic(channel, userId, ctx.locale, text.slice(TOPIC.length));
        return this.topicsStep(ctx, s);
      }
      return this.placeStep(ctx, ctx.t('news.ask_place'));
    }
    if (text === SKIP || everydayAnswer(text) === 'no') return this.finish(ctx);
    const place = this.findPlace(text);
    if (!place) return this.placeStep(ctx, ctx.t('news.place_unknown'));
    await this.deps.campaign.setLocality(channel, userId, ctx.locale, place.id);
    return this.finish(ctx, place.name.vi);
  }

  fit(ctx: TurnContext, state: FlowState): StepFit {
    const text = ctx.message.text.trim();
    if (state.step === 'topics') return text.startsWith('#sub:') || DONE_WORDS.has(foldForChoice(text)) ? 'answer' : 'other';
    if (text === SKIP || everydayAnswer(text) === 'no' || this.findPlace(text)) return 'answer';
    return 'free_text';
  }

  prompt(ctx: TurnContext, state: FlowState): TurnOutcome {
    if (state.step === 'place') return this.placeStep(ctx, ctx.t('news.ask_place'));
    const chosen = Array.isArray(state.data.topics) ? (state.data.topics as string[]) : [];
    return this.topicsOutcome(ctx, chosen);
  }

  private async topicsStep(ctx: TurnContext, s: Subscriber, lead?: string): Promise<TurnOutcome> {
    const outcome = this.topicsOutcome(ctx, s.topics);
    return lead ? { ...outcome, messages: [{ text: lead }, ...outcome.messages] } : outcome;
  }

  private topicsOutcome(ctx: TurnContext, chosen: readonly string[]): TurnOutcome {
    const topics = this.deps.topics();
    const names = topics.filter((t) => chosen.includes(t.id)).map((t) => t.label[ctx.locale]);
    const replies: QuickReply[] = topics.map((t) => ({
      label: `${chosen.includes(t.id) ? '✓ ' : ''}${t.label[ctx.locale]}`,
      payload: `${TOPIC}${t.id}`,
    }));
    replies.push({ label: ctx.t('news.button.done'), payload: DONE });
    return {
      messages: [{ text: ctx.t('news.topics_now', { topics: names.join(', ') }), quickReplies: replies }],
      flow: this.state('topics', { topics: [...chosen] }, ctx),
      intent: 'subscription:topics',
    };
  }

  private placeStep(ctx: TurnContext, text: string): TurnOutcome {
    return {
      messages: [{ text, quickReplies: [{ label: ctx.t('news.button.skip'), payload: SKIP }] }],
      flow: this.state('place', {}, ctx),
      intent: 'subscription:place',
    };
  }

  private finish(ctx: TurnContext, place?: string): TurnOutcome {
    return { messages: [{ text: place ? ctx.t('news.finished_place', { place }) : ctx.t('news.finished') }], intent: 'subscription:done' };
  }

  private findPlace(text: string) {
    if (text.startsWith('#')) return undefined;
    return new LocalityMatcher(this.deps.directory.current()).find(text)?.locality;
  }

  private state(step: string, data: Record<string, unknown>, ctx: TurnContext): FlowState {
    return { name: SUBSCRIPTION_FLOW, step, data, expiresAt: new Date(ctx.now.getTime() + TTL_MS).toISOString() };
  }
}

/** "hủy nhận tin", "/huydangky", "unsubscribe": one message. */
export class UnsubscribeHandler implements IntentHandler {
  constructor(private readonly campaign: CampaignUseCases) {}

  async handle(ctx: TurnContext): Promise<TurnOutcome> {
    const removed = await this.campaign.unsubscribe(ctx.message.channel, ctx.message.userId);
    return { messages: [{ text: ctx.t(removed ? 'news.unsubscribed' : 'news.not_subscribed') }], intent: 'news_unsubscribe' };
  }
}

/** "có tin gì mới?", "any news?": the latest items for the citizen's topics (or every topic). */
export class LatestNewsHandler implements IntentHandler {
  constructor(private readonly campaign: CampaignUseCases) {}

  async handle(ctx: TurnContext): Promise<TurnOutcome> {
    const { channel, userId } = ctx.message;
    const [items, subscriber] = await Promise.all([
      this.campaign.latestNews(channel, userId, 3),
      this.campaign.subscription(channel, userId),
    ]);
    const hint = subscriber ? [] : [{ text: ctx.t('news.subscribe_hint') }];
    if (items.length === 0) return { messages: [{ text: ctx.t('news.none') }, ...hint], intent: 'news_latest' };
    const lines = items.map((n) =>
      ctx.t('news.latest_item', {
        title: ctx.locale === 'en' && n.en ? n.en.title : n.title,
        link: n.link,
        date: n.publishedAt.toISOString().slice(0, 10),
      }),
    );
    return { messages: [{ text: [ctx.t('news.latest_header'), ...lines].join('\n') }, ...hint], intent: 'news_latest' };
  }
}
