/**
 * Which aspect of a procedure a message asks about, from the cue words of
 * `procedures/_aspects.yaml`. Cues are matched as whole words on the normalised text
 * (teencode expanded): a cue matches a word typed without diacritics whatever its marks,
 * but a word typed with marks only when they are the same ("phí" ≠ "phi nông nghiệp").
 * Strong cues first; weak ones ("được không") only when no strong cue is present. Among
 * the cues found, the longest wins; ties go to the aspect first in the file's `priority`.
 */
import { normalizeText, type AbbreviationTable, type NormalizedText } from '../text/normalize';
import { ASPECTS, type Aspect, type AspectCues } from './aspects';

interface CompiledCue {
  readonly aspect: Aspect;
  readonly rank: number;
  readonly tokens: readonly string[];
  readonly folded: readonly string[];
}

/** Cues by their first folded word, for a quick look-up per message word. */
type CueIndex = Map<string, CompiledCue[]>;

export class AspectDetector {
  private readonly strong: CueIndex;
  private readonly weak: CueIndex;

  constructor(cues: AspectCues, abbreviations: AbbreviationTable) {
    this.strong = compile(cues, cues.strong, abbreviations);
    this.weak = compile(cues, cues.weak, abbreviations);
  }

  /** The aspect asked, `overview` when no cue is present. */
  detect(text: NormalizedText): Aspect {
    return (bestCue(this.strong, text) ?? bestCue(this.weak, text))?.aspect ?? 'overview';
  }
}

function compile(cues: AspectCues, lists: Readonly<Record<Aspect, readonly string[]>>, abbreviations: AbbreviationTable): CueIndex {
  const index: CueIndex = new Map();
  for (const aspect of ASPECTS) {
    for (const text of lists[aspect]) {
      const n = normalizeText(text, abbreviations);
      if (n.tokens.length === 0) continue;
      const cue = { aspect, rank: cues.priority.indexOf(aspect), tokens: n.tokens, folded: n.foldedTokens };
      const list = index.get(cue.folded[0]) ?? [];
      list.push(cue);
      index.set(cue.folded[0], list);
    }
  }
  return index;
}

function bestCue(index: CueIndex, text: NormalizedText): CompiledCue | undefined {
  let best: CompiledCue | undefined;
  const { tokens, foldedTokens } = text;
  for (let i = 0; i < foldedTokens.length; i++) {
    for (const cue of index.get(foldedTokens[i]) ?? []) {
      if (!matchesAt(cue, tokens, foldedTokens, i)) continue;
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
