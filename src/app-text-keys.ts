/**
 * Every locale key the running code uses besides the intents' answers and menu labels,
 * so that `nlu validate` and the content loader reject a translation file that lacks one.
 */
import { CORE_TEXT_KEYS } from './core/bot-content';
import { ENGINE_TEXT_KEYS } from './core/conversation-engine';
import { COMPLAINT_FLOW_TEXT_KEYS } from './complaints/complaint-flow';
import { AGENCY_TEXT_KEYS, COMPLAINT_TEXT_KEYS } from './complaints/notification-texts';
import { RATING_FLOW_TEXT_KEYS } from './complaints/rating-flow';
import { SECTORS } from './complaints/sectors';
import type { ContentOptions } from './content/content-loader';
import { HOTLINE_TEXT_KEYS } from './i18n/translator';
import { BROADCAST_TEXT_KEYS } from './campaign/broadcast-renderer';
import { SUBSCRIPTION_TEXT_KEYS } from './campaign/subscription-flow';
import { SURVEY_TEXT_KEYS } from './campaign/survey-flow';
import { CATALOG_TEXT_KEYS } from './catalog/procedure-answers';

export function extraTextKeys(): string[] {
  return [
    ...new Set<string>([
      ...CORE_TEXT_KEYS,
      ...ENGINE_TEXT_KEYS,
      ...Object.values(HOTLINE_TEXT_KEYS),
      ...COMPLAINT_TEXT_KEYS,
      ...COMPLAINT_FLOW_TEXT_KEYS,
      ...RATING_FLOW_TEXT_KEYS,
      ...AGENCY_TEXT_KEYS,
      ...BROADCAST_TEXT_KEYS,
      ...SUBSCRIPTION_TEXT_KEYS,
      ...SURVEY_TEXT_KEYS,
      ...CATALOG_TEXT_KEYS,
    ]),
  ];
}

/** What the running code requires of the content files: its text keys and the sector ids it knows. */
export function contentRequirements(): Pick<ContentOptions, 'requiredTextKeys' | 'sectorIds'> {
  return { requiredTextKeys: extraTextKeys(), sectorIds: SECTORS };
}
