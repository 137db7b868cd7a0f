/**
 * What a citizen can ask about a procedure (its documents, fee, time limit…), and the cue
 * words that reveal it, as the catalog uses them (loaded from procedures/_aspects.yaml), and
 * examples of how citizens ask each aspect (procedures/_aspect-examples.yaml).
 */
/** What a question asks about a procedure; `overview` when no cue says more. */
export const ASPECTS = ['overview', 'documents', 'fee', 'time_limit', 'where', 'online', 'eligibility', 'legal_basis', 'penalty'] as const;
export type Aspect = (typeof ASPECTS)[number];
/** The aspects a cue can reveal (`overview` is what remains when none does). */
export const CUED_ASPECTS = ASPECTS.filter((a): a is Exclude<Aspect, 'overview'> => a !== 'overview');

export interface AspectCues {
  readonly priority: readonly Aspect[];
  readonly strong: Readonly<Record<Aspect, readonly string[]>>;
  readonly weak: Readonly<Record<Aspect, readonly string[]>>;
}

/** How citizens ask each aspect, in their own words: what the aspect classifier learns from. */
export type AspectExamples = Readonly<Record<Aspect, readonly string[]>>;
