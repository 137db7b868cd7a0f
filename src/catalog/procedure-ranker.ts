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
  /** The procedures whose official name or a name citizens use (`aliases`) shares a distinctive pair of words with the message ("sổ đỏ"). */
  readonly calledInMessage: ReadonlySet<string>;
}

/**
 * A pair of words in the official names of more than this share of the procedures ("khai
 * sinh" is in four of 137), or with a word in more than twice that share ("đăng ký", "giấy
 * chứng nhận", and "ký khai" across "đăng ký khai sinh"), is no evidence of one procedure.
 */
const DISTINCTIVE_PAIR_SHARE = 0.05;
interface PairRule {
  /** A pair in the names of more than this many times DISTINCTIVE_PAIR_SHARE of the procedures is not distinctive… */
  readonly pairFactor: number;
  /** …nor a pair with a word (or, with bothWordsCommon, both words) in more than this many times that share. */
  readonly commonWordFactor: number;
  readonly bothWordsCommon: boolean;
}
const OFFICIAL_NAMES: PairRule = { pairFactor: 1, commonWordFactor: 2, bothWordsCommon: false };
/**
 * The names citizens use repeat the words of a family of procedures ("khai sinh" is in the
 * names of several birth procedures): a pair is kept unless it is in many procedures or made of two common
 * words ("xin phép", "giấy phép kinh doanh", "how to"), which call no procedure. Measured
 * (docs/measurements.md): stricter factors sent right answers to "not in the catalog",
 * looser ones let "xin phép bắn pháo hoa" call the house-repair permit.
 */
const CITIZEN_NAMES: PairRule = { pairFactor: 2, commonWordFactor: 3, bothWordsCommon: true };

/** Pairs of consecutive words of the given names (folded) → the procedures whose names have them, distinctive pairs only. */
function distinctivePairs(
  procedures: readonly ProcedureEntry[],
  names: (p: ProcedureEntry) => readonly string[],
  abbreviations: AbbreviationTable,
  rule: PairRule,
): Map<string, string[]> {
  const byPair = new Map<string, string[]>();
  const byWord = new Map<string, number>();
  for (const p of procedures) {
    const folded = names(p).map((name) => normalizeText(name, abbreviations).folded);
    for (const word of new Set(folded.flatMap((f) => f.split(' ').filter(Boolean)))) byWord.set(word, (byWord.get(word) ?? 0) + 1);
    for (const pair of new Set(folded.flatMap(wordPairs))) byPair.set(pair, [...(byPair.get(pair) ?? []), p.id]);
  }
  const limit = Math.max(1, DISTINCTIVE_PAIR_SHARE * procedures.length);
  const pairLimit = limit * rule.pairFactor;
  const common = (word: string): boolean => (byWord.get(word) ?? 0) > rule.commonWordFactor * limit;
  for (const [pair, ids] of byPair) {
    const words = pair.split(' ');
    if (ids.length > pairLimit || (rule.bothWordsCommon ? words.every(common) : words.some(common))) byPair.delete(pair);
  }
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
    private readonly calledPairs: Readonly<Record<Locale, ReadonlyMap<string, readonly string[]>>>,
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
    const official = (locale: Locale) => (p: ProcedureEntry) => [p.name[locale]];
    const called = (locale: Locale) => (p: ProcedureEntry) => [p.name[locale], ...p.aliases[locale]];
    const pairs = {
      vi: distinctivePairs(procedures, official('vi'), abbreviations, OFFICIAL_NAMES),
      en: distinctivePairs(procedures, official('en'), abbreviations, OFFICIAL_NAMES),
    };
    const calledPairs = {
      vi: distinctivePairs(procedures, called('vi'), abbreviations, CITIZEN_NAMES),
      en: distinctivePairs(procedures, called('en'), abbreviations, CITIZEN_NAMES),
    };
    return new ProcedureRanker({ vi, en }, new ProcedureFamilies(procedures, abbreviations), pairs, calledPairs);
  }

  rank(text: string, locale: Locale): ProcedureRanking {
    const result = this.models[locale].match(withForeignElement(text, locale));
    const pairs = wordPairs(result.normalized.folded);
    return {
      ranking: result.ranking.map((r) => ({ id: r.intent, confidence: r.confidence })),
      knownWordRatio: result.knownWordRatio,
      family: this.families.named(result.normalized, locale),
      namedInMessage: new Set(pairs.flatMap((pair) => this.pairs[locale].get(pair) ?? [])),
      calledInMessage: new Set(pairs.flatMap((pair) => this.calledPairs[locale].get(pair) ?? [])),
    };
  }
}
