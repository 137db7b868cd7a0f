/**
 * `procedures/_aspects.yaml`: the cue words that tell WHAT a citizen asks about a
 * procedure (its documents, fee, time limit…). Content, not code: admins add the words
 * citizens use. Validated like every content file (file and line for each mistake).
 */
import { z } from 'zod';
import type { Checked, ContentError } from './content-error';
import { readYamlWithSchema } from './yaml-source';

export const ASPECTS_FILE = '_aspects.yaml';

/** What a question asks about a procedure; `overview` when no cue says more. */
export const ASPECTS = ['overview', 'documents', 'fee', 'time_limit', 'where', 'online', 'eligibility', 'legal_basis', 'penalty'] as const;
export type Aspect = (typeof ASPECTS)[number];
/** The aspects a cue can reveal (`overview` is what remains when none does). */
const CUED_ASPECTS = ASPECTS.filter((a): a is Exclude<Aspect, 'overview'> => a !== 'overview');

const cue = z.string().trim().min(1, 'a cue must not be empty');
const cueList = z.array(cue).min(1, 'give at least one cue, or leave the key out');
/** Strong cues per language; weak cues (either language) count only when no strong cue is present. */
const AspectEntry = z.strictObject({ vi: cueList.optional(), en: cueList.optional(), weak: cueList.optional() });

const AspectsFileSchema = z.strictObject({
  /** Tie-break between cues of the same length: earlier wins. Every aspect exactly once. */
  priority: z.array(z.enum(ASPECTS)),
  aspects: z.strictObject(
    Object.fromEntries(ASPECTS.map((a) => [a, AspectEntry.optional()])) as Record<Aspect, z.ZodOptional<typeof AspectEntry>>,
  ),
});

export interface AspectCues {
  readonly priority: readonly Aspect[];
  readonly strong: Readonly<Record<Aspect, readonly string[]>>;
  readonly weak: Readonly<Record<Aspect, readonly string[]>>;
}

export async function loadAspectCues(path: string, display: string): Promise<Checked<AspectCues>> {
  const parsed = await readYamlWithSchema(path, display, AspectsFileSchema);
  if (!parsed.ok) return parsed;
  const errors: ContentError[] = [];
  const { priority, aspects } = parsed.value;
  if (ASPECTS.some((a) => !priority.includes(a)) || new Set(priority).size !== priority.length)
    errors.push({ file: display, line: parsed.lineOf(['priority']), message: `priority must list each of ${ASPECTS.join(', ')} once` });
  for (const aspect of CUED_ASPECTS) {
    if (!aspects[aspect]?.vi || !aspects[aspect]?.en)
      errors.push({ file: display, line: parsed.lineOf(['aspects', aspect]), message: `aspect '${aspect}' needs cues in vi and en` });
  }
  if (errors.length) return { ok: false, errors };
  const strong = Object.fromEntries(ASPECTS.map((a) => [a, [...(aspects[a]?.vi ?? []), ...(aspects[a]?.en ?? [])]])) as Record<
    Aspect,
    string[]
  >;
  const weak = Object.fromEntries(ASPECTS.map((a) => [a, aspects[a]?.weak ?? []])) as Record<Aspect, string[]>;
  return { ok: true, value: { priority, strong, weak } };
}
