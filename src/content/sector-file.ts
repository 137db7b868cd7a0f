/**
 * Loads `config/sectors.yaml`: the sectors (lĩnh vực) a complaint can be about, with
 * their labels in every language and the words that reveal them in a citizen's text.
 * One source for both: menus, read-backs, status cards and agency messages take the
 * labels from here (the content loader hands them to the translator as
 * `complaint.sector.<id>`), and the sector guess takes the keywords.
 *
 * The ids themselves are fixed by the code (routing rules, stored complaints and the
 * agencies' webhook payload use them), so the file must list exactly the known ids —
 * checked here with file and line, like every other file admins edit.
 */
import { z } from 'zod';
import type { Checked, ContentError } from './content-error';
import { SUPPORTED_LOCALES } from './locale-files';
import { type Locale } from '../i18n/locale';
import { readYamlWithSchema } from './yaml-source';
import type { SectorTable } from '../core/sector-table';

const SECTOR_ID = /^[a-z][a-z0-9_]*$/;

const SectorFileSchema = z.strictObject({
  sectors: z
    .array(
      z.strictObject({
        id: z.string().regex(SECTOR_ID, 'a sector id must be lower_snake_case'),
        label: z.strictObject({
          vi: z.string().trim().min(1).max(40, 'a label must fit on a phone button (40 characters)'),
          en: z.string().trim().min(1).max(40, 'a label must fit on a phone button (40 characters)'),
        }),
        keywords: z.array(z.string().trim().min(1, 'a keyword must not be empty')).default([]),
      }),
    )
    .min(2, 'at least two sectors are needed'),
  false_friends: z.array(z.string().trim().min(1, 'a phrase must not be empty')).default([]),
});

export type { SectorTable } from '../core/sector-table';

export const EMPTY_SECTOR_TABLE: SectorTable = { sectors: [], falseFriends: [] };

/**
 * Reads and validates the sector file. `knownIds`, when given, are the ids the code
 * knows: each must be listed exactly once, and no other.
 */
export async function loadSectorFile(path: string, displayName: string, knownIds?: readonly string[]): Promise<Checked<SectorTable>> {
  const parsed = await readYamlWithSchema(path, displayName, SectorFileSchema);
  if (!parsed.ok) return parsed;
  const errors: ContentError[] = [];
  const seen = new Set<string>();
  parsed.value.sectors.forEach((sector, i) => {
    const line = parsed.lineOf(['sectors', i, 'id']);
    if (seen.has(sector.id)) errors.push({ file: displayName, line, message: `sector '${sector.id}' is listed twice` });
    seen.add(sector.id);
    if (knownIds && !knownIds.includes(sector.id))
      errors.push({ file: displayName, line, message: `unknown sector '${sector.id}' (known: ${knownIds.join(', ')})` });
  });
  for (const id of knownIds ?? []) {
    if (!seen.has(id))
      errors.push({ file: displayName, message: `sector '${id}' is missing (routing rules and stored complaints use it)` });
  }
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    value: {
      sectors: parsed.value.sectors.map((s) => ({ id: s.id, label: { vi: s.label.vi, en: s.label.en }, keywords: s.keywords })),
      falseFriends: parsed.value.false_friends,
    },
  };
}

/** The labels as translator entries (`complaint.sector.<id>`), per language. */
export function sectorLabelEntries(table: SectorTable): ReadonlyMap<Locale, ReadonlyMap<string, string>> {
  return new Map(
    SUPPORTED_LOCALES.map((locale) => [locale, new Map(table.sectors.map((s) => [`complaint.sector.${s.id}`, s.label[locale]]))]),
  );
}
