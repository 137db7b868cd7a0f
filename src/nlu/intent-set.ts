/**
 * The intents the matcher is trained on, as the content loader hands them over. The
 * matcher and the conversation core know this shape, not the files it came from.
 */
/** One intent as the matcher and the conversation core use it. */
export interface IntentDefinition {
  readonly id: string;
  readonly description?: string;
  /** Locale key of the answer; none when the procedure catalog answers the intent. */
  readonly answerKey?: string;
  /** The procedure catalog answers it (`answered_by: catalog`). */
  readonly answeredByCatalog: boolean;
  /** Intent ids offered as quick replies after the answer. */
  readonly suggestions: readonly string[];
  readonly examples: readonly string[];
  /** English examples (`examples_en`). */
  readonly englishExamples: readonly string[];
  /** File the intent came from, for error messages. */
  readonly file: string;
}

export interface IntentSet {
  readonly intents: readonly IntentDefinition[];
  readonly outOfScope: readonly string[];
  readonly outOfScopeEnglish: readonly string[];
}
