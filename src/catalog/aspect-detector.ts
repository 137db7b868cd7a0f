/**
 * Which aspect of a procedure a message asks about, in three steps:
 * 1. The words of the procedure's own names are set aside: "miễn giảm học phí", "mai táng
 *    phí", "giấy phép xây dựng có thời hạn" name a procedure, they do not ask its fee or its
 *    time limit.
 * 2. Strong cue words of `procedures/_aspects.yaml` in the rest decide: matched as whole
 *    words on the normalised text (teencode expanded); a cue matches a word typed without
 *    diacritics whatever its marks, but a word typed with marks only when they are the same
 *    ("phí" ≠ "phi nông nghiệp"). Among the cues found, the longest wins; ties go to the
 *    aspect first in the file's `priority`.
 * 3. Without a strong cue, a "how" ("thì làm sao", "thế nào") asks the overview; otherwise a
 *    classifier trained on `procedures/_aspect-examples.yaml` (how citizens ask each aspect,
 *    in their own words) decides when it is sure enough; otherwise the weak cues ("được
 *    không"), otherwise the overview.
 * Measured on the hold-out (docs/measurements.md): the classifier alone was worse than the
 * cues (84.7 vs 87.7 %); after them, where they have nothing strong to go on, it helps.
 */
import { normalizeText, type AbbreviationTable, type NormalizedText } from '../text/normalize';
import { DEFAULT_MATCHER_OPTIONS, IntentMatcher, type MatcherOptions } from '../nlu/intent-matcher';
import type { Stepwise } from '../nlu/stepwise';
import type { Locale } from '../i18n/locale';
import { ASPECTS, type Aspect, type AspectCues, type AspectExamples } from './aspects';
import type { ProcedureEntry } from './procedure';

interface CompiledCue {
  readonly aspect: Aspect;
  /** Written with Vietnamese marks: never a cue in an English message ("cần" is not "can"). */
  readonly vietnamese: boolean;
  readonly rank: number;
  readonly tokens: readonly string[];
  readonly folded: readonly string[];
}

interface ProcedureNames {
  readonly names: readonly (readonly string[])[];
  readonly identity: ReadonlySet<string>;
}

/** A word in at least this share of a procedure's names (of one language) is part of what the procedure is called. */
const IDENTITY_SHARE = 1 / 3;

export interface DetectedAspect {
  readonly aspect: Aspect;
  /** Said by a cue word of `_aspects.yaml` (alone or with the classifier), not only guessed by the classifier or left at the overview. */
  readonly byCue: boolean;
}

/** Cues by their first folded word, for a quick look-up per message word. */
type CueIndex = Map<string, CompiledCue[]>;

/** The classifier's probability at which it decides when no strong cue is present. */
const CLASSIFIER_DECIDES = 0.6;
/**
 * Fewer words than this besides the procedure's name ("cccd lam lan dau", "rut bh 1 lan")
 * tell no aspect: the classifier would guess one from a word like "gấp" or "hết hạn".
 */
const CLASSIFIER_MIN_WORDS = 3;

/** Every class is a real aspect: no fallback, no threshold (the detector applies its own). */
const CLASSIFIER_OPTIONS: MatcherOptions = { ...DEFAULT_MATCHER_OPTIONS, threshold: 0, minKnownWordRatio: 0 };

export class AspectDetector {
  private readonly strong: CueIndex;
  private readonly weak: CueIndex;
  /** Folded word sequences of each procedure's names (both languages), computed once per procedure. */
  private readonly names = new WeakMap<ProcedureEntry, ProcedureNames>();

  private constructor(
    cues: AspectCues,
    private readonly abbreviations: AbbreviationTable,
    private readonly classifier: IntentMatcher | undefined,
  ) {
    this.strong = compile(cues, cues.strong, abbreviations);
    this.weak = compile(cues, cues.weak, abbreviations);
  }

  /** Compiles the cues and trains the classifier on the examples, yielding between slices of work. */
  static *buildStepwise(cues: AspectCues, examples: AspectExamples, abbreviations: AbbreviationTable): Stepwise<AspectDetector> {
    const items = ASPECTS.flatMap((aspect) => examples[aspect].map((text) => ({ text, intent: aspect })));
    const classifier = items.length ? yield* IntentMatcher.trainStepwise(items, abbreviations, CLASSIFIER_OPTIONS) : undefined;
    return new AspectDetector(cues, abbreviations, classifier);
  }

  /**
   * The aspect asked (`overview` when nothing more precise is), about `procedure` when the bot
   * knows which; `byCue` when a cue word said it (the classifier's guess is weaker evidence).
   */
  detect(text: NormalizedText, locale: Locale, procedure?: ProcedureEntry): DetectedAspect {
    const masked = procedure ? this.nameWords(text, procedure) : undefined;
    const english = locale === 'en';
    const strong = bestCue(this.strong, text, masked, english);
    if (strong) return { aspect: strong.aspect, byCue: true };
    const weak = bestCue(this.weak, text, masked, english);
    // "… thì làm sao", "thế nào": asked how, in so many words (the classifier would guess from the situation told).
    if (weak?.aspect === 'overview') return { aspect: 'overview', byCue: true };
    const asked = masked ? text.tokens.filter((_, i) => !masked[i]) : text.tokens;
    if (this.classifier && asked.length >= CLASSIFIER_MIN_WORDS) {
      const [best] = this.classifier.match(asked.join(' ')).ranking;
      if (best && best.confidence >= CLASSIFIER_DECIDES) return { aspect: best.intent as Aspect, byCue: best.intent === weak?.aspect };
    }
    return weak ? { aspect: weak.aspect, byCue: true } : { aspect: 'overview', byCue: false };
  }

  /** Which words of the message are words of the procedure's names (true = set aside). */
  private nameWords(text: NormalizedText, procedure: ProcedureEntry): boolean[] {
    const { names, identity } = this.namesOf(procedure);
    const masked = new Array<boolean>(text.foldedTokens.length).fill(false);
    const words = text.foldedTokens;
    for (const name of names) {
      for (let at = 0; at + name.length <= words.length; at++) {
        let j = 0;
        while (j < name.length && words[at + j] === name[j]) j++;
        if (j === name.length) for (let k = at; k < at + j; k++) masked[k] ||= identity.has(words[k]);
      }
    }
    return masked;
  }

  /**
   * A procedure's names (folded words) and its identity words: those of its official names,
   * and those a third of its names share ("phí" of "mai táng phí"). A word only some names add
   * ("online" of "đăng ký tạm trú online") still asks its aspect.
   */
  private namesOf(procedure: ProcedureEntry): ProcedureNames {
    let found = this.names.get(procedure);
    if (found) return found;
    const fold = (t: string) => normalizeText(t, this.abbreviations).foldedTokens;
    const official = [procedure.name.vi, procedure.name.en].map(fold);
    const aliases = [procedure.aliases.vi, procedure.aliases.en].map((list) => list.map(fold));
    const identity = new Set(official.flat());
    for (const list of aliases) {
      const count = new Map<string, number>();
      for (const words of list) for (const w of new Set(words)) count.set(w, (count.get(w) ?? 0) + 1);
      for (const [w, n] of count) if (n >= list.length * IDENTITY_SHARE) identity.add(w);
    }
    found = { names: [...official, ...aliases.flat()].filter((n) => n.length > 0), identity };
    this.names.set(procedure, found);
    return found;
  }
}

function compile(cues: AspectCues, lists: Readonly<Record<Aspect, readonly string[]>>, abbreviations: AbbreviationTable): CueIndex {
  const index: CueIndex = new Map();
  for (const aspect of ASPECTS) {
    for (const text of lists[aspect]) {
      const n = normalizeText(text, abbreviations);
      if (n.tokens.length === 0) continue;
      const vietnamese = n.tokens.some((t, i) => t !== n.foldedTokens[i]);
      const cue = { aspect, vietnamese, rank: cues.priority.indexOf(aspect), tokens: n.tokens, folded: n.foldedTokens };
      const list = index.get(cue.folded[0]) ?? [];
      list.push(cue);
      index.set(cue.folded[0], list);
    }
  }
  return index;
}

/** The best cue of the message, leaving out any that touches a masked word (and Vietnamese cues in English). */
function bestCue(index: CueIndex, text: NormalizedText, masked: readonly boolean[] | undefined, english: boolean): CompiledCue | undefined {
  let best: CompiledCue | undefined;
  const { tokens, foldedTokens } = text;
  for (let i = 0; i < foldedTokens.length; i++) {
    for (const cue of index.get(foldedTokens[i]) ?? []) {
      if ((english && cue.vietnamese) || !matchesAt(cue, tokens, foldedTokens, i)) continue;
      if (masked && masked.slice(i, i + cue.folded.length).some(Boolean)) continue;
      if (!best || cue.tokens.length > best.tokens.length || (cue.tokens.length === best.tokens.length && cue.rank < best.rank)) best = cue;
    }
  }
  return best;
}

function matchesAt(cue: CompiledCue, tokens: readonly string[], folded: readonly string[], at: number): boolean {
  if (at + cue.folded.length > folded.length) return false;
  for (let j = 0; j < cue.folded.length; j++) {
    if (folded[at + j] !== cue.folded[j]) return false;
    const typedWithMarks = tokens[at + j] !== folded[at + j];
    if (typedWithMarks && tokens[at + j] !== cue.tokens[j]) return false;
  }
  return true;
}
