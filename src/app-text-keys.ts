/**
 * Every locale key the running code uses besides the intents' answers and menu labels,
 * so that `nlu validate` and the content loader reject a translation file that lacks one.
 */
import { CORE_TEXT_KEYS } from './core/bot-content';
import { AGENCY_TEXT_KEYS, COMPLAINT_TEXT_KEYS } from './complaints/notification-texts';

export function extraTextKeys(): string[] {
  return [
    ...new Set<string>([...CORE_TEXT_KEYS, 'system.cancelled', 'system.nothing_to_cancel', ...COMPLAINT_TEXT_KEYS, ...AGENCY_TEXT_KEYS]),
  ];
}
