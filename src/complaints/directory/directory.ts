/**
 * The loaded, cross-checked agency and locality directory, and the few queries the
 * rest of the code asks of it. Plain data: the directory can be reloaded (the admin
 * edited the file) by swapping one object.
 */
import type { Sector } from '../sectors';
import type { Agency, Locality, LocalityKind } from './directory-schema';

export type { Agency, Locality, LocalityKind } from './directory-schema';

/** A routing rule with its one-or-many fields turned into lists. */
export interface RoutingRule {
  /** Position in the file's `rules` list (0-based, as in error messages: rules[3]). */
  readonly index: number;
  /** Absent = any sector. */
  readonly sectors?: readonly Sector[];
  /** Absent = anywhere (and no locality needed). */
  readonly locality?: string;
  /** Absent = any kind (and no locality needed). */
  readonly localityKinds?: readonly LocalityKind[];
  /** Agency id, `$locality` or `$district`. */
  readonly agency: string;
  readonly description?: string;
}

export interface Directory {
  /** Title from the file. */
  readonly name: string;
  /** File the directory was read from, for messages. */
  readonly source: string;
  readonly agencies: readonly Agency[];
  readonly localities: readonly Locality[];
  readonly rules: readonly RoutingRule[];
  readonly defaultAgency: Agency;
  /** The agency that receives dead-delivery and overdue alerts. */
  readonly coordinator: Agency;
  readonly agencyById: ReadonlyMap<string, Agency>;
  readonly localityById: ReadonlyMap<string, Locality>;
}

/** The locality itself, then its parent, grandparent… (stops on a missing parent). */
export function localityChain(directory: Directory, locality: Locality): Locality[] {
  const chain: Locality[] = [];
  const seen = new Set<string>();
  let current: Locality | undefined = locality;
  while (current && !seen.has(current.id)) {
    chain.push(current);
    seen.add(current.id);
    current = current.parent ? directory.localityById.get(current.parent) : undefined;
  }
  return chain;
}

/** True if `locality` is `ancestorId` or lies inside it. */
export function isWithin(directory: Directory, locality: Locality, ancestorId: string): boolean {
  return localityChain(directory, locality).some((l) => l.id === ancestorId);
}

/** The People's Committee of the place: its own `agency`, else the nearest enclosing place's. */
export function localityAgency(directory: Directory, locality: Locality): Agency | undefined {
  for (const l of localityChain(directory, locality)) {
    if (l.agency) return directory.agencyById.get(l.agency);
  }
  return undefined;
}

/** The district containing the place (the place itself if it is a district). */
export function enclosingDistrict(directory: Directory, locality: Locality): Locality | undefined {
  return localityChain(directory, locality).find((l) => l.kind === 'district');
}
