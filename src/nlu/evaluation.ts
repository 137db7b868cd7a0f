/**
 * Measures a matcher on labelled texts: accuracy, macro-F1, per-intent precision /
 * recall / F1 and the worst confusions with example texts — what an admin needs to see
 * before shipping an edit to the intent files.
 */
import type { AbbreviationTable } from '../text/normalize';
import type { DetectedLanguage } from '../text/language';
import { foldDiacritics } from '../text/vietnamese';
import type { LabelledText, MatcherOptions } from './intent-matcher';
import { BilingualMatcher } from './bilingual-matcher';
import { DEFAULT_MATCHER_OPTIONS, FALLBACK, type MatchResult } from './intent-matcher';
import { seededRandom, shuffleInPlace } from './seeded-random';

export interface IntentScore {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** Number of test texts whose expected label is this intent. */
  readonly support: number;
}

export interface Confusion {
  readonly expected: string;
  readonly predicted: string;
  readonly count: number;
  readonly examples: readonly string[];
}

/** How well confidence predicts correctness: ten bins of confidence, their accuracy. */
export interface Calibration {
  /** Expected calibration error: the support-weighted gap between confidence and accuracy (0 = perfect). */
  readonly ece: number;
  readonly bins: readonly {
    readonly from: number;
    readonly to: number;
    readonly n: number;
    readonly meanConfidence: number;
    readonly accuracy: number;
  }[];
}

export interface EvaluationReport {
  readonly n: number;
  readonly accuracy: number;
  readonly macroF1: number;
  /** Calibration of the top intent's probability against whether the answer was right. */
  readonly calibration: Calibration;
  readonly perIntent: Readonly<Record<string, IntentScore>>;
  readonly confusions: readonly Confusion[];
  readonly timing: { readonly trainMs: number; readonly predictMsPerText: number };
}

export interface Prediction {
  readonly text: string;
  readonly expected: string;
  readonly predicted: string;
  /** The matcher's probability of its best intent. */
  readonly confidence: number;
}

/** Runs `matcher` over `items` and returns the predictions. */
export function predictAll(matcher: { match(text: string): MatchResult }, items: readonly LabelledText[]): Prediction[] {
  return items.map((item) => {
    const result = matcher.match(item.text);
    return { text: item.text, expected: item.intent, predicted: result.intent, confidence: result.confidence };
  });
}

/** Scores predictions. Every label that occurs as expected or predicted counts in macro-F1. */
export function scorePredictions(predictions: readonly Prediction[], timing: EvaluationReport['timing']): EvaluationReport {
  const labels = [...new Set(predictions.flatMap((p) => [p.expected, p.predicted]))].sort();
  const perIntent: Record<string, IntentScore> = {};
  let correct = 0;
  for (const p of predictions) if (p.expected === p.predicted) correct++;
  for (const label of labels) {
    const tp = predictions.filter((p) => p.expected === label && p.predicted === label).length;
    const predicted = predictions.filter((p) => p.predicted === label).length;
    const support = predictions.filter((p) => p.expected === label).length;
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    perIntent[label] = { precision, recall, f1, support };
  }
  const scored = labels.filter((l) => perIntent[l].support > 0);
  const macroF1 = scored.length ? scored.reduce((sum, l) => sum + perIntent[l].f1, 0) / scored.length : 0;
  return {
    n: predictions.length,
    accuracy: predictions.length ? correct / predictions.length : 0,
    macroF1,
    calibration: calibration(predictions),
    perIntent,
    confusions: confusions(predictions),
    timing,
  };
}

/** Calibration of the answers the bot gives: predictions of an intent (fallbacks are not an answer with a confidence). */
function calibration(predictions: readonly Prediction[]): Calibration {
  const bins = Array.from({ length: 10 }, (_, i) => ({ from: i / 10, to: (i + 1) / 10, n: 0, confidenceSum: 0, correct: 0 }));
  const answered = predictions.filter((p) => p.predicted !== FALLBACK);
  for (const p of answered) {
    const bin = bins[Math.min(9, Math.floor(p.confidence * 10))];
    bin.n++;
    bin.confidenceSum += p.confidence;
    if (p.expected === p.predicted) bin.correct++;
  }
  const total = Math.max(1, answered.length);
  let ece = 0;
  const out = bins
    .filter((b) => b.n > 0)
    .map((b) => {
      const meanConfidence = b.confidenceSum / b.n;
      const accuracy = b.correct / b.n;
      ece += (b.n / total) * Math.abs(meanConfidence - accuracy);
      return { from: b.from, to: b.to, n: b.n, meanConfidence, accuracy };
    });
  return { ece, bins: out };
}

function confusions(predictions: readonly Prediction[]): Confusion[] {
  const byPair = new Map<string, { expected: string; predicted: string; texts: string[] }>();
  for (const p of predictions) {
    if (p.expected === p.predicted) continue;
    const key = `${p.expected}\u0000${p.predicted}`;
    const entry = byPair.get(key) ?? { expected: p.expected, predicted: p.predicted, texts: [] };
    entry.texts.push(p.text);
    byPair.set(key, entry);
  }
  return [...byPair.values()]
    .map((e) => ({ expected: e.expected, predicted: e.predicted, count: e.texts.length, examples: e.texts.slice(0, 3) }))
    .sort((a, b) => b.count - a.count || a.expected.localeCompare(b.expected));
}

/** Trains on `train`, tests on `test`, with the production pipeline. */
export function trainAndEvaluate(
  train: readonly LabelledText[],
  test: readonly LabelledText[],
  abbreviations: AbbreviationTable,
  options: MatcherOptions = DEFAULT_MATCHER_OPTIONS,
): EvaluationReport {
  const started = performance.now();
  const matcher = BilingualMatcher.train(train, abbreviations, options);
  const trainMs = performance.now() - started;
  const predictStarted = performance.now();
  const predictions = predictAll(matcher, test);
  const predictMsPerText = test.length ? (performance.now() - predictStarted) / test.length : 0;
  return scorePredictions(predictions, { trainMs, predictMsPerText });
}

export interface CrossValidationOptions {
  readonly folds: number;
  /** Strip diacritics from every test text (the training texts stay as written). */
  readonly stripDiacritics: boolean;
  readonly seed: number;
  /** Scores only the test texts this accepts (e.g. the English ones); every text still trains the other folds. */
  readonly testOnly?: (item: LabelledText) => boolean;
}

/**
 * Stratified k-fold cross-validation: each label's texts are shuffled with a fixed seed
 * and dealt round-robin into folds, so every fold sees every intent and runs repeat.
 */
export function crossValidate(
  items: readonly LabelledText[],
  abbreviations: AbbreviationTable,
  cv: CrossValidationOptions,
  options: MatcherOptions = DEFAULT_MATCHER_OPTIONS,
): EvaluationReport {
  const folds = assignFolds(items, cv.folds, cv.seed);
  const predictions: Prediction[] = [];
  let trainMs = 0;
  let predictMs = 0;
  for (let k = 0; k < cv.folds; k++) {
    const train = items.filter((_, i) => folds[i] !== k);
    const test = items
      .filter((item, i) => folds[i] === k && (cv.testOnly?.(item) ?? true))
      .map((t) => (cv.stripDiacritics ? { ...t, text: foldDiacritics(t.text) } : t));
    const started = performance.now();
    const matcher = BilingualMatcher.train(train, abbreviations, options);
    trainMs += performance.now() - started;
    const predictStarted = performance.now();
    predictions.push(...predictAll(matcher, test));
    predictMs += performance.now() - predictStarted;
  }
  return scorePredictions(predictions, {
    trainMs: trainMs / cv.folds,
    predictMsPerText: predictions.length ? predictMs / predictions.length : 0,
  });
}

function assignFolds(items: readonly LabelledText[], k: number, seed: number): number[] {
  const random = seededRandom(seed);
  const byLabel = new Map<string, number[]>();
  // Strata are label × language, so adding English examples does not unbalance the Vietnamese folds.
  const stratum = (item: LabelledText): string => (item.language ? `${item.intent}\u0000${item.language}` : item.intent);
  items.forEach((item, i) => byLabel.set(stratum(item), [...(byLabel.get(stratum(item)) ?? []), i]));
  const folds = new Array<number>(items.length).fill(0);
  for (const label of [...byLabel.keys()].sort()) {
    shuffleInPlace(byLabel.get(label)!, random).forEach((index, j) => (folds[index] = j % k));
  }
  return folds;
}

/** How the language detector did on texts all written in one language. */
export interface LanguageReport {
  readonly n: number;
  readonly expected: DetectedLanguage;
  /** Share of texts told as `expected`. */
  readonly accuracy: number;
  /** Texts told as the other language: the bot would answer in the wrong one. */
  readonly wrong: number;
  /** Texts the detector left undecided: the conversation keeps its language. */
  readonly undecided: number;
  /** Every text not told as `expected`, with what the detector said. */
  readonly misses: readonly { readonly text: string; readonly detected: DetectedLanguage | 'undecided' }[];
}

/** Runs `detect` over `texts`, all written in `expected`. */
export function evaluateLanguage(
  texts: readonly string[],
  expected: DetectedLanguage,
  detect: (text: string) => DetectedLanguage | undefined,
): LanguageReport {
  const misses = texts.map((text) => ({ text, detected: detect(text) ?? ('undecided' as const) })).filter((m) => m.detected !== expected);
  const undecided = misses.filter((m) => m.detected === 'undecided').length;
  return {
    n: texts.length,
    expected,
    accuracy: texts.length ? (texts.length - misses.length) / texts.length : 0,
    wrong: misses.length - undecided,
    undecided,
    misses,
  };
}
