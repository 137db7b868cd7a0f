/**
 * Turns a normalised message into a sparse feature vector for the classifier.
 *
 * The feature set is the one measured in docs/measurements.md to reach ≈95 % on
 * Vietnamese intents: syllable unigrams and bigrams plus character 3–5-grams, all on
 * the diacritic-free view (so "khai sinh" and "khai sinh" typed without marks share
 * features), plus accented unigrams where the citizen typed marks (they disambiguate
 * "đất" from "đặt" when present). Character n-grams absorb typos and teencode that the
 * abbreviation table does not know. Word segmentation is deliberately not done: syllable
 * bigrams did as well as gold segmentation.
 */
import type { NormalizedText } from '../text/normalize';

/** Distinct feature names of one message, grouped so each group can be weighted. */
export interface FeatureBag {
  readonly words: readonly string[];
  readonly chars: readonly string[];
}

const NUMBER = /^\d+$/;
const CHAR_MIN = 3;
const CHAR_MAX = 5;

export function extractFeatures(text: NormalizedText): FeatureBag {
  const words = new Set<string>();
  const folded = text.foldedTokens.map((t) => (NUMBER.test(t) ? '#' : t));
  for (let i = 0; i < folded.length; i++) {
    words.add('w:' + folded[i]);
    if (i + 1 < folded.length) words.add('b:' + folded[i] + ' ' + folded[i + 1]);
    const accented = text.tokens[i];
    if (accented !== text.foldedTokens[i]) words.add('a:' + accented);
  }
  const chars = new Set<string>();
  const joined = ' ' + folded.join(' ') + ' ';
  for (let n = CHAR_MIN; n <= CHAR_MAX; n++) {
    for (let i = 0; i + n <= joined.length; i++) {
      const gram = joined.slice(i, i + n);
      if (gram.trim().length > 0) chars.add(gram);
    }
  }
  return { words: [...words], chars: [...chars].map((g) => 'c:' + g) };
}
