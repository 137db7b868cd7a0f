/**
 * Finds the place a citizen names inside a free-text message ("cán bộ xã Đăk Mar
 * huyện Đăk Hà…"), using the directory's official names and aliases.
 *
 * Matching is on folded whole words (see place-name.ts): "Dak Ha", "Đắk Hà" and
 * "ĐĂK HÀ" all match the alias "Đăk Hà", but "dak ha" does not match inside
 * "dak hanh", because words are compared, not characters.
 */
import { localityChain, type Directory, type Locality } from './directory';
import { placeTokens } from './place-name';

export interface LocalityMatch {
  readonly locality: Locality;
  /** The alias (or official name) as written in the directory. */
  readonly matchedAlias: string;
}

interface AliasEntry {
  readonly tokens: readonly string[];
  readonly alias: string;
  readonly locality: Locality;
}

interface Occurrence extends AliasEntry {
  readonly start: number;
  readonly end: number; // exclusive
}

const DEPTH: Readonly<Record<Locality['kind'], number>> = { province: 0, district: 1, commune: 2 };

/** Looks up places in text; build once per directory (it indexes every alias). */
export class LocalityMatcher {
  private readonly byFirstToken = new Map<string, AliasEntry[]>();

  constructor(private readonly directory: Directory) {
    for (const locality of directory.localities) {
      for (const alias of [locality.name.vi, ...locality.aliases]) this.index(alias, locality);
    }
  }

  /**
   * The most specific place named in `text`, or undefined.
   *
   * Choice among several places: a name inside a longer name is ignored ("Đăk Hà" inside
   * "thị trấn Đăk Hà"); then the narrowest level wins (a commune over its district —
   * "xã Đăk Mar, huyện Đăk Hà" is about the commune); then a place whose district or
   * province is also named; then the longest name; then the first in the text.
   */
  find(text: string): LocalityMatch | undefined {
    const [best] = this.findAll(text);
    return best;
  }

  /** Every place named in `text`, best first (same order as {@link find}). */
  findAll(text: string): LocalityMatch[] {
    const found = this.occurrences(placeTokens(text));
    const kept = found.filter((o) => !found.some((other) => other !== o && contains(other, o)));
    const named = new Set(kept.map((o) => o.locality.id));
    const supported = (o: Occurrence): number =>
      localityChain(this.directory, o.locality)
        .slice(1)
        .some((ancestor) => named.has(ancestor.id))
        ? 1
        : 0;
    const ranked = [...kept].sort(
      (a, b) =>
        DEPTH[b.locality.kind] - DEPTH[a.locality.kind] ||
        supported(b) - supported(a) ||
        b.tokens.length - a.tokens.length ||
        a.start - b.start,
    );
    const seen = new Set<string>();
    const result: LocalityMatch[] = [];
    for (const o of ranked) {
      if (seen.has(o.locality.id)) continue;
      seen.add(o.locality.id);
      result.push({ locality: o.locality, matchedAlias: o.alias });
    }
    return result;
  }

  /** The locality with this id (stored complaints keep the id, not the name). */
  findById(id: string): Locality | undefined {
    return this.directory.localityById.get(id);
  }

  private index(alias: string, locality: Locality): void {
    const tokens = placeTokens(alias);
    if (tokens.length === 0) return;
    const bucket = this.byFirstToken.get(tokens[0]) ?? [];
    if (bucket.some((e) => e.locality === locality && sameTokens(e.tokens, tokens))) return;
    bucket.push({ tokens, alias, locality });
    this.byFirstToken.set(tokens[0], bucket);
  }

  private occurrences(words: readonly string[]): Occurrence[] {
    const found: Occurrence[] = [];
    words.forEach((word, start) => {
      for (const entry of this.byFirstToken.get(word) ?? []) {
        const end = start + entry.tokens.length;
        if (end <= words.length && entry.tokens.every((t, k) => words[start + k] === t)) found.push({ ...entry, start, end });
      }
    });
    return found;
  }
}

function contains(outer: Occurrence, inner: Occurrence): boolean {
  const wider = outer.end - outer.start > inner.end - inner.start;
  return wider && outer.start <= inner.start && inner.end <= outer.end;
}

function sameTokens(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}
