/**
 * Could this lower-case word, written without marks, be one Vietnamese syllable?
 *
 * A syllable is initial consonant + vowel cluster + final consonant, and Vietnamese
 * spelling restricts which parts go together. Those restrictions are what tell many
 * English words apart when no mark helps: "going", "main", "rain" end a closed
 * diphthong with a consonant; "thing" has "-ing" where Vietnamese writes "-inh"; "by"
 * has "y" after "b", where Vietnamese writes "i"; "bye" has "yê" after a consonant,
 * where Vietnamese writes "iê"; "too", "soon" have "oo" without the "-ng"/"-c" of
 * "xoong", "moóc". Every part is folded (ươ → uo, iê → ie, ă â → a…).
 */

const INITIALS = ['ngh', 'ng', 'nh', 'ch', 'gh', 'gi', 'kh', 'ph', 'qu', 'th', 'tr', ...'bcdghklmnprstvx', ''];
/** Vowel clusters, longest first. */
const CLUSTERS =
  'uye uya uyu ieu yeu oai oay oao oeo uay uoi uou ai ao au ay eo eu ia ie iu oa oe oi oo ua ue ui uo uu uy ye a e i o u y'.split(' ');
const FINALS = ['ch', 'nh', 'ng', ...'cmnpt', ''];

/** Clusters that end in a glide (or are "ia", "ua", "ưu"): nothing may follow them ("tai", never "tain"). */
const CLOSED = new Set('ai ao au ay eo eu ia iu oi ua ui uu ieu yeu oai oay oao oeo uay uoi uou uya uyu y'.split(' '));
/** "-ch" and "-nh" follow only front vowels and "a" ("sách", "bệnh", "tính", "hoạnh", "huých"). */
const BEFORE_CH_NH = new Set(['a', 'e', 'i', 'oa', 'oe', 'ue', 'uy']);
/** Initials a lone "y" follows ("kỹ", "lý", "mỹ", "công ty", "Vy"); after others Vietnamese writes "i". */
const BEFORE_LONE_Y = new Set(['', 'h', 'k', 'l', 'm', 'n', 's', 't', 'th', 'v', 'qu']);

function fits(initial: string, cluster: string, final: string): boolean {
  if (final && CLOSED.has(cluster)) return false;
  if ((final === 'ch' || final === 'nh') && !BEFORE_CH_NH.has(cluster)) return false;
  if ((final === 'ng' || final === 'c') && cluster === 'i') return false; // "-inh", "-ich": never "-ing", "-ic"
  if (cluster === 'oo' && final !== 'ng' && final !== 'c') return false; // only "xoong", "moóc"
  if ((cluster === 'ye' || cluster === 'yeu') && initial !== '' && initial !== 'qu') return false; // "yên", "quyền"; else "iê"
  if (cluster === 'y' && !BEFORE_LONE_Y.has(initial)) return false;
  if (initial === 'c' && /^[eiy]/.test(cluster)) return false; // "k" before e, i, y
  if ((initial === 'gh' || initial === 'ngh') && !/^[ei]/.test(cluster)) return false;
  if (initial === 'p' && (cluster.length > 1 || final) && `${cluster}${final}` !== 'in') return false; // "pin", "pa", "Pô Kô": loans and names only
  return true;
}

/** True when `word` (lower case, a–z only) can be read as one Vietnamese syllable. */
export function isVietnameseSyllable(word: string): boolean {
  for (const initial of INITIALS) {
    if (!word.startsWith(initial)) continue;
    const rest = word.slice(initial.length);
    for (const cluster of CLUSTERS) {
      if (!rest.startsWith(cluster)) continue;
      const final = rest.slice(cluster.length);
      if (FINALS.includes(final) && fits(initial, cluster, final)) return true;
    }
  }
  return false;
}
