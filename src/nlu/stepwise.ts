/**
 * Long computations (training a model on a large catalog) written as generators that
 * `yield` every few milliseconds of work, so the same code can run straight through (a
 * CLI, a test) or cooperatively on the event loop of the running bot: between slices
 * the bot answers messages, so a reload never freezes it.
 */

/** A computation that yields between slices of work and returns `T`. */
export type Stepwise<T> = Generator<void, T, void>;

/** Runs a stepwise computation to its end without pausing. */
export function runToEnd<T>(steps: Stepwise<T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/**
 * Runs a stepwise computation in slices of about `sliceMs`, giving the event loop back
 * between slices (setImmediate: pending I/O runs first).
 */
export async function runCooperatively<T>(steps: Stepwise<T>, sliceMs = 5): Promise<T> {
  for (;;) {
    const started = performance.now();
    for (;;) {
      const next = steps.next();
      if (next.done) return next.value;
      if (performance.now() - started >= sliceMs) break;
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
