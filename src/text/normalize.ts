/**
 * Turns a message as citizens really type it into the forms the matcher and the
 * entity extractors compare: one pure function, no I/O.
 *
 * Steps, in order (each one fixes a measured failure, see docs/measurements.md):
 * 1. cut to {@link MAX_TEXT_LENGTH} characters: a 1 MB paste must cost no more than a tweet;
 * 2. NFC + lower case: NFD input from some keyboards must behave exactly like NFC;
 * 3. drop emoji, zero-width and control characters;
 * 4. canonical tone placement (hòa/hoà, thủy/thuỷ, khỏe/khoẻ);
 * 5. expand teencode and administrative abbreviations from an admin-editable table;
 * 6. a diacritic-free view of the result (đ→d), because many citizens type without marks.
 */
import { canonicalTones, foldDiacritics, nfcLower } from './vietnamese';

/** Longest text the NLU looks at; longer messages are cut, never rejected. */
export const MAX_TEXT_LENGTH = 2000;

/** Maps one lower-case token (accented or not) to its expansion (one or more words). */
export type AbbreviationTable = ReadonlyMap<string, string>;

export interface NormalizedText {
  /** NFC, lower case, canonical tones, abbreviations expanded, cleaned; words separated by one space. */
  readonly canonical: string;
  /** `canonical` without diacritics. */
  readonly folded: string;
  /** Word tokens of `canonical`. */
  readonly tokens: readonly string[];
  /** Word tokens of `folded` (same length and order as `tokens`). */
  readonly foldedTokens: readonly string[];
}

// Emoji and pictographs, variation selectors, zero-width characters, BOM, and the
// control characters (C0/C1) except the ones that separate words.
const INVISIBLE_OR_EMOJI =
  // eslint-disable-next-line no-misleading-character-class -- variation selectors are listed on purpose, to be removed
  /[\p{Extended_Pictographic}\p{Emoji_Modifier}\u{1F1E6}-\u{1F1FF}\uFE00-\uFE0F\u200B-\u200F\u2060-\u2064\uFEFF\u00AD]/gu;
const CONTROL = /[\p{Cc}]/gu;
const NON_WORD = /[^\p{L}\p{N}]+/gu;

/**
 * Cleans a raw message for display-safe processing: length cut, NFC, invisible
 * characters and emoji removed, whitespace collapsed. Keeps case and punctuation,
 * which entity extraction needs (tracking codes, dossier codes).
 */
export function cleanText(raw: string): string {
  const cut = raw.length > MAX_TEXT_LENGTH ? raw.slice(0, MAX_TEXT_LENGTH) : raw;
  return cut.normalize('NFC').replace(INVISIBLE_OR_EMOJI, '').replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
}

/** Splits a cleaned, lower-case text into word tokens (letters and digits). */
export function wordTokens(text: string): string[] {
  return text.split(NON_WORD).filter((t) => t.length > 0);
}

/** Full normalisation for matching. `abbreviations` keys must be produced by {@link normalizeKey}. */
export function normalizeText(raw: string, abbreviations: AbbreviationTable = new Map()): NormalizedText {
  const lower = canonicalTones(nfcLower(cleanText(raw)));
  const tokens: string[] = [];
  for (const token of wordTokens(lower)) {
    const expansion = abbreviations.get(token) ?? abbreviations.get(foldDiacritics(token));
    if (expansion) tokens.push(...expansion.split(' '));
    else tokens.push(token);
  }
  const foldedTokens = tokens.map(foldDiacritics);
  return {
    canonical: tokens.join(' '),
    folded: foldedTokens.join(' '),
    tokens,
    foldedTokens,
  };
}

/** The form of a key or value in the abbreviation table: NFC, lower case, canonical tones, single spaces. */
export function normalizeKey(text: string): string {
  return wordTokens(canonicalTones(nfcLower(cleanText(text)))).join(' ');
}
