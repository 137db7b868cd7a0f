/**
 * One intent matcher per language, behind the matcher's usual `match(text)`.
 *
 * Why two models and not one: trained together, English examples took probability mass
 * from Vietnamese ones ("can", "the", "do" are also unaccented Vietnamese syllables) and
 * the Vietnamese cross-validation fell by 0.6–0.8 points (measured over three seeds).
 * The intent files keep the two apart (`examples`, `examples_en`): the Vietnamese model
 * is trained on exactly the Vietnamese examples, and an English question (detected by
 * text/language.ts) is matched against English examples only.
 */
import type { IntentSet } from './intent-set';
import { detectLanguage, type DetectedLanguage } from '../text/language';
import type { AbbreviationTable } from '../text/normalize';
import {
  DEFAULT_MATCHER_OPTIONS,
  FALLBACK,
  IntentMatcher,
  type LabelledText,
  type MatcherOptions,
  type MatchResult,
} from './intent-matcher';
import { runToEnd, type Stepwise } from './stepwise';

/** Every example of the intent files with its label and language; out-of-scope ones as `fallback`. */
export function labelledExamples(set: IntentSet): LabelledText[] {
  return [
    ...set.intents.flatMap((intent) => [
      ...intent.examples.map((text) => ({ text, intent: intent.id, language: 'vi' as const })),
      ...intent.englishExamples.map((text) => ({ text, intent: intent.id, language: 'en' as const })),
    ]),
    ...set.outOfScope.map((text) => ({ text, intent: FALLBACK, language: 'vi' as const })),
    ...set.outOfScopeEnglish.map((text) => ({ text, intent: FALLBACK, language: 'en' as const })),
  ];
}

export class BilingualMatcher {
  private constructor(
    private readonly models: Readonly<Record<DetectedLanguage, IntentMatcher>>,
    private readonly abbreviations: AbbreviationTable,
    readonly options: MatcherOptions,
  ) {}

  /** Trains from the validated intent files. */
  static fromIntentSet(
    set: IntentSet,
    abbreviations: AbbreviationTable,
    options: MatcherOptions = DEFAULT_MATCHER_OPTIONS,
  ): BilingualMatcher {
    return BilingualMatcher.train(labelledExamples(set), abbreviations, options);
  }

  /**
   * Trains from labelled texts. The Vietnamese model learns the Vietnamese examples; the
   * English model the English ones plus the Vietnamese examples of no clear language
   * ("hotline", "menu", "ok"). Texts without a `language` are placed by detection.
   */
  static train(
    items: readonly LabelledText[],
    abbreviations: AbbreviationTable,
    options: MatcherOptions = DEFAULT_MATCHER_OPTIONS,
  ): BilingualMatcher {
    return runToEnd(BilingualMatcher.trainStepwise(items, abbreviations, options));
  }

  /** {@link train} as a stepwise computation: the running bot retrains between messages. */
  static *trainStepwise(
    items: readonly LabelledText[],
    abbreviations: AbbreviationTable,
    options: MatcherOptions = DEFAULT_MATCHER_OPTIONS,
  ): Stepwise<BilingualMatcher> {
    const language = items.map((item) => item.language ?? detectLanguage(item.text, abbreviations) ?? 'vi');
    const vi = items.filter((_, i) => language[i] === 'vi');
    const en = items.filter((item, i) => language[i] === 'en' || detectLanguage(item.text, abbreviations) !== 'vi');
    yield;
    const viModel = yield* IntentMatcher.trainStepwise(vi, abbreviations, options);
    const enModel = yield* IntentMatcher.trainStepwise(en, abbreviations, options);
    return new BilingualMatcher({ vi: viModel, en: enModel }, abbreviations, options);
  }

  /**
   * Matches `text` with the model of `language` — the conversation's language when the
   * caller knows it — or else of the language the text is written in (Vietnamese when
   * that cannot be told).
   */
  match(text: string, language?: DetectedLanguage): MatchResult {
    const model = language ?? detectLanguage(text, this.abbreviations) ?? 'vi';
    return this.models[model].match(text);
  }

  /** The intents either model can answer. */
  get intents(): string[] {
    return [...new Set([...this.models.vi.intents, ...this.models.en.intents])].sort();
  }

  get byteSize(): number {
    return this.models.vi.byteSize + this.models.en.byteSize;
  }

  get vocabularySize(): number {
    return this.models.vi.vocabularySize + this.models.en.vocabularySize;
  }
}
