/**
 * Splits a long answer into Zalo-sized messages (a consultation message holds at most 2,000
 * characters).
 *
 * Why this order of boundaries: a citizen reads each part as a message of its own, so a cut
 * between paragraphs reads best, then between lines (numbered menus), then between
 * sentences, then between words; a word is cut only when it alone exceeds the limit (a long
 * URL). Only the whitespace at a cut is dropped: the parts, in order, are the original text.
 *
 * Length is counted in UTF-16 code units (`string.length`), which is never less than the
 * number of code points or of user-perceived characters, so a part is within the limit
 * however Zalo counts. The text is not normalised here; callers that want NFC do it first.
 */

/** Zalo's limit for the text of a consultation message. */
export const ZALO_TEXT_LIMIT = 2000;

type Splitter = (text: string) => string[];

/** Each splitter cuts after a separator, so its pieces concatenate back to the input. */
const LEVELS: readonly Splitter[] = [
  (text) => cutAfter(text, /\n[^\S\n]*\n\s*/g), // paragraphs: a blank line
  (text) => cutAfter(text, /\n\s*/g), // lines
  (text) => cutAfter(text, /[.!?…]+["'”’»)\]]*\s+/g), // sentences
  (text) => cutAfter(text, /\s+/g), // words
];

/**
 * Splits `text` into parts of at most `max` characters, cutting at the best boundary
 * available. Returns no empty part (whitespace-only input gives `[]`).
 */
export function splitForZalo(text: string, max: number = ZALO_TEXT_LIMIT): string[] {
  if (!Number.isInteger(max) || max < 2) {
    throw new RangeError('splitForZalo: max must be an integer of at least 2');
  }
  return splitAtLevel(text, 0, max)
    .map((chunk) => chunk.trim())
    .filter((chunk) => chunk.length > 0);
}

/** Whether `chunk` is within `max` once the whitespace at its ends is dropped at the cut. */
function fits(chunk: string, max: number): boolean {
  return chunk.length <= max || chunk.trim().length <= max;
}

/** Greedily packs this level's pieces; a piece too long on its own goes one level down. */
function splitAtLevel(text: string, level: number, max: number): string[] {
  if (fits(text, max)) return [text];
  const splitter = LEVELS[level];
  if (!splitter) return hardSplit(text, max);
  const chunks: string[] = [];
  let current = '';
  for (const piece of splitter(text)) {
    if (fits(current + piece, max)) {
      current += piece;
      continue;
    }
    if (current) chunks.push(current);
    current = '';
    if (fits(piece, max)) {
      current = piece;
      continue;
    }
    const sub = splitAtLevel(piece, level + 1, max);
    chunks.push(...sub.slice(0, -1));
    current = sub[sub.length - 1] ?? '';
  }
  if (current) chunks.push(current);
  return chunks;
}

/** Pieces of `text`, each ending just after a match of the global regex `separator`. */
function cutAfter(text: string, separator: RegExp): string[] {
  const pieces: string[] = [];
  let start = 0;
  for (const match of text.matchAll(separator)) {
    const end = (match.index ?? 0) + match[0].length;
    if (end <= start) continue;
    pieces.push(text.slice(start, end));
    start = end;
  }
  if (start < text.length) pieces.push(text.slice(start));
  return pieces;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Last resort for a single over-long word: cut between user-perceived characters (never
 * inside a surrogate pair or between a letter and its combining tone mark).
 */
function hardSplit(text: string, max: number): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const { segment } of graphemes.segment(text)) {
    for (const unit of segment.length > max ? Array.from(segment) : [segment]) {
      if (current.length + unit.length > max) {
        chunks.push(current);
        current = '';
      }
      current += unit;
    }
  }
  if (current) chunks.push(current);
  return chunks;
}
