/**
 * `npm run catalog -- <command>`: tools for the procedure catalog.
 *
 *   validate               check every procedure file and the aspect cues (file and line for each mistake)
 *   search "text"          how the bot understands one message: intent or procedure ranking with scores, and the aspect
 *   eval FILE.jsonl…       score the whole understanding on labelled lines: {"text","procedure","aspect"} (top-1,
 *                          top-3, aspect, confusions), {"text","procedure":"none"} (a procedure the catalog lacks: share
 *                          answered honestly) and {"text","intent"} (accuracy, fallback share) [--json] [--strip-diacritics]
 *   import FILE [--field F] [--dry-run]   add a province's procedure list (CSV or JSON export) as procedure files:
 *                          all or nothing, with a validation report (docs/procedure-catalog.md)
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { formatContentError } from '../content/content-error';
import { loadBotContent, validateContentFiles } from '../content/content-loader';
import type { BotContent } from '../core/bot-content';
import { contentRequirements } from '../app-text-keys';
import { defaultContentPaths } from './project-paths';
import { understandText, type Understanding } from '../catalog/understanding';
import { evaluateUnderstanding, parseEvaluationLines, type CatalogReport } from '../catalog/catalog-evaluation';
import { importProcedures } from '../content/catalog-import';
import { foldDiacritics } from '../text/vietnamese';

const USAGE =
  'usage: npm run catalog -- <validate | search TEXT | eval FILE.jsonl… [--json] [--strip-diacritics] | import FILE [--field ID] [--dry-run]>';

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      'strip-diacritics': { type: 'boolean', default: false },
      field: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
    },
  });
  const [command, ...rest] = positionals;
  const paths = defaultContentPaths();
  switch (command) {
    case 'validate': {
      const content = await load();
      if (!content?.catalog) return 1;
      const byField = new Map<string, number>();
      for (const p of content.catalog.procedures.values()) byField.set(p.field, (byField.get(p.field) ?? 0) + 1);
      console.log(`catalog OK: ${content.catalog.procedures.size} procedures in ${byField.size} fields`);
      for (const [field, n] of [...byField].sort()) console.log(`  ${field}: ${n}`);
      return 0;
    }
    case 'search': {
      const text = rest.join(' ');
      if (!text) return usage('search needs a text');
      const content = await load();
      if (!content) return 1;
      const u = understandText(content, text);
      console.log(values.json ? JSON.stringify(describe(u)) : JSON.stringify(describe(u), null, 2));
      return 0;
    }
    case 'eval': {
      if (rest.length === 0) return usage('eval needs at least one FILE.jsonl');
      const content = await load();
      if (!content) return 1;
      for (const file of rest) {
        const lines = parseEvaluationLines(await readFile(file, 'utf8'), file);
        const texts = values['strip-diacritics'] ? lines.map((l) => ({ ...l, text: foldDiacritics(l.text) })) : lines;
        const report = evaluateUnderstanding(texts, (text) => understandText(content, text));
        print(report, file, values.json ?? false);
      }
      return 0;
    }
    case 'import': {
      const [file] = rest;
      if (!file) return usage('import needs a FILE (.csv or .json)');
      const report = await importProcedures(file, paths.proceduresDir ?? `${paths.root}/procedures`, {
        ...(values.field ? { defaultField: values.field } : {}),
        dryRun: values['dry-run'] ?? false,
        validate: async (proceduresDir) => {
          const result = await validateContentFiles({ ...paths, proceduresDir }, contentRequirements());
          return result.ok ? [] : result.errors;
        },
      });
      for (const line of report.lines) console.log(line);
      return report.ok ? 0 : 1;
    }
    default:
      return usage(command ? `unknown command '${command}'` : 'no command');
  }

  async function load(): Promise<BotContent | undefined> {
    const result = await loadBotContent(paths, contentRequirements());
    if (result.ok) return result.value;
    for (const error of result.errors) console.error(formatContentError(error));
    console.error(`${result.errors.length} problem(s); the running bot keeps its last valid content.`);
    return undefined;
  }
}

function describe(u: Understanding): Record<string, unknown> {
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  if (u.kind === 'intent') {
    return {
      decision: 'intent',
      intent: u.match.intent,
      confidence: round(u.match.confidence),
      ...(u.match.fallbackReason ? { fallbackReason: u.match.fallbackReason } : {}),
      intents: u.match.ranking.map((r) => ({ intent: r.intent, confidence: round(r.confidence) })),
      ...(u.related.length ? { related: u.related.map((p) => p.id) } : {}),
    };
  }
  return {
    decision: u.kind,
    ...(u.kind === 'procedure' ? { procedure: u.procedure.id } : {}),
    ...(u.kind === 'choice' ? { choices: u.procedures.map((p) => p.id) } : {}),
    ...((u.kind === 'procedure' || u.kind === 'unknown_procedure') && u.related.length ? { related: u.related.map((p) => p.id) } : {}),
    aspect: u.aspect,
    ranking: u.ranking.ranking.map((r) => ({ procedure: r.id, score: round(r.confidence) })),
    knownWordRatio: round(u.ranking.knownWordRatio),
  };
}

function print(report: CatalogReport, file: string, json: boolean): void {
  if (json) {
    console.log(JSON.stringify({ file, ...report }));
    return;
  }
  const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
  const { procedures: p, intents: i, unknown: u } = report;
  console.log(`\n${file}: ${p.n + i.n + u.n} lines, ${report.msPerText.toFixed(2)} ms per text`);
  if (p.n) {
    console.log(
      `procedures: ${p.n} lines   top-1 ${pct(p.top1)}   top-3 ${pct(p.top3)} (offered; ranker's three best ${pct(p.rankerTop3)})   aspect ${pct(p.aspect)}`,
    );
    console.log('worst confusions (expected → got):');
    for (const c of p.confusions.slice(0, 12)) console.log(`  ${c.count} × ${c.expected} → ${c.got}   e.g. "${c.example}"`);
    console.log('aspect confusions:');
    for (const c of p.aspectConfusions.slice(0, 8)) console.log(`  ${c.count} × ${c.expected} → ${c.got}`);
  }
  if (i.n) {
    console.log(
      `intents: ${i.n} lines   accuracy ${pct(i.accuracy)}   fallback lines that got the fallback: ${pct(i.fallbackRecall)} of ${i.fallbackLines}`,
    );
    for (const c of i.confusions.slice(0, 12)) console.log(`  ${c.count} × ${c.expected} → ${c.got}   e.g. "${c.example}"`);
  }
  if (u.n) {
    console.log(
      `unknown procedures answered honestly: ${pct(u.honest)} (${u.n} lines; the "not in the catalog" answer itself ${pct(u.notInCatalog)})`,
    );
    for (const c of u.outcomes.slice(0, 12)) console.log(`  ${c.count} × ${c.got}   e.g. "${c.example}"`);
  }
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
