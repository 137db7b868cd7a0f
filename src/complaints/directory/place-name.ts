/**
 * The comparable form of a place name: lower case, no diacritics, whole words.
 *
 * Why fold completely: place names are where spelling varies most and means least —
 * "Đăk Hà", "Đắk Hà", "Dak Ha", "ĐĂK HÀ" are one district, and the Central Highlands'
 * minority-language names have several accepted spellings. Apostrophes inside a name
 * are dropped so that "Ia H'Drai" and "Ia Hdrai" are the same two words.
 */
import { normalizeText } from '../../text/normalize';

const INNER_APOSTROPHE = /(\p{L})['’‘ʼ`´](?=\p{L})/gu;

/** Folded word tokens of a place name or of a free text that may contain one. */
export function placeTokens(text: string): string[] {
  return normalizeText(text.replace(INNER_APOSTROPHE, '$1')).foldedTokens.slice();
}

/** One string per place name, for uniqueness checks and map keys. */
export function placeKey(text: string): string {
  return placeTokens(text).join(' ');
}
