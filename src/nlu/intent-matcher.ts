/**
 * Text → intent with a confidence, or `fallback` when the bot should admit it did not
 * understand. Built from labelled texts (the intent files, or any JSONL data set for
 * evaluation) through one pipeline: normalise → features → vectorise → softmax.
 *
 * When is a message `fallback`?
 * - it has no words, or almost none of its words were ever seen in training;
 * - the most likely class is the out-of-scope class, trained from `_out_of_scope.yaml`
 *   (weather, football, buying a phone…): out-of-scope questions look like *something*,
 *   and an explicit class for them works far better than a threshold alone;
 * - the top probability is below `threshold`.
 */
import type { AbbreviationTable, NormalizedText } from '../text/normalize';
import { normalizeText } from '../text/normalize';
import { foldDiacritics } from '../text/vietnamese';
import type { IntentSet } from './intent-set';
import { extractFeatures } from './features';
import type { SoftmaxTrainingOptions, TrainingSample } from './softmax-classifier';
import { DEFAULT_SOFTMAX_OPTIONS, SoftmaxClassifier } from './softmax-classifier';
import { runToEnd, type Stepwise } from './stepwise';
import { Vectorizer } from './vectorizer';

/** The label of "not understood", in results and in labelled data files. */
export const FALLBACK = 'fallback';
/** Internal class trained from out-of-scope examples; never returned as an intent. */
const OUT_OF_SCOPE_CLASS = '__out_of_scope__';

export interface LabelledText {
  readonly text: string;
  /** An intent id, or `fallback` for an out-of-scope example. */
  readonly intent: string;
  /** The language the example was written for (`examples` vs `examples_en`), when known. */
  readonly language?: 'vi' | 'en';
}

export interface MatcherOptions {
  /** Minimum probability of the best intent; below it the answer is `fallback`. */
  readonly threshold: number;
  /** Minimum share of known words; below it the answer is `fallback`. */
  readonly minKnownWordRatio: number;
  /**
   * Softmax temperature applied when matching (not in training). Below 1 sharpens the
   * probabilities: measured by `npm run nlu -- cv` (expected calibration error), the raw
   * model is under-confident in the middle range.
   */
  readonly temperature: number;
  readonly softmax: SoftmaxTrainingOptions;
}

export const DEFAULT_MATCHER_OPTIONS: MatcherOptions = {
  threshold: 0.2,
  minKnownWordRatio: 0.2,
  temperature: 0.65,
  softmax: DEFAULT_SOFTMAX_OPTIONS,
};

export type FallbackReason = 'empty' | 'unknown_words' | 'out_of_scope' | 'low_confidence';

export interface RankedIntent {
  readonly intent: string;
  readonly confidence: number;
}

export interface MatchResult {
  /** An intent id, or {@link FALLBACK}. */
  readonly intent: string;
  /** Probability of the best intent (also when the result is a fallback). */
  readonly confidence: number;
  /** Best three intents, most likely first (out-of-scope class excluded). */
  readonly ranking: readonly RankedIntent[];
  readonly fallbackReason?: FallbackReason;
  readonly normalized: NormalizedText;
  /** Share of the message's words seen in training (0 for an empty message). */
  readonly knownWordRatio: number;
}

export class IntentMatcher {
  private readonly probs: Float64Array;

  private constructor(
    private readonly classes: readonly string[],
    private readonly vectorizer: Vectorizer,
    private readonly classifier: SoftmaxClassifier,
    private readonly abbreviations: AbbreviationTable,
    readonly options: MatcherOptions,
  ) {
    this.probs = new Float64Array(classes.length);
  }

  /** Trains from the validated intent files. */
  static fromIntentSet(set: IntentSet, abbreviations: AbbreviationTable, options: MatcherOptions = DEFAULT_MATCHER_OPTIONS): IntentMatcher {
    const items: LabelledText[] = [];
    for (const intent of set.intents) for (const text of intent.examples) items.push({ text, intent: intent.id });
    for (const text of set.outOfScope) items.push({ text, intent: FALLBACK });
    return IntentMatcher.train(items, abbreviations, options);
  }

  /** Trains from any labelled texts (`fallback` = out-of-scope examples). */
  static train(
    items: readonly LabelledText[],
    abbreviations: AbbreviationTable,
    options: MatcherOptions = DEFAULT_MATCHER_OPTIONS,
  ): IntentMatcher {
    return runToEnd(IntentMatcher.trainStepwise(items, abbreviations, options));
  }

  /** {@link train} as a stepwise computation, to train large label sets without freezing the bot. */
  static *trainStepwise(
    items: readonly LabelledText[],
    abbreviations: AbbreviationTable,
    options: MatcherOptions = DEFAULT_MATCHER_OPTIONS,
  ): Stepwise<IntentMatcher> {
    const labels = [...new Set(items.map((i) => (i.intent === FALLBACK ? OUT_OF_SCOPE_CLASS : i.intent)))].sort();
    const labelIndex = new Map(labels.map((l, i) => [l, i]));
    const bags = [];
    const ys: number[] = [];
    for (const item of items) {
      const y = labelIndex.get(item.intent === FALLBACK ? OUT_OF_SCOPE_CLASS : item.intent)!;
      // Train on what was written and on the same text without diacritics: citizens type
      // both, and a model that only saw accents loses ~20 points on unaccented text.
      const variants = new Set([item.text, foldDiacritics(item.text)]);
      for (const variant of variants) {
        bags.push(extractFeatures(normalizeText(variant, abbreviations)));
        ys.push(y);
      }
      if (bags.length % 128 < 2) yield;
    }
    const vectorizer = yield* Vectorizer.fitStepwise(bags);
    const samples: TrainingSample[] = [];
    for (let i = 0; i < bags.length; i++) {
      samples.push({ x: vectorizer.transform(bags[i]), y: ys[i] });
      if (i % 256 === 255) yield;
    }
    const classifier = yield* SoftmaxClassifier.trainStepwise(samples, labels.length, vectorizer.size, options.softmax);
    return new IntentMatcher(labels, vectorizer, classifier, abbreviations, options);
  }

  /** The intents this model can answer (the out-of-scope class excluded). */
  get intents(): string[] {
    return this.classes.filter((c) => c !== OUT_OF_SCOPE_CLASS);
  }

  /** Size of the model's weight arrays, for benchmarks. */
  get byteSize(): number {
    return this.classifier.byteSize;
  }

  get vocabularySize(): number {
    return this.vectorizer.size;
  }

  match(text: string): MatchResult {
    const normalized = normalizeText(text, this.abbreviations);
    if (normalized.tokens.length === 0) {
      return { intent: FALLBACK, confidence: 0, ranking: [], fallbackReason: 'empty', normalized, knownWordRatio: 0 };
    }
    const bag = extractFeatures(normalized);
    this.classifier.probabilitiesInto(this.vectorizer.transform(bag), this.probs, this.options.temperature);
    const ranking = this.rank(3);
    let best = -1;
    for (let c = 0; c < this.classes.length; c++) if (best < 0 || this.probs[c] > this.probs[best]) best = c;
    const top = ranking[0] ?? { intent: FALLBACK, confidence: 0 };
    const knownWordRatio = this.vectorizer.knownWordRatio(bag);
    const base = { confidence: top.confidence, ranking, normalized, knownWordRatio };
    if (knownWordRatio < this.options.minKnownWordRatio) return { intent: FALLBACK, fallbackReason: 'unknown_words', ...base };
    if (this.classes[best] === OUT_OF_SCOPE_CLASS) return { intent: FALLBACK, fallbackReason: 'out_of_scope', ...base };
    if (top.confidence < this.options.threshold) return { intent: FALLBACK, fallbackReason: 'low_confidence', ...base };
    return { intent: top.intent, ...base };
  }

  /**
   * The `n` most likely classes (ties by name), picked in one pass: sorting every class cost
   * most of a query with the 2,000-procedure ranker (measured, docs/measurements.md).
   */
  private rank(n: number): RankedIntent[] {
    const ranked: RankedIntent[] = [];
    const before = (p: number, name: string, other: RankedIntent): boolean =>
      p > other.confidence || (p === other.confidence && name < other.intent);
    for (let c = 0; c < this.classes.length; c++) {
      const name = this.classes[c];
      const p = this.probs[c];
      if (name === OUT_OF_SCOPE_CLASS || (ranked.length === n && !before(p, name, ranked[n - 1]))) continue;
      let at = ranked.length;
      while (at > 0 && before(p, name, ranked[at - 1])) at--;
      ranked.splice(at, 0, { intent: name, confidence: p });
      if (ranked.length > n) ranked.pop();
    }
    return ranked;
  }
}
