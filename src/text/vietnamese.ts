/**
 * Vietnamese orthography helpers: tone marks, tone placement and diacritic folding.
 *
 * Why this exists: the same word reaches us in several byte forms. Some keyboards send
 * NFD (base letter + combining marks), writers disagree on where the tone mark sits
 * ("hòa"/"hoà", "thủy"/"thuỷ", "khỏe"/"khoẻ"), and many citizens type no diacritics at
 * all. The classifier must see one form per word, so we canonicalise here.
 */

/** Combining tone marks (the five Vietnamese tones besides the level tone). */
const TONE_MARKS = new Set(['\u0300', '\u0301', '\u0303', '\u0309', '\u0323']);
/** Vowel letters after tone marks are removed (shape marks ă â ê ô ơ ư stay). */
const VOWELS = new Set([...'aăâeêioôơuưy']);
/** Vowels that carry a shape mark: the tone always sits on them when present. */
const SHAPED_VOWELS = new Set([...'ăâêôơư']);

/** Unicode NFC plus lower case: the first step for every text we compare. */
export function nfcLower(text: string): string {
  return text.normalize('NFC').toLowerCase();
}

/**
 * Removes every diacritic, including `đ → d`, which has no Unicode decomposition and
 * therefore survives a naive NFD-and-strip.
 */
export function foldDiacritics(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .normalize('NFC');
}

/**
 * Moves the tone mark of one lower-case word to the traditional position ("hòa", "thủy",
 * "khỏe", "hoàng", "người"). Words with no tone or with more than one tone mark (a typo
 * we cannot fix safely) are returned unchanged.
 */
export function canonicalToneWord(word: string): string {
  const decomposed = word.normalize('NFD');
  let tone = '';
  let base = '';
  for (const ch of decomposed) {
    if (TONE_MARKS.has(ch)) {
      if (tone) return word;
      tone = ch;
    } else {
      base += ch;
    }
  }
  if (!tone) return word;
  const letters = [...base.normalize('NFC')];
  const index = tonePosition(letters);
  if (index < 0) return word;
  letters[index] = (letters[index] + tone).normalize('NFC');
  return letters.join('');
}

/** Index of the letter that carries the tone in a toneless word, or -1 if it has no vowel. */
function tonePosition(letters: string[]): number {
  let start = 0;
  while (start < letters.length && !VOWELS.has(letters[start])) start++;
  if (start >= letters.length) return -1;
  // "qu" and "gi" before another vowel are consonants: quý, già, giường.
  const prev = letters[start - 1];
  const next = letters[start + 1];
  if (next !== undefined && VOWELS.has(next) && ((prev === 'q' && letters[start] === 'u') || (prev === 'g' && letters[start] === 'i'))) {
    start++;
  }
  let end = start;
  while (end < letters.length && VOWELS.has(letters[end])) end++;
  const cluster = letters.slice(start, end);
  const hasFinalConsonant = end < letters.length;

  for (let i = cluster.length - 1; i >= 0; i--) {
    if (SHAPED_VOWELS.has(cluster[i])) return start + i;
  }
  if (cluster.length === 1) return start;
  if (hasFinalConsonant) return end - 1;
  if (cluster.length >= 3) return start + 1;
  return start; // open two-vowel syllable: traditional placement on the first vowel
}

/** Applies {@link canonicalToneWord} to every run of letters in a text. */
export function canonicalTones(text: string): string {
  return text.replace(/\p{L}+/gu, (word) => canonicalToneWord(word));
}
