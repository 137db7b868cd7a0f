/**
 * The procedure catalog as the bot serves it: the validated files, the trained ranker
 * and the aspect cues, from `procedures/`. Built with the rest of the bot content (and
 * rebuilt when an admin edits it); nothing of a catalog with a mistake is ever served.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Checked, ContentError } from '../content/content-error';
import { runCooperatively, runToEnd, type Stepwise } from '../nlu/stepwise';
import type { AbbreviationTable } from '../text/normalize';
import { AspectDetector } from './aspect-detector';
import { ASPECTS_FILE, loadAspectCues } from './aspects-file';
import { loadProcedureFiles, type ProcedureEntry, type ProcedureField } from './procedure-files';
import { ProcedureRanker } from './procedure-ranker';

export interface ProcedureCatalog {
  readonly fields: ReadonlyMap<string, ProcedureField>;
  readonly procedures: ReadonlyMap<string, ProcedureEntry>;
  /** Intent id (proc_birth_registration…) → the procedures that answer for it, in catalog order. */
  readonly byIntent: ReadonlyMap<string, readonly string[]>;
  readonly ranker: ProcedureRanker;
  readonly aspects: AspectDetector;
}

export interface CatalogLoadOptions {
  /** Train between the bot's messages (the running service) instead of in one go (tools, tests). */
  readonly cooperative?: boolean;
}

/**
 * The last ranker trained, by what it was trained from: an edit of a fee or a document
 * list, or of an intent, does not retrain the catalog's model.
 */
let lastRanker: { key: string; ranker: ProcedureRanker } | undefined;

export async function loadProcedureCatalog(
  dir: string,
  displayDir: string,
  abbreviations: AbbreviationTable,
  options: CatalogLoadOptions = {},
): Promise<Checked<ProcedureCatalog>> {
  const errors: ContentError[] = [];
  const files = await loadProcedureFiles(dir, displayDir);
  if (!files.ok) errors.push(...files.errors);
  const cues = await loadAspectCues(join(dir, ASPECTS_FILE), `${displayDir}/${ASPECTS_FILE}`);
  if (!cues.ok) errors.push(...cues.errors);
  if (!files.ok || !cues.ok) return { ok: false, errors };

  const procedures = files.value.procedures;
  const key = rankerKey(procedures, abbreviations);
  let ranker = lastRanker?.key === key ? lastRanker.ranker : undefined;
  if (!ranker) {
    const training: Stepwise<ProcedureRanker> = ProcedureRanker.trainStepwise(procedures, abbreviations);
    ranker = options.cooperative ? await runCooperatively(training) : runToEnd(training);
    lastRanker = { key, ranker };
  }
  const byIntent = new Map<string, string[]>();
  for (const p of procedures) for (const intent of p.intents ?? []) byIntent.set(intent, [...(byIntent.get(intent) ?? []), p.id]);
  return {
    ok: true,
    value: {
      fields: new Map(files.value.fields.map((f) => [f.id, f])),
      procedures: new Map(procedures.map((p) => [p.id, p])),
      byIntent,
      ranker,
      aspects: new AspectDetector(cues.value, abbreviations),
    },
  };
}

/** A hash of exactly what the ranker learns from: ids, names, aliases and the abbreviation table. */
function rankerKey(procedures: readonly ProcedureEntry[], abbreviations: AbbreviationTable): string {
  const hash = createHash('sha256');
  for (const p of procedures) hash.update(JSON.stringify([p.id, p.name, p.aliases]));
  hash.update(JSON.stringify([...abbreviations]));
  return hash.digest('hex');
}
