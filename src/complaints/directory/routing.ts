/**
 * Decides which agency receives a complaint, from the directory's ordered rules.
 *
 * As in FixMyStreet, "who handles what" is data: rules are sector × place → agency, the
 * first matching rule wins, and a default agency catches the rest. The decision carries
 * a sentence saying why, because staff will ask ("why did this land complaint reach us?")
 * and the answer must not require reading code.
 */
import type { Sector } from '../sectors';
import { enclosingDistrict, isWithin, localityAgency, type Agency, type Directory, type Locality, type RoutingRule } from './directory';
import { DISTRICT_AGENCY, LOCALITY_AGENCY } from './directory-schema';

export interface RouteRequest {
  readonly sector: Sector;
  /** Id of the place the complaint is about, when known. */
  readonly localityId?: string;
}

export interface RouteDecision {
  readonly agency: Agency;
  /** Human-readable reason: which rule matched (or that none did) and what it resolved to. */
  readonly rule: string;
  /** Index of the matching rule in the file, or undefined when the default agency was used. */
  readonly ruleIndex?: number;
}

/**
 * Follows the rules in order. A rule matches when every condition it states holds: its
 * sector(s) include the complaint's sector; the complaint's place is its `locality` or
 * inside it; the place's kind is one of `localityKind`. A rule that names a place or a
 * kind never matches a complaint without a place.
 *
 * `$locality` resolves to the People's Committee of the complaint's place (or of the
 * nearest enclosing place that has one); `$district` to that of the district containing
 * the place. When that cannot be resolved (no place, or a province-level place for
 * `$district`), the rule is skipped and the next one is tried, so "land → $district"
 * followed by "land → Sở TN&MT" reads naturally.
 */
export function routeComplaint(directory: Directory, request: RouteRequest): RouteDecision {
  const locality = request.localityId ? directory.localityById.get(request.localityId) : undefined;
  for (const rule of directory.rules) {
    if (!ruleMatches(directory, rule, request.sector, locality)) continue;
    const agency = resolveAgency(directory, rule.agency, locality);
    if (!agency) continue;
    return { agency, rule: explain(rule, request.sector, locality, agency), ruleIndex: rule.index };
  }
  const unknownPlace = request.localityId && !locality ? ` (unknown locality id '${request.localityId}' ignored)` : '';
  return {
    agency: directory.defaultAgency,
    rule: `no rule matched ${describeComplaint(request.sector, locality)}${unknownPlace}: default agency ${directory.defaultAgency.name.vi}`,
  };
}

function ruleMatches(directory: Directory, rule: RoutingRule, sector: Sector, locality: Locality | undefined): boolean {
  if (rule.sectors && !rule.sectors.includes(sector)) return false;
  if (rule.locality !== undefined && (!locality || !isWithin(directory, locality, rule.locality))) return false;
  if (rule.localityKinds && (!locality || !rule.localityKinds.includes(locality.kind))) return false;
  return true;
}

function resolveAgency(directory: Directory, target: string, locality: Locality | undefined): Agency | undefined {
  if (target === LOCALITY_AGENCY) return locality ? localityAgency(directory, locality) : undefined;
  if (target === DISTRICT_AGENCY) {
    const district = locality ? enclosingDistrict(directory, locality) : undefined;
    return district ? localityAgency(directory, district) : undefined;
  }
  return directory.agencyById.get(target);
}

function explain(rule: RoutingRule, sector: Sector, locality: Locality | undefined, agency: Agency): string {
  const conditions = [
    rule.sectors ? `sector ${rule.sectors.join('/')}` : undefined,
    rule.locality ? `in ${rule.locality}` : undefined,
    rule.localityKinds ? `at a ${rule.localityKinds.join('/')}` : undefined,
  ].filter((c): c is string => c !== undefined);
  const when = conditions.length ? conditions.join(', ') : 'any complaint';
  const why = rule.description ? ` "${rule.description}"` : '';
  return `rules[${rule.index}]${why} (${when} → ${rule.agency}) matched ${describeComplaint(sector, locality)}: ${agency.name.vi}`;
}

function describeComplaint(sector: Sector, locality: Locality | undefined): string {
  const place = locality ? `${locality.name.vi} (${locality.kind})` : 'no locality';
  return `${sector} complaint, ${place}`;
}
