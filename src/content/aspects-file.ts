/**
 * `procedures/_aspects.yaml`: the cue words that tell WHAT a citizen asks about a
 * procedure (its documents, fee, time limit…). Content, not code: admins add the words
 * citizens use. Validated like every content file (file and line for each mistake).
 * `procedures/_aspect-examples.yaml`: questions as citizens ask each aspect, for the
 * aspect classifier.
 */
import { z } from 'zod';
import type { Checked, ContentError } from './content-error';
import { readYamlWithSchema } from './yaml-source';
import { ASPECTS, CUED_ASPECTS, type Aspect, type AspectCues, type AspectExamples } from '../catalog/aspects';

export const ASPECTS_FILE = '_aspects.yaml';
export const ASPECT_EXAMPLES_FILE = '_aspect-examples.yaml';

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

/** Enough examples per aspect for the classifier to learn it from more than a few words. */
const MIN_EXAMPLES = 10;
const example = z.string().trim().min(1, 'an example must not be empty');
const AspectExamplesFileSchema = z.strictObject({
  examples: z.strictObject(Object.fromEntries(ASPECTS.map((a) => [a, z.array(example)])) as Record<Aspect, z.ZodArray<typeof example>>),
});

export async function loadAspectExamples(path: string, display: string): Promise<Checked<AspectExamples>> {
  const parsed = await readYamlWithSchema(path, display, AspectExamplesFileSchema);
  if (!parsed.ok) return parsed;
  const { examples } = parsed.value;
  const errors: ContentError[] = [];
  const seen = new Map<string, Aspect>();
  for (const aspect of ASPECTS) {
    if (examples[aspect].length < MIN_EXAMPLES)
      errors.push({
        file: display,
        line: parsed.lineOf(['examples', aspect]),
        message: `aspect '${aspect}' needs at least ${MIN_EXAMPLES} examples`,
      });
    examples[aspect].forEach((text, i) => {
      const key = text.toLowerCase();
      const other = seen.get(key);
      if (other)
        errors.push({
          file: display,
          line: parsed.lineOf(['examples', aspect, i]),
          message: `"${text}" is already an example of '${other}'`,
        });
      seen.set(key, aspect);
    });
  }
  return errors.length ? { ok: false, errors } : { ok: true, value: examples };
}
