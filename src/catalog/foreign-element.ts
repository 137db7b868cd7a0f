/**
 * "Chồng em người Hàn Quốc", "đổi bằng lái Nhật": citizens name the country, not the
 * "yếu tố nước ngoài" that the catalog's names use to tell a procedure's foreign variant
 * (birth, marriage, judicial record, driving licence, stay declaration) from the domestic
 * one. The ranker cannot learn every nationality from the names, so a message (and a name)
 * that mentions a foreign country or nationality is read with the words "nước ngoài" /
 * "foreign" added: the variants' own words then decide.
 */
import type { Locale } from '../i18n/locale';
import { foldDiacritics } from '../text/vietnamese';

/** Country names no everyday Vietnamese word shares once marks are dropped. */
const VI_COUNTRIES = [
  'han quoc',
  'trung quoc',
  'nhat ban',
  'dai loan',
  'hoa ky',
  'thai lan',
  'campuchia',
  'cam pu chia',
  'singapore',
  'malaysia',
  'indonesia',
  'philippines',
  'an do',
  'canada',
  'chau au',
  'viet kieu',
  'ngoai quoc',
  'ngoai kieu',
  'kieu bao',
];
/** Short names that are also everyday words ("tư pháp", "thẩm mỹ", "lao động", "đức"; not "trung", "thái": "người trung niên", the Thái people): only after "người", "nước", "bên"… */
const VI_SHORT = ['my', 'phap', 'duc', 'nhat', 'han', 'uc', 'nga', 'lao', 'hong kong'];
const VI_BEFORE_SHORT = ['nguoi', 'nuoc', 'ben', 'quoc tich', 'dan'];
const VI_PATTERN = new RegExp(`\\b(?:${VI_COUNTRIES.join('|')}|(?:${VI_BEFORE_SHORT.join('|')}) (?:${VI_SHORT.join('|')}))\\b(?! dong)`);
const VI_SAID = /\bnuoc ngoai\b/;

const EN_PATTERN = new RegExp(
  `\\b(?:${[
    'korea',
    'korean',
    'china',
    'chinese',
    'japan',
    'japanese',
    'taiwan',
    'taiwanese',
    'america',
    'american',
    'usa',
    'france',
    'french',
    'germany',
    'german',
    'british',
    'uk',
    'australia',
    'australian',
    'thailand',
    'thai',
    'cambodia',
    'cambodian',
    'laos',
    'russia',
    'russian',
    'india',
    'indian',
    'singapore',
    'canada',
    'canadian',
    'expat',
    'expats',
  ].join('|')})\\b`,
);
const EN_SAID = /\bforeign(?:er|ers)?\b/;

/** The text as the ranker reads it: with "nước ngoài" / "foreign" added when a foreign country is named but not the words. */
export function withForeignElement(text: string, locale: Locale): string {
  const folded = foldDiacritics(text).toLowerCase();
  if (locale === 'vi') return VI_PATTERN.test(folded) && !VI_SAID.test(folded) ? `${text} nước ngoài` : text;
  return EN_PATTERN.test(folded) && !EN_SAID.test(folded) ? `${text} foreign` : text;
}
