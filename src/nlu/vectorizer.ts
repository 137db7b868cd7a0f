/**
 * Maps feature names to column indices (the vocabulary, fixed at training time) and
 * weights each message's features by inverse document frequency, each feature group
 * scaled to unit length: filler words every citizen types ("cho em hỏi", "ạ") weigh
 * little, and a long rambling message cannot outvote a short one by having more n-grams.
 */
import type { FeatureBag } from './features';
import type { SparseVector } from './softmax-classifier';
import { runToEnd, type Stepwise } from './stepwise';

export interface VectorizerOptions {
  /** Character n-grams seen in fewer training texts than this are dropped as noise. */
  readonly minCharDocumentFrequency: number;
  /** Weight of the word group relative to the character group. */
  readonly wordGroupWeight: number;
}

export const DEFAULT_VECTORIZER_OPTIONS: VectorizerOptions = { minCharDocumentFrequency: 2, wordGroupWeight: 1.5 };

export class Vectorizer {
  private constructor(
    private readonly vocabulary: ReadonlyMap<string, number>,
    private readonly idf: Float32Array,
    private readonly options: VectorizerOptions,
  ) {}

  /** Builds the vocabulary from training bags in a deterministic order. */
  static fit(bags: readonly FeatureBag[], options: VectorizerOptions = DEFAULT_VECTORIZER_OPTIONS): Vectorizer {
    return runToEnd(Vectorizer.fitStepwise(bags, options));
  }

  /** {@link fit} as a stepwise computation (yields every few hundred bags). */
  static *fitStepwise(bags: readonly FeatureBag[], options: VectorizerOptions = DEFAULT_VECTORIZER_OPTIONS): Stepwise<Vectorizer> {
    const counts = new Map<string, number>();
    for (let i = 0; i < bags.length; i++) {
      const bag = bags[i];
      for (const f of bag.words) counts.set(f, (counts.get(f) ?? 0) + 1);
      for (const f of bag.chars) counts.set(f, (counts.get(f) ?? 0) + 1);
      if (i % 256 === 255) yield;
    }
    const vocabulary = new Map<string, number>();
    const idf: number[] = [];
    for (const [feature, count] of counts) {
      if (feature.startsWith('c:') && count < options.minCharDocumentFrequency) continue;
      vocabulary.set(feature, vocabulary.size);
      idf.push(Math.log((bags.length + 1) / (count + 1)) + 1);
    }
    return new Vectorizer(vocabulary, Float32Array.from(idf), options);
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
    const words = this.indicesOf(bag.words);
    const chars = this.indicesOf(bag.chars);
    const indices = new Int32Array(words.length + chars.length);
    const values = new Float32Array(indices.length);
    this.fillGroup(words, indices, values, 0, this.options.wordGroupWeight);
    this.fillGroup(chars, indices, values, words.length, 1);
    return { indices, values };
  }

  /** Writes one group's idf weights, scaled so the group's vector has length `weight`. */
  private fillGroup(group: number[], indices: Int32Array, values: Float32Array, offset: number, weight: number): void {
    let norm = 0;
    for (const idx of group) norm += this.idf[idx] * this.idf[idx];
    const scale = norm > 0 ? weight / Math.sqrt(norm) : 0;
    group.forEach((idx, i) => {
      indices[offset + i] = idx;
      values[offset + i] = this.idf[idx] * scale;
    });
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
