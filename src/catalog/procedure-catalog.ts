/** The procedure catalog in service: procedures, fields, the trained ranker and the aspect cues. */
import type { AspectDetector } from './aspect-detector';
import type { ProcedureEntry, ProcedureField } from './procedure';
import type { ProcedureRanker } from './procedure-ranker';

export interface ProcedureCatalog {
  readonly fields: ReadonlyMap<string, ProcedureField>;
  readonly procedures: ReadonlyMap<string, ProcedureEntry>;
  readonly ranker: ProcedureRanker;
  readonly aspects: AspectDetector;
}

/** The intent of a question about a procedure the catalog cannot pin down; it stands for every procedure without `intents:`. */
export const PROCEDURE_LOOKUP = 'procedure_lookup';
