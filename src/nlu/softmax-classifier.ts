/**
 * Sparse multinomial logistic regression (softmax) trained by SGD.
 *
 * Hand-written on purpose: `natural`'s LogisticRegressionClassifier is dense batch
 * gradient descent (29 minutes for 4,500 utterances, docs/measurements.md) and its scores are
 * not probabilities, so no confidence threshold can be built on them. This one trains in
 * a second on our intents, gives real probabilities for the fallback decision, and is
 * deterministic (seeded shuffle, fixed initialisation).
 *
 * Weights are stored feature-major (one row of `numClasses` floats per feature), so
 * scoring a message touches only the rows of its few hundred active features.
 */
import { seededRandom, shuffleInPlace } from './seeded-random';
import { runToEnd, type Stepwise } from './stepwise';

export interface SparseVector {
  readonly indices: Int32Array;
  readonly values: Float32Array;
}

export interface TrainingSample {
  readonly x: SparseVector;
  readonly y: number;
}

export interface SoftmaxTrainingOptions {
  /** Most passes over the data (small data sets get this many). */
  readonly epochs: number;
  /**
   * Large data sets get fewer passes: about `sampleBudget / samples`, at least
   * `minEpochs`. A set of 30,000 texts is redundant enough that 4 passes learn it, and
   * this keeps training of a 300-intent set under a minute.
   */
  readonly sampleBudget: number;
  readonly minEpochs: number;
  /** Initial step size; decays as 1 / (1 + t / n). */
  readonly learningRate: number;
  /** L2 penalty, applied to the rows a sample touches (lazy regularisation). */
  readonly l2: number;
  readonly seed: number;
}

export const DEFAULT_SOFTMAX_OPTIONS: SoftmaxTrainingOptions = {
  epochs: 20,
  sampleBudget: 120_000,
  minEpochs: 2,
  learningRate: 2,
  l2: 1e-4,
  seed: 42,
};

/** Training samples between two yields of {@link SoftmaxClassifier.trainStepwise} (well under a millisecond each). */
const STEPS_PER_SLICE = 64;

/** Gradients smaller than this are skipped: late in training most classes contribute nothing. */
const GRADIENT_EPSILON = 1e-4;

/**
 * With many intents, scoring every class for every message dominates the cost. A
 * feature seen in few classes (a topic word) tells which classes are plausible at all,
 * so a message is scored against the union of its rare features' classes only; a
 * message without any rare feature is scored against all classes. Below this many
 * classes (the shipped intents) the index is not built and every class is scored.
 */
function candidateLimit(numClasses: number): number {
  return Math.max(32, Math.ceil(numClasses / 32));
}

/** For each rare feature, the classes it was seen with in training. */
class CandidateIndex {
  private readonly mark: Uint8Array;
  private readonly list: Int32Array;

  private constructor(
    private readonly classesOf: ReadonlyMap<number, Int32Array>,
    numClasses: number,
  ) {
    this.mark = new Uint8Array(numClasses);
    this.list = new Int32Array(numClasses);
  }

  static build(samples: readonly TrainingSample[], numClasses: number): CandidateIndex | undefined {
    const limit = candidateLimit(numClasses);
    if (numClasses <= limit) return undefined;
    const seen = new Map<number, Set<number>>();
    for (const { x, y } of samples) {
      for (const f of x.indices) {
        let classes = seen.get(f);
        if (!classes) seen.set(f, (classes = new Set()));
        if (classes.size <= limit) classes.add(y);
      }
    }
    const classesOf = new Map<number, Int32Array>();
    for (const [f, classes] of seen) if (classes.size <= limit) classesOf.set(f, Int32Array.from([...classes].sort((a, b) => a - b)));
    return new CandidateIndex(classesOf, numClasses);
  }

  /** The candidate classes of `x` (plus `extra`, if ≥ 0), or undefined for "all classes". */
  candidates(x: SparseVector, extra = -1): Int32Array | undefined {
    let n = 0;
    const add = (c: number): void => {
      if (this.mark[c] === 0) {
        this.mark[c] = 1;
        this.list[n++] = c;
      }
    };
    for (const f of x.indices) {
      const classes = this.classesOf.get(f);
      if (classes) for (const c of classes) add(c);
    }
    if (n === 0) return undefined;
    if (extra >= 0) add(extra);
    const result = this.list.slice(0, n);
    for (const c of result) this.mark[c] = 0;
    // Ascending order: each feature row is then read front to back (cache-friendly).
    return result.sort();
  }
}

export class SoftmaxClassifier {
  private constructor(
    readonly numClasses: number,
    readonly numFeatures: number,
    private readonly weights: Float32Array,
    private readonly bias: Float32Array,
    private readonly candidateIndex: CandidateIndex | undefined,
  ) {}

  static train(
    samples: readonly TrainingSample[],
    numClasses: number,
    numFeatures: number,
    options: SoftmaxTrainingOptions = DEFAULT_SOFTMAX_OPTIONS,
  ): SoftmaxClassifier {
    return runToEnd(SoftmaxClassifier.trainStepwise(samples, numClasses, numFeatures, options));
  }

  /** {@link train} as a stepwise computation: it yields every {@link STEPS_PER_SLICE} samples. */
  static *trainStepwise(
    samples: readonly TrainingSample[],
    numClasses: number,
    numFeatures: number,
    options: SoftmaxTrainingOptions = DEFAULT_SOFTMAX_OPTIONS,
  ): Stepwise<SoftmaxClassifier> {
    const index = CandidateIndex.build(samples, numClasses);
    const model = new SoftmaxClassifier(
      numClasses,
      numFeatures,
      new Float32Array(numFeatures * numClasses),
      new Float32Array(numClasses),
      index,
    );
    const random = seededRandom(options.seed);
    const order = samples.map((_, i) => i);
    const probs = new Float64Array(numClasses);
    const n = Math.max(1, samples.length);
    let step = 0;
    const epochs = Math.max(options.minEpochs, Math.min(options.epochs, Math.round(options.sampleBudget / n)));
    for (let epoch = 0; epoch < epochs; epoch++) {
      shuffleInPlace(order, random);
      for (const i of order) {
        const lr = options.learningRate / (1 + step / n);
        model.sgdStep(samples[i], lr, options.l2, probs);
        step++;
        if (step % STEPS_PER_SLICE === 0) yield;
      }
    }
    return model;
  }

  private sgdStep(sample: TrainingSample, lr: number, l2: number, probs: Float64Array): void {
    const { indices, values } = sample.x;
    const C = this.numClasses;
    const candidates = this.candidateIndex?.candidates(sample.x, sample.y);
    this.scoreInto(sample.x, probs, 1, candidates);
    probs[sample.y] -= 1; // now the gradient of the loss w.r.t. the logits
    const decay = 1 - lr * l2;
    const w = this.weights;
    const count = candidates ? candidates.length : C;
    for (let k = 0; k < indices.length; k++) {
      const row = indices[k] * C;
      const v = values[k];
      for (let j = 0; j < count; j++) {
        const c = candidates ? candidates[j] : j;
        const g = probs[c];
        if (g > GRADIENT_EPSILON || g < -GRADIENT_EPSILON) w[row + c] = w[row + c] * decay - lr * g * v;
      }
    }
    for (let j = 0; j < count; j++) {
      const c = candidates ? candidates[j] : j;
      this.bias[c] -= lr * probs[c];
    }
  }

  /** Class probabilities of `x` into `out`; `temperature` > 1 softens them. */
  probabilitiesInto(x: SparseVector, out: Float64Array, temperature: number): void {
    this.scoreInto(x, out, temperature, this.candidateIndex?.candidates(x));
  }

  /** Softmax over `candidates` (all classes when undefined); the other classes get 0. */
  private scoreInto(x: SparseVector, out: Float64Array, temperature: number, candidates: Int32Array | undefined): void {
    const C = this.numClasses;
    const w = this.weights;
    const count = candidates ? candidates.length : C;
    if (candidates) out.fill(0);
    for (let j = 0; j < count; j++) {
      const c = candidates ? candidates[j] : j;
      out[c] = this.bias[c];
    }
    const { indices, values } = x;
    for (let k = 0; k < indices.length; k++) {
      const row = indices[k] * C;
      const v = values[k];
      if (candidates) {
        for (let j = 0; j < count; j++) out[candidates[j]] += w[row + candidates[j]] * v;
      } else {
        for (let c = 0; c < C; c++) out[c] += w[row + c] * v;
      }
    }
    let max = -Infinity;
    for (let j = 0; j < count; j++) {
      const c = candidates ? candidates[j] : j;
      out[c] /= temperature;
      if (out[c] > max) max = out[c];
    }
    let sum = 0;
    for (let j = 0; j < count; j++) {
      const c = candidates ? candidates[j] : j;
      out[c] = Math.exp(out[c] - max);
      sum += out[c];
    }
    for (let j = 0; j < count; j++) {
      const c = candidates ? candidates[j] : j;
      out[c] /= sum;
    }
  }

  probabilities(x: SparseVector, temperature = 1): Float64Array {
    const out = new Float64Array(this.numClasses);
    this.probabilitiesInto(x, out, temperature);
    return out;
  }

  /** Bytes held by the model's arrays, for the benchmark's memory report. */
  get byteSize(): number {
    return this.weights.byteLength + this.bias.byteLength;
  }
}
