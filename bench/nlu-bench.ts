/**
 * Matcher benchmark: training time, messages per second on one core, p50/p99 latency
 * and resident memory, for the shipped intents and for a synthetic set ten times larger
 * (≈300 intents, ≈30,000 examples) built deterministically from the shipped examples.
 */
import { validateContentFiles } from '../src/content/content-loader';
import { defaultContentPaths } from '../src/cli/project-paths';
import { FALLBACK, IntentMatcher, type LabelledText } from '../src/nlu/intent-matcher';
import { seededRandom } from '../src/nlu/seeded-random';
import type { AbbreviationTable } from '../src/text/normalize';
import { fmt, heading, percentile, rssMb } from './bench-util';

const SYLLABLES = [
  'ba',
  'xa',
  'kon',
  'plei',
  'dak',
  'ngoc',
  'tu',
  'mo',
  'sa',
  'thay',
  'ia',
  'hrai',
  'glei',
  'rong',
  'ray',
  'tan',
  'phu',
  'hoa',
  'binh',
  'an',
  'long',
  'son',
  'thanh',
  'minh',
];

/** 300 intents: each a shipped intent's examples plus a topic phrase of its own, ~100 examples each. */
export function syntheticTenfold(items: readonly LabelledText[], intents: number, perIntent: number): LabelledText[] {
  const random = seededRandom(7);
  const byIntent = new Map<string, string[]>();
  for (const item of items) if (item.intent !== FALLBACK) byIntent.set(item.intent, [...(byIntent.get(item.intent) ?? []), item.text]);
  const bases = [...byIntent.keys()].sort();
  const out: LabelledText[] = [];
  for (let k = 0; k < intents; k++) {
    const base = byIntent.get(bases[k % bases.length])!;
    const topic = `${SYLLABLES[k % SYLLABLES.length]} ${SYLLABLES[Math.floor(k / SYLLABLES.length) % SYLLABLES.length]} ${k}`;
    for (let i = 0; i < perIntent; i++) {
      const text = base[Math.floor(random() * base.length)];
      out.push({ text: random() < 0.5 ? `${topic} ${text}` : `${text} ${topic}`, intent: `synthetic_${k}` });
    }
  }
  return out;
}

function measure(name: string, items: readonly LabelledText[], abbreviations: AbbreviationTable, queries: readonly string[]): void {
  const rssBefore = rssMb();
  const started = performance.now();
  const matcher = IntentMatcher.train(items, abbreviations);
  const trainMs = performance.now() - started;
  for (let i = 0; i < 200; i++) matcher.match(queries[i % queries.length]); // warm-up
  const latencies: number[] = [];
  const loopStarted = performance.now();
  const rounds = Math.max(20000, queries.length);
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    matcher.match(queries[i % queries.length]);
    latencies.push(performance.now() - t0);
  }
  const seconds = (performance.now() - loopStarted) / 1000;
  latencies.sort((a, b) => a - b);
  heading(`matcher: ${name}`);
  console.log(
    `intents ${matcher.intents.length}, training texts ${items.length}, vocabulary ${matcher.vocabularySize}, weights ${fmt(matcher.byteSize / 1048576)} MB`,
  );
  console.log(`training: ${fmt(trainMs / 1000, 2)} s`);
  console.log(
    `matching: ${fmt(rounds / seconds, 0)} messages/s on one core; p50 ${fmt(percentile(latencies, 50) * 1000, 0)} µs, p99 ${fmt(percentile(latencies, 99) * 1000, 0)} µs`,
  );
  console.log(`resident memory: ${fmt(rssMb(), 0)} MB (+${fmt(rssMb() - rssBefore, 0)} MB for this model)`);
}

export async function runNluBench(): Promise<void> {
  const content = await validateContentFiles(defaultContentPaths());
  if (!content.ok) throw new Error('content does not validate: run `npm run nlu -- validate`');
  const { intentSet, abbreviations } = content.value;
  const items: LabelledText[] = [
    ...intentSet.intents.flatMap((i) => i.examples.map((text) => ({ text, intent: i.id }))),
    ...intentSet.outOfScope.map((text) => ({ text, intent: FALLBACK })),
  ];
  const queries = items.map((i) => i.text);
  measure('shipped intents', items, abbreviations, queries);
  const large = syntheticTenfold(items, 300, 100);
  measure(
    'synthetic 10× (300 intents)',
    large,
    abbreviations,
    large.map((i) => i.text),
  );
}

if (require.main === module) {
  runNluBench().catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
  });
}
