/**
 * The sectors (lĩnh vực) a complaint can be about, and a keyword guess of the sector
 * from the citizen's own words.
 *
 * The ids are stable and listed here: they appear in the agency directory's routing
 * rules, in stored complaints and in the webhook payload sent to agencies. Labels and
 * keywords are content, in `config/sectors.yaml` (one source; see content/sector-file.ts).
 *
 * Why keywords and not the intent classifier: the sector decides who receives the
 * complaint, so the guess must be explainable ("you wrote 'sổ đỏ', so this is about
 * land") and the conversation confirms it with the citizen. When nothing matches we
 * return `undefined` and the conversation asks.
 */
import type { SectorTable } from '../content/sector-file';
import { normalizeText } from '../text/normalize';
import { foldDiacritics } from '../text/vietnamese';

/** Every sector id the code knows (the menu order is the sector file's). */
export const SECTORS = [
  'land',
  'construction',
  'transport',
  'environment',
  'business_registration',
  'civil_status',
  'tax',
  'health',
  'electricity',
  'market_management',
  'officer_conduct',
  'other',
] as const;

export type Sector = (typeof SECTORS)[number];

/** Type guard for ids read from storage or from a button press. */
export function isSector(value: string): value is Sector {
  return (SECTORS as readonly string[]).includes(value);
}

interface Phrase {
  readonly tokens: readonly string[];
  readonly folded: readonly string[];
  readonly exactOnly: boolean;
}

interface SectorPhrases {
  readonly sector: Sector;
  readonly phrases: readonly Phrase[];
}

interface CompiledTable {
  readonly entries: readonly SectorPhrases[];
  readonly falseFriends: readonly Phrase[];
}

function compilePhrase(raw: string): Phrase {
  const exactOnly = raw.startsWith('!');
  const n = normalizeText(exactOnly ? raw.slice(1) : raw);
  return { tokens: n.tokens, folded: n.foldedTokens, exactOnly };
}

/** Compiled once per loaded table (a reload makes a new table object, hence a new entry). */
const compiled = new WeakMap<SectorTable, CompiledTable>();

function compile(table: SectorTable): CompiledTable {
  let found = compiled.get(table);
  if (!found) {
    found = {
      entries: table.sectors.flatMap((s) => (isSector(s.id) ? [{ sector: s.id, phrases: s.keywords.map(compilePhrase) }] : [])),
      falseFriends: table.falseFriends.map(compilePhrase),
    };
    compiled.set(table, found);
  }
  return found;
}

/** A citizen's word carries no tone or shape marks (we do not count đ: many type it and nothing else). */
function isUnmarked(token: string): boolean {
  const withoutD = token.replace(/đ/g, 'd');
  return foldDiacritics(withoutD) === withoutD;
}

interface Words {
  readonly tokens: readonly string[];
  readonly folded: readonly string[];
  /** Per token: typed without marks (so it may match a keyword by its folded form). Computed once per text: it was most of the flow's time. */
  readonly unmarked: readonly boolean[];
  readonly used: boolean[];
}

function tokenMatches(words: Words, i: number, phrase: Phrase, j: number): boolean {
  if (words.used[i]) return false;
  if (words.tokens[i] === phrase.tokens[j]) return true;
  return !phrase.exactOnly && words.folded[i] === phrase.folded[j] && words.unmarked[i];
}

/** Start positions where `phrase` occurs in `words` as whole words. */
function occurrences(words: Words, phrase: Phrase): number[] {
  const found: number[] = [];
  const n = phrase.tokens.length;
  for (let i = 0; n > 0 && i + n <= words.tokens.length; i++) {
    let all = true;
    for (let j = 0; j < n && all; j++) all = tokenMatches(words, i + j, phrase, j);
    if (all) found.push(i);
  }
  return found;
}

function maskFalseFriends(words: Words, falseFriends: readonly Phrase[]): void {
  for (const phrase of falseFriends) {
    for (const start of occurrences(words, phrase)) {
      for (let k = 0; k < phrase.tokens.length; k++) words.used[start + k] = true;
    }
  }
}

/** Number of the citizen's words covered by this sector's phrases (overlaps counted once). */
function sectorScore(words: Words, entry: SectorPhrases): number {
  const covered = new Set<number>();
  for (const phrase of entry.phrases) {
    for (const start of occurrences(words, phrase)) {
      for (let k = 0; k < phrase.tokens.length; k++) covered.add(start + k);
    }
  }
  return covered.size;
}

/**
 * Guesses the sector of a complaint from its text, or `undefined` if no keyword matches.
 *
 * Precedence (documented because it decides who receives the complaint):
 * 1. **Officer conduct wins.** If the text complains about an official's behaviour
 *    (demanding money, bribes, "bồi dưỡng", obstruction, arrogance), the sector is
 *    `officer_conduct` even when a field is also named ("cán bộ đòi tiền mới giải quyết
 *    hồ sơ đất"): a grievance about an official must not be sent back to that official's
 *    own office, and the routing rules send `officer_conduct` one level up.
 * 2. Otherwise the sector whose phrases cover the most words wins, so the specific
 *    phrase beats the generic word ("giấy phép xây dựng trên đất" → construction:
 *    three words against one).
 * 3. Ties go to the sector listed first in the sector file.
 */
export function inferSector(table: SectorTable, text: string): Sector | undefined {
  const [best] = rankSectors(table, text);
  return best && best.score > 0 ? best.sector : undefined;
}

/**
 * Every sector of the table with how many of the text's words point to it, most likely
 * first (file order among equals): the sector menu shows the likely ones first.
 */
export function rankSectors(table: SectorTable, text: string): { sector: Sector; score: number }[] {
  const { entries, falseFriends } = compile(table);
  const n = normalizeText(text);
  const words: Words = { tokens: n.tokens, folded: n.foldedTokens, unmarked: n.tokens.map(isUnmarked), used: n.tokens.map(() => false) };
  maskFalseFriends(words, falseFriends);
  const scored = entries.map((entry, order) => {
    const score = sectorScore(words, entry);
    // Rule 1: officer conduct, once evidenced, outranks every field.
    const rank = entry.sector === 'officer_conduct' && score > 0 ? Number.MAX_SAFE_INTEGER : score;
    return { sector: entry.sector, score, rank, order };
  });
  return scored.sort((a, b) => b.rank - a.rank || a.order - b.order).map(({ sector, score }) => ({ sector, score }));
}
