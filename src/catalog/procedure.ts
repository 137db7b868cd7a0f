/** A procedure of the catalog as the bot serves it (the file's fields, validated). */
import type { FieldsFile, ProcedureFile } from './procedure-schema';

export type ProcedureField = FieldsFile['fields'][number];

/** One procedure as the catalog serves it, with the file it came from (for messages). */
export interface ProcedureEntry extends ProcedureFile {
  readonly file: string;
}

export interface ProcedureCatalogFiles {
  readonly fields: readonly ProcedureField[];
  readonly procedures: readonly ProcedureEntry[];
}
