/**
 * Which language a message is written in: Vietnamese, English, or "cannot tell".
 *
 * Why hand-written (measured, see docs/architecture.md): general detectors (franc,
 * tinyld, eld) learn Vietnamese from accented text, so "thu tuc dang ky kinh doanh" —
 * how many citizens type — comes out as anything but Vietnamese, and two-word messages
 * are guesses. Vietnamese has a property those libraries do not use: every word is one
 * syllable from a small closed set (initial consonant + vowel cluster + final
 * consonant), with or without marks. English words mostly are not such syllables
 * ("register", "how", "birth"), so counting words that cannot be Vietnamese is a strong,
 * explainable signal that works without diacritics.
 *
 * Evidence per word: a Vietnamese letter or tone mark counts twice for Vietnamese; a
 * word that cannot be a Vietnamese syllable counts for English; a possible syllable
 * counts for Vietnamese. Words both languages use ("to", "can", "my", "ok", "online",
 * abbreviations from the admins' table) count for neither. A verdict needs at least two
 * words of evidence and a clear majority; otherwise the answer is `undefined` and the
 * conversation keeps its current language — "ok" or "hello" must not flip it.
 */
import { cleanText, wordTokens } from './normalize';
import { nfcLower } from './vietnamese';
import { isVietnameseSyllable } from './vietnamese-syllable';

export type DetectedLanguage = 'vi' | 'en';

/**
 * Words that are possible Vietnamese syllables AND everyday English, loanwords and chat
 * words both use ("alo", "help"), web addresses and the reform indexes' acronyms: they say
 * nothing about the language.
 */
const SHARED_WORDS = new Set(
  (
    'a an to do in on at the can my me so no go be get he she we it its us ok oke okay hi bye ' +
    'online offline email mail zalo facebook website web app link file pdf ok bot menu admin ad hotline ' +
    'visa covid test taxi video internet wifi sim code pass password otp vneid id nick login logout check inbox like share ' +
    'post chat group page fanpage shop ship online alo helo help pls gov vn com www http https kontum ' +
    'par papi pci sipas'
  ).split(' '),
);

/**
 * Possible syllables that are English function words and that unmarked Vietnamese hardly
 * writes alone (none occurs in the intents' Vietnamese examples): "I", "not", "got", "but".
 */
const ENGLISH_ONLY = new Set(['i', 'not', 'got', 'but']);

/**
 * Spellings no English word has: a word starting "ng", "nh", "kh" ("nha", "khai", "nguoi")
 * or ending "nh" ("anh", "tinh"). Written in lower case only: capitalised, they are as
 * likely the place names English questions mention ("Quang Ngai", "Ngoc Hoi").
 */
const ONLY_VIETNAMESE = /^(?:n[gh]|kh)[a-z]*$|^[a-z]+nh$/;

/** Letters (or combining marks) that only Vietnamese writing uses among the two languages. */
const VIETNAMESE_MARKS = /[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]/;

export interface LanguageEvidence {
  /** Weighted count of words that point to Vietnamese. */
  readonly vi: number;
  /** Count of words that cannot be Vietnamese syllables. */
  readonly en: number;
}

/** Letters from which a word that cannot be a syllable is strong English evidence ("subscribe", "goodbye") when alone. */
const LONG_WORD = 7;
/** A long word spelt like a word, not laughter ("hahahaha") or a keyboard run ("asdfghjkl"). */
function looksLikeLongEnglishWord(token: string): boolean {
  if (token.length < LONG_WORD || /^(.{1,3})\1+$/.test(token)) return false;
  return (token.match(/[aeiouy]/g)?.length ?? 0) / token.length >= 0.25;
}

/** Minimum evidence (weighted words) for a verdict. */
const MIN_EVIDENCE = 2;
/** Share of the evidence the winning language needs. */
const MIN_SHARE = 0.6;

/**
 * Counts the evidence for each language in `text`. `neutral` words (the abbreviation
 * table's keys: "hs", "sdt", "thanks") never count for English.
 */
export function languageEvidence(text: string, neutral: ReadonlySet<string> | ReadonlyMap<string, unknown> = new Set()): LanguageEvidence {
  let vi = 0;
  let en = 0;
  let long = 0;
  const words = wordTokens(cleanText(text));
  // In a message with lower-case words, a capitalised syllable after the first word is a name
  // ("getting married in Kon Tum", "lam giay to o Kon Tum"): it says nothing about the language.
  const names = words.some((w) => /^[a-z]/.test(w));
  for (const [index, written] of words.entries()) {
    const token = nfcLower(written);
    if (/\d/.test(token)) continue;
    if (names && index > 0 && /^[A-Z][a-z]*$/.test(written) && isVietnameseSyllable(token)) continue;
    if (VIETNAMESE_MARKS.test(token)) {
      vi += 2;
      continue;
    }
    if (SHARED_WORDS.has(token)) continue;
    if (!/^[a-z]+$/.test(token)) continue; // another script: no evidence either way
    if (isVietnameseSyllable(token) && !ENGLISH_ONLY.has(token)) vi += ONLY_VIETNAMESE.test(written) ? 2 : 1;
    else if (!neutral.has(token)) {
      // "thanks", "hs", "sdt": the admins' abbreviations are not English evidence
      en += 1;
      if (looksLikeLongEnglishWord(token)) long += 1;
    }
  }
  // A long English word counts twice when nothing in the message is Vietnamese: "goodbye",
  // "appreciate it" are English; in "#pa:confirm" or a Vietnamese sentence it is a loanword.
  return { vi, en: vi === 0 ? en + long : en };
}

/** The language of `text`, or undefined when the evidence is too thin or mixed to tell. */
export function detectLanguage(
  text: string,
  neutral: ReadonlySet<string> | ReadonlyMap<string, unknown> = new Set(),
): DetectedLanguage | undefined {
  const { vi, en } = languageEvidence(text, neutral);
  const total = vi + en;
  if (total < MIN_EVIDENCE) return undefined;
  if (en >= MIN_EVIDENCE && en / total >= MIN_SHARE) return 'en';
  if (vi >= MIN_EVIDENCE && vi / total >= MIN_SHARE) return 'vi';
  return undefined;
}
