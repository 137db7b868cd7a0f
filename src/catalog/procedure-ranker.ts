/**
 * Which procedure a message is about: a softmax classifier per language whose classes
 * are the catalog's procedures, trained on their official names and the names citizens
 * use (`aliases`), each with and without diacritics.
 *
 * Chosen by measurement over a BM25-style index of the same names (docs/measurements.md):
 * the classifier learns which words tell two close procedures apart ("khai sinh" vs
 * "đăng ký lại khai sinh"), and was several points more accurate on the held-out
 * questions at the same speed. Training is stepwise, so the running bot trains a new
 * catalog between messages instead of freezing (see nlu/stepwise.ts).
 */
import { normalizeText, type AbbreviationTable } from '../text/normalize';
import { DEFAULT_MATCHER_OPTIONS, IntentMatcher, type LabelledText, type MatcherOptions } from '../nlu/intent-matcher';
import type { Stepwise } from '../nlu/stepwise';
import type { Locale } from '../i18n/locale';
import type { ProcedureEntry } from './procedure';
import { ProcedureFamilies } from './procedure-families';
import { withForeignElement } from './foreign-element';

export interface RankedProcedure {
  readonly id: string;
  /** The classifier's probability among the catalog's procedures (they sum to 1 over the catalog). */
  readonly confidence: number;
}

export interface ProcedureRanking {
  /** Best three procedures, most likely first. */
  readonly ranking: readonly RankedProcedure[];
  /** Share of the message's words the procedure names contain: near 0 for a message about something else. */
  readonly knownWordRatio: number;
  /** The procedures of a family the message names as a whole ("mở công ty"), to choose from; empty otherwise. */
  readonly family: readonly string[];
  /** The procedures whose official name shares a distinctive pair of words with the message ("khai sinh"): evidence beyond the probability. */
  readonly namedInMessage: ReadonlySet<string>;
}

/**
 * A pair of words in the official names of more than this share of the procedures ("khai
 * sinh" is in four of 137), or with a word in more than twice that share ("đăng ký", "giấy
 * chứng nhận", and "ký khai" across "đăng ký khai sinh"), is no evidence of one procedure.
 */
const DISTINCTIVE_PAIR_SHARE = 0.05;

/** Pairs of consecutive words of the official names (folded) → the procedures whose official name has them, distinctive pairs only. */
function officialNamePairs(procedures: readonly ProcedureEntry[], locale: Locale, abbreviations: AbbreviationTable): Map<string, string[]> {
  const byPair = new Map<string, string[]>();
  const byWord = new Map<string, number>();
  for (const p of procedures) {
    const folded = normalizeText(p.name[locale], abbreviations).folded;
    for (const word of new Set(folded.split(' ').filter(Boolean))) byWord.set(word, (byWord.get(word) ?? 0) + 1);
    for (const pair of new Set(wordPairs(folded))) byPair.set(pair, [...(byPair.get(pair) ?? []), p.id]);
  }
  const limit = Math.max(1, DISTINCTIVE_PAIR_SHARE * procedures.length);
  const common = (word: string): boolean => (byWord.get(word) ?? 0) > 2 * limit;
  for (const [pair, ids] of byPair) if (ids.length > limit || pair.split(' ').some(common)) byPair.delete(pair);
  return byPair;
}

function wordPairs(folded: string): string[] {
  const words = folded.split(' ').filter(Boolean);
  return words.slice(1).map((w, i) => `${words[i]} ${w}`);
}

/**
 * Five passes over the names: measured, more passes did not change top-1 on the held-out
 * questions (90.9 % at 4, 91.0 % at 20) and cost proportionally more time on each reload.
 * A large catalog gets fewer (a budget of samples, at least one pass): names are short
 * and redundant, and a 2,000-procedure catalog must retrain in minutes, not hours.
 */
const RANKER_OPTIONS: MatcherOptions = {
  ...DEFAULT_MATCHER_OPTIONS,
  threshold: 0,
  minKnownWordRatio: 0,
  softmax: { ...DEFAULT_MATCHER_OPTIONS.softmax, epochs: 5, sampleBudget: 60_000, minEpochs: 1 },
};

export class ProcedureRanker {
  private constructor(
    private readonly models: Readonly<Record<Locale, IntentMatcher>>,
    private readonly families: ProcedureFamilies,
    private readonly pairs: Readonly<Record<Locale, ReadonlyMap<string, readonly string[]>>>,
  ) {}

  /** Trains both languages' models, yielding between slices of work. */
  static *trainStepwise(procedures: readonly ProcedureEntry[], abbreviations: AbbreviationTable): Stepwise<ProcedureRanker> {
    const texts = (locale: Locale): LabelledText[] =>
      procedures.flatMap((p) =>
        [p.name[locale], ...p.aliases[locale], ...(p.shared_aliases?.[locale] ?? [])].map((text) => ({
          text: withForeignElement(text, locale),
          intent: p.id,
          language: locale,
        })),
      );
    const vi = yield* IntentMatcher.trainStepwise(texts('vi'), abbreviations, RANKER_OPTIONS);
    const en = yield* IntentMatcher.trainStepwise(texts('en'), abbreviations, RANKER_OPTIONS);
    const pairs = { vi: officialNamePairs(procedures, 'vi', abbreviations), en: officialNamePairs(procedures, 'en', abbreviations) };
    return new ProcedureRanker({ vi, en }, new ProcedureFamilies(procedures, abbreviations), pairs);
  }

  rank(text: string, locale: Locale): ProcedureRanking {
    const result = this.models[locale].match(withForeignElement(text, locale));
    return {
      ranking: result.ranking.map((r) => ({ id: r.intent, confidence: r.confidence })),
      knownWordRatio: result.knownWordRatio,
      family: this.families.named(result.normalized, locale),
      namedInMessage: new Set(wordPairs(result.normalized.folded).flatMap((pair) => this.pairs[locale].get(pair) ?? [])),
    };
  }
}
