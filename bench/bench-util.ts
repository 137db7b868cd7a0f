/** Small helpers shared by the benchmark scripts: percentiles and memory figures. */

export function percentile(sortedMs: readonly number[], p: number): number {
  if (sortedMs.length === 0) return 0;
  const index = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return sortedMs[index];
}

export function rssMb(): number {
  return process.memoryUsage().rss / (1024 * 1024);
}

export function fmt(n: number, digits = 1): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function heading(title: string): void {
  console.log(`\n== ${title}`);
}
