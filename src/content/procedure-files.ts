/**
 * Loads the procedure catalog (`procedures/_fields.yaml` and `procedures/<field>/<id>.yaml`)
 * that admins edit. Like the intent files: every mistake is reported at once with file and
 * line, and a catalog with any mistake is not used (the bot keeps the last good one).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Checked, ContentError } from './content-error';
import { readYamlWithSchema } from './yaml-source';
import { normalizeKey } from '../text/normalize';
import { foldDiacritics } from '../text/vietnamese';
import { FieldsFileSchema, ProcedureFileSchema } from '../catalog/procedure-schema';
import type { ProcedureCatalogFiles, ProcedureEntry } from '../catalog/procedure';

export const FIELDS_FILE = '_fields.yaml';

/** Reads and cross-checks the whole catalog under `dir`; `displayDir` prefixes file names in errors. */
export async function loadProcedureFiles(dir: string, displayDir = 'procedures'): Promise<Checked<ProcedureCatalogFiles>> {
  const errors: ContentError[] = [];
  const fieldsFile = await readYamlWithSchema(join(dir, FIELDS_FILE), `${displayDir}/${FIELDS_FILE}`, FieldsFileSchema);
  const fields = fieldsFile.ok ? fieldsFile.value.fields : [];
  if (!fieldsFile.ok) errors.push(...fieldsFile.errors);
  const fieldIds = new Set(fields.map((f) => f.id));

  let folders: string[] = [];
  try {
    folders = (await readdir(dir, { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
  } catch (err) {
    errors.push({ file: displayDir, message: `cannot read folder: ${(err as Error).message}` });
  }

  const procedures: ProcedureEntry[] = [];
  const idFile = new Map<string, string>();
  const codeFile = new Map<string, string>();
  const aliasOwner = new Map<string, { id: string; file: string }>();
  const shared: { key: string; alias: string; file: string; line: number | undefined }[] = [];
  /** Who lists each family name: a procedure may own a family name only if it lists it as shared too. */
  const sharers = new Map<string, Set<string>>();
  for (const folder of folders) {
    if (fieldsFile.ok && !fieldIds.has(folder)) {
      errors.push({ file: `${displayDir}/${folder}`, message: `folder '${folder}' is not a field listed in ${displayDir}/${FIELDS_FILE}` });
    }
    const names = (await readdir(join(dir, folder))).filter((n) => /\.ya?ml$/.test(n)).sort();
    for (const name of names) {
      const display = `${displayDir}/${folder}/${name}`;
      const parsed = await readYamlWithSchema(join(dir, folder, name), display, ProcedureFileSchema);
      if (!parsed.ok) {
        errors.push(...parsed.errors);
        continue;
      }
      const p = parsed.value;
      const at = (path: PropertyKey[]) => parsed.lineOf(path);
      const expectedId = name.replace(/\.ya?ml$/, '');
      if (p.id !== expectedId)
        errors.push({ file: display, line: at(['id']), message: `id '${p.id}' must be in a file named ${p.id}.yaml` });
      if (p.field !== folder)
        errors.push({ file: display, line: at(['field']), message: `field '${p.field}' must match the folder '${folder}'` });
      const previous = idFile.get(p.id);
      if (previous) {
        errors.push({ file: display, line: at(['id']), message: `id '${p.id}' is already used by ${previous}` });
        continue;
      }
      idFile.set(p.id, display);
      if (p.code) {
        const other = codeFile.get(p.code);
        if (other) errors.push({ file: display, line: at(['code']), message: `code ${p.code} is already used by ${other}` });
        else codeFile.set(p.code, display);
      }
      for (const lang of ['vi', 'en'] as const) {
        p.aliases[lang].forEach((alias, i) => {
          const key = foldDiacritics(normalizeKey(alias));
          const owner = aliasOwner.get(key);
          if (owner && owner.id !== p.id) {
            errors.push({
              file: display,
              line: at(['aliases', lang, i]),
              message: `alias '${alias}' is also a name of '${owner.id}' (${owner.file}): a name must point to one procedure`,
            });
          } else aliasOwner.set(key, { id: p.id, file: display });
        });
        (p.shared_aliases?.[lang] ?? []).forEach((alias, i) => {
          const key = foldDiacritics(normalizeKey(alias));
          shared.push({ key, alias, file: display, line: at(['shared_aliases', lang, i]) });
          sharers.set(key, (sharers.get(key) ?? new Set()).add(p.id));
        });
      }
      procedures.push({ ...p, file: display });
    }
  }
  // A family's name cannot be one procedure's own name alone (the ranker would learn it as that
  // procedure's): the owner must list it as shared too.
  for (const s of shared) {
    const owner = aliasOwner.get(s.key);
    if (owner && !sharers.get(s.key)?.has(owner.id))
      errors.push({
        file: s.file,
        line: s.line,
        message: `shared name '${s.alias}' is also a name of '${owner.id}' (${owner.file}) alone`,
      });
  }
  if (procedures.length === 0 && errors.length === 0) errors.push({ file: displayDir, message: 'the catalog has no procedures' });
  return errors.length ? { ok: false, errors } : { ok: true, value: { fields, procedures } };
}
