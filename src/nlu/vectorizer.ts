/**
 * Maps feature names to column indices (the vocabulary, fixed at training time) and
 * weights each message's features so that every feature group has unit length: a long
 * rambling message must not outvote a short one just by having more n-grams.
 */
import type { FeatureBag } from './features';
import type { SparseVector } from './softmax-classifier';

export interface VectorizerOptions {
  /** Character n-grams seen in fewer training texts than this are dropped as noise. */
  readonly minCharDocumentFrequency: number;
}

export class Vectorizer {
  private constructor(private readonly vocabulary: ReadonlyMap<string, number>) {}

  /** Builds the vocabulary from training bags in a deterministic order. */
  static fit(bags: readonly FeatureBag[], options: VectorizerOptions = { minCharDocumentFrequency: 2 }): Vectorizer {
    const charCounts = new Map<string, number>();
    const vocabulary = new Map<string, number>();
    for (const bag of bags) {
      for (const w of bag.words) if (!vocabulary.has(w)) vocabulary.set(w, vocabulary.size);
      for (const c of bag.chars) charCounts.set(c, (charCounts.get(c) ?? 0) + 1);
    }
    for (const [gram, count] of charCounts) {
      if (count >= options.minCharDocumentFrequency) vocabulary.set(gram, vocabulary.size);
    }
    return new Vectorizer(vocabulary);
  }

  get size(): number {
    return this.vocabulary.size;
  }

  /** Share of the message's word unigrams the model has seen (0 when it has none). */
  knownWordRatio(bag: FeatureBag): number {
    let total = 0;
    let known = 0;
    for (const w of bag.words) {
      if (!w.startsWith('w:')) continue;
      total++;
      if (this.vocabulary.has(w)) known++;
    }
    return total === 0 ? 0 : known / total;
  }

  transform(bag: FeatureBag): SparseVector {
    const wordIdx = this.indicesOf(bag.words);
    const charIdx = this.indicesOf(bag.chars);
    const indices = new Int32Array(wordIdx.length + charIdx.length);
    const values = new Float32Array(indices.length);
    const wordWeight = wordIdx.length ? Number(process.env.WW ?? 1) / Math.sqrt(wordIdx.length) : 0;
    const charWeight = charIdx.length ? 1 / Math.sqrt(charIdx.length) : 0;
    wordIdx.forEach((idx, i) => {
      indices[i] = idx;
      values[i] = wordWeight;
    });
    charIdx.forEach((idx, i) => {
      indices[wordIdx.length + i] = idx;
      values[wordIdx.length + i] = charWeight;
    });
    return { indices, values };
  }

  private indicesOf(names: readonly string[]): number[] {
    const out: number[] = [];
    for (const name of names) {
      const idx = this.vocabulary.get(name);
      if (idx !== undefined) out.push(idx);
    }
    return out;
  }
}
