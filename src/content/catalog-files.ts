/**
 * The procedure catalog as the bot serves it: the validated files, the trained ranker
 * and the aspect cues, from `procedures/`. Validated and built with the rest of the bot
 * content (and rebuilt when an admin edits it); a catalog with a mistake is never served.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Checked, ContentError } from './content-error';
import type { IntentSet } from './intent-files';
import type { LabelledText } from '../nlu/intent-matcher';
import type { Stepwise } from '../nlu/stepwise';
import type { AbbreviationTable } from '../text/normalize';
import { AspectDetector } from '../catalog/aspect-detector';
import { ASPECT_EXAMPLES_FILE, ASPECTS_FILE, loadAspectCues, loadAspectExamples } from './aspects-file';
import type { AspectCues, AspectExamples } from '../catalog/aspects';
import { loadProcedureFiles } from './procedure-files';
import type { ProcedureCatalogFiles, ProcedureEntry } from '../catalog/procedure';
import { PROCEDURE_LOOKUP, type ProcedureCatalog } from '../catalog/procedure-catalog';
import { ProcedureRanker } from '../catalog/procedure-ranker';

/** The catalog's files, validated, before training. */
export interface ValidatedCatalog {
  readonly files: ProcedureCatalogFiles;
  readonly cues: AspectCues;
  readonly examples: AspectExamples;
}

/** Reads and checks `procedures/` (the files, the aspect cues and examples), and their links to the intents. */
export async function validateCatalog(dir: string, displayDir: string, intents: IntentSet): Promise<Checked<ValidatedCatalog>> {
  const errors: ContentError[] = [];
  const files = await loadProcedureFiles(dir, displayDir);
  if (!files.ok) errors.push(...files.errors);
  const cues = await loadAspectCues(join(dir, ASPECTS_FILE), `${displayDir}/${ASPECTS_FILE}`);
  if (!cues.ok) errors.push(...cues.errors);
  const examples = await loadAspectExamples(join(dir, ASPECT_EXAMPLES_FILE), `${displayDir}/${ASPECT_EXAMPLES_FILE}`);
  if (!examples.ok) errors.push(...examples.errors);
  if (files.ok) errors.push(...checkIntentLinks(files.value, intents));
  if (!files.ok || !cues.ok || !examples.ok || errors.length) return { ok: false, errors };
  return { ok: true, value: { files: files.value, cues: cues.value, examples: examples.value } };
}

/**
 * Every intent a procedure names must exist, and every intent answered by the catalog
 * (`answered_by: catalog`) must be named by at least one procedure.
 */
function checkIntentLinks(files: ProcedureCatalogFiles, intents: IntentSet): ContentError[] {
  const known = new Set(intents.intents.map((i) => i.id));
  const named = new Set<string>();
  const errors: ContentError[] = [];
  for (const p of files.procedures) {
    for (const intent of p.intents ?? []) {
      named.add(intent);
      if (!known.has(intent)) errors.push({ file: p.file, message: `intents: '${intent}' is not an intent (no intents/${intent}.yaml)` });
    }
  }
  for (const intent of intents.intents) {
    if (intent.answeredByCatalog && !named.has(intent.id))
      errors.push({ file: intent.file, message: `'${intent.id}' is answered by the catalog, but no procedure lists it in 'intents:'` });
  }
  return errors;
}

/**
 * The last ranker trained, by what it learned from: an edit of a fee, a document list or
 * an intent does not retrain the catalog's model.
 */
let lastRanker: { key: string; ranker: ProcedureRanker } | undefined;
/** The same for the aspect detector (cues and examples; its classifier trains in about half a second). */
let lastAspects: { key: string; detector: AspectDetector } | undefined;

/** Trains (or reuses) the ranker, compiles the cues and trains the aspect classifier, as a stepwise computation. */
export function* buildCatalogStepwise(validated: ValidatedCatalog, abbreviations: AbbreviationTable): Stepwise<ProcedureCatalog> {
  const { procedures, fields } = validated.files;
  const key = rankerKey(procedures, abbreviations);
  let ranker = lastRanker?.key === key ? lastRanker.ranker : undefined;
  if (!ranker) {
    ranker = yield* ProcedureRanker.trainStepwise(procedures, abbreviations);
    lastRanker = { key, ranker };
  }
  const aspectsKey = hashOf([validated.cues, validated.examples, [...abbreviations]]);
  let aspects = lastAspects?.key === aspectsKey ? lastAspects.detector : undefined;
  if (!aspects) {
    aspects = yield* AspectDetector.buildStepwise(validated.cues, validated.examples, abbreviations);
    lastAspects = { key: aspectsKey, detector: aspects };
  }
  return {
    fields: new Map(fields.map((f) => [f.id, f])),
    procedures: new Map(procedures.map((p) => [p.id, p])),
    ranker,
    aspects,
  };
}

/**
 * At most this many procedure names train the intent matcher, however large the catalog:
 * enough for it to recognise "a question about a procedure", and a 2,000-procedure
 * catalog does not make every reload of the intents slow.
 */
const MAX_INTENT_TRAINING_NAMES = 4000;

/**
 * The catalog's names as intent examples: a procedure's names teach the intent matcher
 * that such a message is a procedure question — of the procedure's proc_* intent, or of
 * procedure_lookup. Measured (docs/measurements.md), this keeps complaint_submit and the
 * online-service intents from taking procedure questions.
 */
export function catalogIntentExamples(validated: ValidatedCatalog): LabelledText[] {
  const { procedures } = validated.files;
  const total = procedures.reduce((n, p) => n + 1 + p.aliases.vi.length + 1 + p.aliases.en.length, 0);
  const share = total <= MAX_INTENT_TRAINING_NAMES ? Infinity : Math.max(2, Math.floor(MAX_INTENT_TRAINING_NAMES / procedures.length / 2));
  return procedures.flatMap((p) => {
    const intent = p.intents?.[0] ?? PROCEDURE_LOOKUP;
    return (['vi', 'en'] as const).flatMap((language) =>
      [p.name[language], ...p.aliases[language]].slice(0, share).map((text) => ({ text, intent, language })),
    );
  });
}

/** A hash of exactly what the ranker learns from: ids, names, aliases (own and shared) and the abbreviation table. */
function rankerKey(procedures: readonly ProcedureEntry[], abbreviations: AbbreviationTable): string {
  const hash = createHash('sha256');
  for (const p of procedures) hash.update(JSON.stringify([p.id, p.name, p.aliases, p.shared_aliases ?? null]));
  hash.update(JSON.stringify([...abbreviations]));
  return hash.digest('hex');
}

function hashOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}
