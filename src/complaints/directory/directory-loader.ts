/**
 * Reads the directory file, validates its shape (directory-schema.ts) and then the
 * things a schema cannot see: ids that must exist, ids that must be unique, exactly one
 * coordinator, sane parent chains, place aliases that two places must not share.
 *
 * Every problem is reported with file and line, all at once, so an admin fixes the file
 * in one pass. A directory that does not validate is never half-used.
 */
import { relative } from 'node:path';
import type { Checked, ContentError } from '../../content/content-error';
import { parseYamlWithSchema, readYamlWithSchema } from '../../content/yaml-source';
import type { Directory, RoutingRule } from './directory';
import {
  DISTRICT_AGENCY,
  DirectoryFileSchema,
  LOCALITY_AGENCY,
  type Agency,
  type DirectoryFile,
  type Locality,
  type LocalityKind,
  type RawRoutingRule,
} from './directory-schema';
import { placeKey } from './place-name';

type LineOf = (path: readonly PropertyKey[]) => number | undefined;

/** Reads and checks a directory file. `displayName` defaults to the path relative to the working directory. */
export async function loadDirectory(path: string, displayName = relative(process.cwd(), path) || path): Promise<Checked<Directory>> {
  const parsed = await readYamlWithSchema(path, displayName, DirectoryFileSchema);
  return parsed.ok ? finish(displayName, parsed.value, parsed.lineOf) : parsed;
}

/** Checks directory text already in memory (admin tools, tests). */
export function parseDirectory(displayName: string, text: string): Checked<Directory> {
  const parsed = parseYamlWithSchema(displayName, text, DirectoryFileSchema);
  return parsed.ok ? finish(displayName, parsed.value, parsed.lineOf) : parsed;
}

function finish(file: string, value: DirectoryFile, lineOf: LineOf): Checked<Directory> {
  const errors = crossCheck(file, value, lineOf);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: buildDirectory(file, value) };
}

/** Builds the in-memory directory; call only on a file that passed {@link crossCheck}. */
function buildDirectory(source: string, file: DirectoryFile): Directory {
  const agencyById = new Map(file.agencies.map((a) => [a.id, a]));
  const localityById = new Map(file.localities.map((l) => [l.id, l]));
  const coordinator = file.agencies.find((a) => a.coordinator);
  const defaultAgency = agencyById.get(file.defaultAgency);
  if (!coordinator || !defaultAgency) throw new Error('buildDirectory called on a directory that failed its checks');
  return {
    name: file.name,
    source,
    agencies: file.agencies,
    localities: file.localities,
    rules: file.rules.map(toRoutingRule),
    defaultAgency,
    coordinator,
    agencyById,
    localityById,
  };
}

function toRoutingRule(rule: RawRoutingRule, index: number): RoutingRule {
  const asList = <T>(v: T | T[] | undefined): T[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);
  return {
    index,
    sectors: asList(rule.sector),
    locality: rule.locality,
    localityKinds: asList(rule.localityKind),
    agency: rule.agency,
    description: rule.description,
  };
}

/** Collects every cross-reference problem in the file. */
function crossCheck(file: string, dir: DirectoryFile, lineOf: LineOf): ContentError[] {
  const at = (path: readonly PropertyKey[], message: string): ContentError => ({ file, line: lineOf(path), message });
  return [
    ...uniqueIds(dir.agencies, 'agencies', 'agency', lineOf, at),
    ...uniqueIds(dir.localities, 'localities', 'locality', lineOf, at),
    ...checkCoordinator(dir.agencies, at),
    ...checkLocalities(dir, at),
    ...checkAliases(dir.localities, lineOf, at),
    ...checkRules(dir, at),
    ...(dir.agencies.some((a) => a.id === dir.defaultAgency) ? [] : [at(['defaultAgency'], `unknown agency '${dir.defaultAgency}'`)]),
  ];
}

type At = (path: readonly PropertyKey[], message: string) => ContentError;

function uniqueIds(items: readonly { id: string }[], listKey: string, what: string, lineOf: LineOf, at: At): ContentError[] {
  const firstIndex = new Map<string, number>();
  const errors: ContentError[] = [];
  items.forEach((item, i) => {
    const first = firstIndex.get(item.id);
    if (first === undefined) firstIndex.set(item.id, i);
    else
      errors.push(
        at([listKey, i, 'id'], `duplicate ${what} id '${item.id}' (first defined on line ${lineOf([listKey, first, 'id']) ?? '?'})`),
      );
  });
  return errors;
}

function checkCoordinator(agencies: readonly Agency[], at: At): ContentError[] {
  const indexes = agencies.flatMap((a, i) => (a.coordinator ? [i] : []));
  if (indexes.length === 1) return [];
  if (indexes.length === 0)
    return [at(['agencies'], 'exactly one agency must have coordinator: true (it receives dead-delivery and overdue alerts); none has')];
  return indexes
    .slice(1)
    .map((i) => at(['agencies', i, 'coordinator'], `only one agency may be the coordinator; '${agencies[indexes[0]].id}' already is`));
}

const LEVEL: Readonly<Record<LocalityKind, number>> = { province: 0, district: 1, commune: 2 };

function checkLocalities(dir: DirectoryFile, at: At): ContentError[] {
  const localities = new Map(dir.localities.map((l) => [l.id, l]));
  const agencies = new Set(dir.agencies.map((a) => a.id));
  const errors: ContentError[] = [];
  dir.localities.forEach((l, i) => {
    if (l.agency !== undefined && !agencies.has(l.agency)) errors.push(at(['localities', i, 'agency'], `unknown agency '${l.agency}'`));
    if (l.parent === undefined) return;
    const parent = localities.get(l.parent);
    if (!parent) errors.push(at(['localities', i, 'parent'], `unknown locality '${l.parent}'`));
    else if (LEVEL[parent.kind] >= LEVEL[l.kind]) {
      errors.push(
        at(['localities', i, 'parent'], `a ${l.kind} cannot be inside a ${parent.kind} ('${parent.id}'); the parent must be a wider unit`),
      );
    }
  });
  return errors;
}

/** Aliases (and official names) must not name two places once case and diacritics are ignored. */
function checkAliases(localities: readonly Locality[], lineOf: LineOf, at: At): ContentError[] {
  const owner = new Map<string, { id: string; line?: number }>();
  const errors: ContentError[] = [];
  localities.forEach((l, i) => {
    const names: { text: string; path: PropertyKey[] }[] = [
      { text: l.name.vi, path: ['localities', i, 'name', 'vi'] },
      ...l.aliases.map((text, j) => ({ text, path: ['localities', i, 'aliases', j] })),
    ];
    for (const { text, path } of names) {
      const key = placeKey(text);
      if (key === '') {
        errors.push(at(path, `'${text}' contains no letters or digits`));
        continue;
      }
      const previous = owner.get(key);
      if (!previous) owner.set(key, { id: l.id, line: lineOf(path) });
      else if (previous.id !== l.id) {
        errors.push(
          at(
            path,
            `'${text}' (compared as '${key}') already names locality '${previous.id}' (line ${previous.line ?? '?'}); a place name must point to one place`,
          ),
        );
      }
    }
  });
  return errors;
}

function checkRules(dir: DirectoryFile, at: At): ContentError[] {
  const agencies = new Set(dir.agencies.map((a) => a.id));
  const localities = new Set(dir.localities.map((l) => l.id));
  const errors: ContentError[] = [];
  let catchAll: number | undefined;
  dir.rules.forEach((rule, i) => {
    if (catchAll !== undefined) errors.push(at(['rules', i], `unreachable: rules[${catchAll}] above matches every complaint`));
    const special = rule.agency === LOCALITY_AGENCY || rule.agency === DISTRICT_AGENCY;
    if (!special && !agencies.has(rule.agency)) errors.push(at(['rules', i, 'agency'], `unknown agency '${rule.agency}'`));
    if (rule.locality !== undefined && !localities.has(rule.locality))
      errors.push(at(['rules', i, 'locality'], `unknown locality '${rule.locality}'`));
    const unconditional = rule.sector === undefined && rule.locality === undefined && rule.localityKind === undefined;
    if (unconditional && !special && catchAll === undefined) catchAll = i;
  });
  return errors;
}
