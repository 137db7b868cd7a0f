/**
 * The words of a broadcast for one recipient, in their language, rendered at send time
 * (an admin's wording fix reaches messages still waiting): a news item, or the invitation
 * to a survey campaign with its "start" button.
 */
import type { Locale, OutgoingMessage } from '../core/messages';
import { renderNews, type NewsItem, type NewsTexts } from './news';
import type { Broadcast, NewsStore, Recipient, SurveyCampaign, SurveyStore } from './ports';
import { localized, type SurveyDefinition } from './survey';

export const BROADCAST_TEXT_KEYS = ['news.message', 'survey.invitation', 'survey.button.start'] as const;

export interface BroadcastRendererDeps {
  readonly news: Pick<NewsStore, 'getNews'>;
  readonly surveys: Pick<SurveyStore, 'getCampaign'>;
  readonly surveyDefinitions: () => ReadonlyMap<string, SurveyDefinition>;
  readonly t: NewsTexts;
}

/** The command a survey invitation's button sends (`/khaosat <campaign>`). */
export function surveyStartPayload(campaignId: string): string {
  return `/khaosat ${campaignId}`;
}

export function createBroadcastRenderer(deps: BroadcastRendererDeps): (b: Broadcast, r: Recipient) => Promise<readonly OutgoingMessage[]> {
  // News items never change once published, nor does a campaign's survey: read each once per process, not once per recipient.
  const items = new Map<string, Promise<NewsItem | undefined>>();
  const campaigns = new Map<string, Promise<SurveyCampaign | undefined>>();
  return async (broadcast, recipient) => {
    const locale: Locale = recipient.locale;
    if (broadcast.id.startsWith('news:')) {
      const id = broadcast.id.slice('news:'.length);
      const item = await readOnce(items, id, () => deps.news.getNews(id));
      if (!item) throw new Error('news item not found');
      return [renderNews(item, locale, deps.t)];
    }
    const campaignId = broadcast.id.slice('survey:'.length);
    const campaign = await readOnce(campaigns, campaignId, () => deps.surveys.getCampaign(campaignId));
    const survey = campaign && deps.surveyDefinitions().get(campaign.surveyId);
    if (!survey) throw new Error('survey campaign not found');
    const text = deps.t(locale, 'survey.invitation', { title: localized(survey.title, locale), intro: localized(survey.intro, locale) });
    return [{ text, quickReplies: [{ label: deps.t(locale, 'survey.button.start', {}), payload: surveyStartPayload(campaignId) }] }];
  };
}

/** `read()` once per id; a failed read is forgotten, so the next recipient reads again. */
function readOnce<T>(cache: Map<string, Promise<T>>, id: string, read: () => Promise<T>): Promise<T> {
  let found = cache.get(id);
  if (!found) {
    found = read().catch((err: unknown) => {
      cache.delete(id);
      throw err;
    });
    cache.set(id, found);
  }
  return found;
}
