/**
 * `npm run nlu -- <command>`: the tool admins run before they ship an edit to the
 * intents, translations or abbreviation table.
 *
 *   validate                               check every content file (exit 1 on problems)
 *   test --data FILE.jsonl [--json]        run the model built from intents/ on labelled lines
 *   eval --train A.jsonl --test B.jsonl    train a fresh model on A only, test on B
 *   cv [--folds 5] [--strip-diacritics] [--language en]   k-fold cross-validation on intents/ (optionally scored on one language)
 *   lang [--data FILE.jsonl --expect vi|en] [--strip-diacritics]   language detection on texts of one
 *                                          language (default: the four hold-out sets, Vietnamese also unmarked)
 *   predict "some text"                    show the match for one message
 *   stories FILE…                          replay conversation stories (see src/stories/story-file.ts)
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatContentError } from '../content/content-error';
import { validateContentFiles, type ValidatedContent } from '../content/content-loader';
import { BilingualMatcher, labelledExamples } from '../nlu/bilingual-matcher';
import { type LabelledText } from '../nlu/intent-matcher';
import {
  crossValidate,
  evaluateLanguage,
  predictAll,
  scorePredictions,
  trainAndEvaluate,
  type EvaluationReport,
  type LanguageReport,
} from '../nlu/evaluation';
import { detectLanguage, type DetectedLanguage } from '../text/language';
import { foldDiacritics } from '../text/vietnamese';
import { defaultContentPaths, PROJECT_ROOT } from './project-paths';
import { contentRequirements } from '../app-text-keys';
import { storiesCommand } from '../stories/stories-command';

const USAGE = `usage: npm run nlu -- <validate | test --data FILE.jsonl | eval --train A.jsonl --test B.jsonl | cv [--folds N] [--strip-diacritics] [--language vi|en] | lang [--data FILE.jsonl --expect vi|en] [--strip-diacritics] | predict TEXT | stories FILE…> [--json]`;

/** The hold-out sets `lang` measures by default: each file's language, Vietnamese also without marks. */
const LANGUAGE_SETS: readonly LanguageSet[] = [
  { file: 'test/data/nlu-holdout.jsonl', expect: 'vi', strip: false },
  { file: 'test/data/nlu-holdout.jsonl', expect: 'vi', strip: true },
  { file: 'test/data/procedure-holdout.jsonl', expect: 'vi', strip: false },
  { file: 'test/data/procedure-holdout.jsonl', expect: 'vi', strip: true },
  { file: 'test/data/nlu-holdout-en.jsonl', expect: 'en', strip: false },
  { file: 'test/data/procedure-holdout-en.jsonl', expect: 'en', strip: false },
];

interface LanguageSet {
  readonly file: string;
  readonly expect: DetectedLanguage;
  readonly strip: boolean;
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      data: { type: 'string' },
      train: { type: 'string' },
      test: { type: 'string' },
      folds: { type: 'string', default: '5' },
      'strip-diacritics': { type: 'boolean', default: false },
      seed: { type: 'string', default: '1' },
      language: { type: 'string' },
      expect: { type: 'string' },
    },
  });
  const [command, ...rest] = positionals;
  const content = await validate(values.json && command === 'validate');
  if (command === 'validate') return content ? 0 : 1;
  if (!content) return 1;
  const items = intentItems(content);

  switch (command) {
    case 'test': {
      if (!values.data) return usage('test needs --data FILE.jsonl');
      const data = await readJsonl(values.data);
      const started = performance.now();
      const matcher = BilingualMatcher.train(items, content.abbreviations);
      const trainMs = performance.now() - started;
      const predictStarted = performance.now();
      const predictions = predictAll(matcher, data);
      const report = scorePredictions(predictions, {
        trainMs,
        predictMsPerText: (performance.now() - predictStarted) / Math.max(1, data.length),
      });
      print(report, values.json, `model from intents/ on ${values.data}`);
      return 0;
    }
    case 'eval': {
      if (!values.train || !values.test) return usage('eval needs --train A.jsonl and --test B.jsonl');
      const report = trainAndEvaluate(await readJsonl(values.train), await readJsonl(values.test), content.abbreviations);
      print(report, values.json, `trained on ${values.train}, tested on ${values.test}`);
      return 0;
    }
    case 'cv': {
      const folds = Number(values.folds);
      if (!Number.isInteger(folds) || folds < 2 || folds > 20) return usage('--folds must be a whole number from 2 to 20');
      const strip = values['strip-diacritics'] ?? false;
      const language = values.language;
      if (language !== undefined && language !== 'vi' && language !== 'en') return usage('--language must be vi or en');
      const testOnly = language ? (item: LabelledText) => item.language === language : undefined;
      const report = crossValidate(items, content.abbreviations, { folds, stripDiacritics: strip, seed: Number(values.seed), testOnly });
      const scope = language
        ? `, scored on the ${language === 'en' ? 'English (examples_en)' : 'Vietnamese (examples)'} examples only`
        : '';
      print(report, values.json, `${folds}-fold cross-validation on intents/${strip ? ', test texts without diacritics' : ''}${scope}`);
      return 0;
    }
    case 'lang': {
      const { data, expect } = values;
      if (data !== undefined && expect !== 'vi' && expect !== 'en') return usage('lang --data FILE needs --expect vi or en');
      const sets: readonly LanguageSet[] =
        data !== undefined && (expect === 'vi' || expect === 'en')
          ? [{ file: data, expect, strip: values['strip-diacritics'] ?? false }]
          : LANGUAGE_SETS;
      const reports: (LanguageReport & { file: string; stripDiacritics: boolean })[] = [];
      for (const set of sets) {
        const texts = (await readJsonlTexts(resolve(PROJECT_ROOT, set.file))).map((t) => (set.strip ? foldDiacritics(t) : t));
        const report = evaluateLanguage(texts, set.expect, (text) => detectLanguage(text, content.abbreviations));
        reports.push({ ...report, file: set.file, stripDiacritics: set.strip });
      }
      if (values.json) console.log(JSON.stringify(reports));
      else reports.forEach(printLanguage);
      return 0;
    }
    case 'stories':
      return storiesCommand(rest);
    case 'predict': {
      const text = rest.join(' ');
      if (!text) return usage('predict needs a text');
      const matcher = BilingualMatcher.train(items, content.abbreviations);
      const result = matcher.match(text);
      const out = {
        intent: result.intent,
        confidence: round(result.confidence),
        fallbackReason: result.fallbackReason,
        ranking: result.ranking.map((r) => ({ ...r, confidence: round(r.confidence) })),
        normalized: result.normalized.canonical,
      };
      console.log(values.json ? JSON.stringify(out) : JSON.stringify(out, null, 2));
      return 0;
    }
    default:
      return usage(command ? `unknown command '${command}'` : 'no command');
  }
}

async function validate(quiet: boolean): Promise<ValidatedContent | undefined> {
  const result = await validateContentFiles(defaultContentPaths(), contentRequirements());
  if (!result.ok) {
    for (const error of result.errors) console.error(formatContentError(error));
    console.error(`\n${result.errors.length} problem(s) found. Nothing was changed; the running bot keeps its last valid content.`);
    return undefined;
  }
  const { intentSet } = result.value;
  if (!quiet) {
    const examples = intentSet.intents.reduce((n, i) => n + i.examples.length, 0);
    const english = intentSet.intents.reduce((n, i) => n + i.englishExamples.length, 0);
    console.error(
      `OK: ${intentSet.intents.length} intents, ${examples} examples + ${english} in English, ${intentSet.outOfScope.length} + ${intentSet.outOfScopeEnglish.length} out-of-scope examples, ${result.value.abbreviations.size} abbreviations, locales vi+en consistent, ${result.value.catalog?.files.procedures.length ?? 0} catalog procedures.`,
    );
  }
  return result.value;
}

function intentItems(content: ValidatedContent): LabelledText[] {
  return labelledExamples(content.intentSet);
}

/** The JSON records of a `.jsonl` file, each with its line number; a bad line stops with its number. */
async function readJsonlRecords(file: string): Promise<{ line: number; record: Record<string, unknown> }[]> {
  const lines = (await readFile(file, 'utf8')).split('\n');
  const records: { line: number; record: Record<string, unknown> }[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    try {
      records.push({ line: i + 1, record: JSON.parse(line) as Record<string, unknown> });
    } catch {
      throw new Error(`${file}:${i + 1}: not valid JSON`);
    }
  });
  return records;
}

/** Reads `{"text": "...", "intent": "..."}` lines. */
async function readJsonl(file: string): Promise<LabelledText[]> {
  return (await readJsonlRecords(file)).map(({ line, record }) => {
    if (typeof record.text !== 'string' || typeof record.intent !== 'string')
      throw new Error(`${file}:${line}: needs string fields "text" and "intent"`);
    return { text: record.text, intent: record.intent };
  });
}

/** Reads the `"text"` of every line (any labels beside it are ignored). */
async function readJsonlTexts(file: string): Promise<string[]> {
  return (await readJsonlRecords(file)).map(({ line, record }) => {
    if (typeof record.text !== 'string') throw new Error(`${file}:${line}: needs a string field "text"`);
    return record.text;
  });
}

function printLanguage(report: LanguageReport & { file: string; stripDiacritics: boolean }): void {
  const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
  const name = report.expected === 'vi' ? 'Vietnamese' : 'English';
  console.log(
    `${report.file}${report.stripDiacritics ? ' (diacritics stripped)' : ''}: ${name} ${pct(report.accuracy)} of ${report.n}` +
      `   other language: ${report.wrong}   undecided (conversation keeps its language): ${report.undecided}`,
  );
  for (const miss of report.misses) console.log(`  ${miss.detected.padEnd(9)} ${miss.text}`);
}

function print(report: EvaluationReport, json: boolean | undefined, title: string): void {
  if (json) {
    console.log(JSON.stringify(report));
    return;
  }
  const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
  console.log(`${title}\n`);
  console.log(`texts: ${report.n}   accuracy: ${pct(report.accuracy)}   macro-F1: ${pct(report.macroF1)}`);
  console.log(
    `training: ${report.timing.trainMs.toFixed(0)} ms   matching: ${(report.timing.predictMsPerText * 1000).toFixed(0)} µs per text`,
  );
  const bins = report.calibration.bins.map((b) => `${b.from.toFixed(1)}–${b.to.toFixed(1)}: ${pct(b.accuracy)} right of ${b.n}`).join(', ');
  console.log(`calibration: expected calibration error ${pct(report.calibration.ece)} (confidence → share right: ${bins})\n`);
  console.log('intent                          precision  recall     F1  support');
  for (const [intent, s] of Object.entries(report.perIntent).sort((a, b) => a[1].f1 - b[1].f1)) {
    console.log(
      `${intent.padEnd(30)} ${pct(s.precision).padStart(9)} ${pct(s.recall).padStart(7)} ${pct(s.f1).padStart(7)} ${String(s.support).padStart(8)}`,
    );
  }
  if (report.confusions.length) {
    console.log('\nworst confusions (expected → predicted):');
    for (const c of report.confusions.slice(0, 15)) {
      console.log(`  ${c.count} × ${c.expected} → ${c.predicted}   e.g. "${c.examples[0]}"`);
    }
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function usage(problem: string): number {
  console.error(`${problem}\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(err.message);
    process.exit(1);
  },
);
