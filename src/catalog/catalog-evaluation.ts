/**
 * Scores the whole understanding (intents and catalog together) on labelled lines:
 * `{"text", "procedure", "aspect"}` for procedure questions, `{"text", "procedure": "none"}`
 * for questions about a procedure the catalog does not have, `{"text", "intent"}` for
 * everything else (`fallback` for out-of-scope messages). What an admin runs before
 * shipping an edit of the catalog, and what the tests assert.
 */
import { offeredProcedures, type Understanding } from './understanding';
import { PROCEDURE_LOOKUP } from './procedure-catalog';
import { FALLBACK } from '../nlu/intent-matcher';

interface ProcedureLine {
  readonly text: string;
  readonly procedure: string;
  readonly aspect: string;
}
interface IntentLine {
  readonly text: string;
  readonly intent: string;
}
/** A question about a procedure the catalog does not have (`"procedure": "none"`). */
interface UnknownLine {
  readonly text: string;
  readonly unknown: true;
}
export type EvaluationLine = ProcedureLine | IntentLine | UnknownLine;
/** The label of a procedure the catalog does not have. */
export const NO_PROCEDURE = 'none';

export interface CatalogReport {
  readonly procedures: {
    readonly n: number;
    /** The procedure answered, or the first one offered in a choice, is right. */
    readonly top1: number;
    /**
     * The right procedure is in front of the citizen: answered, in the choice, or among the
     * related procedures offered as buttons (under a procedure's or an intent's answer).
     */
    readonly top3: number;
    /** The figure reported as top-3 before related procedures were offered: among the ranker's three best in a reply from the catalog, shown or not. */
    readonly rankerTop3: number;
    readonly aspect: number;
    /** Expected → what the bot did instead ("intent:online_payment", another procedure id, "unknown"). */
    readonly confusions: readonly { expected: string; got: string; count: number; example: string }[];
    readonly aspectConfusions: readonly { expected: string; got: string; count: number }[];
  };
  readonly intents: {
    readonly n: number;
    readonly accuracy: number;
    /** Share of `fallback` lines that got the fallback (the OOS precision the issue asks for). */
    readonly fallbackRecall: number;
    readonly fallbackLines: number;
    readonly confusions: readonly { expected: string; got: string; count: number; example: string }[];
  };
  /**
   * Questions about procedures the catalog lacks. Honest: the "not in the catalog" answer
   * (its "did you mean" buttons allowed) or an intent's answer (which presents no procedure
   * as the answer); not honest: a procedure answered, or a choice among procedures.
   */
  readonly unknown: {
    readonly n: number;
    readonly honest: number;
    /** Of the lines, the share that got the "not in the catalog" answer itself. */
    readonly notInCatalog: number;
    /** What the bot did ("unknown", "intent:fallback", "procedure:ID", "choice:ID,ID"), most frequent first. */
    readonly outcomes: readonly { got: string; count: number; example: string }[];
  };
  readonly msPerText: number;
}

/** What the bot did with a question, in one short label (for the unknown-procedure outcomes). */
function outcomeOf(u: Understanding): string {
  switch (u.kind) {
    case 'intent':
      return `intent:${u.match.intent}`;
    case 'procedure':
      return `procedure:${u.procedure.id}`;
    case 'choice':
      return `choice:${u.procedures.map((p) => p.id).join(',')}`;
    case 'unknown_procedure':
      return 'unknown';
  }
}

/** The label an intent-labelled line is scored against: a procedure answers for its `intents`, else for procedure_lookup. */
function intentLabelOf(u: Understanding): string {
  switch (u.kind) {
    case 'intent':
      return u.match.intent;
    case 'procedure':
      return u.procedure.intents?.[0] ?? PROCEDURE_LOOKUP;
    case 'choice':
      return u.procedures[0].intents?.[0] ?? PROCEDURE_LOOKUP;
    case 'unknown_procedure':
      return PROCEDURE_LOOKUP;
  }
}

/** True when an intent-labelled line is answered right: proc_* labels accept any procedure that lists them. */
function intentCorrect(expected: string, u: Understanding): boolean {
  if (u.kind === 'procedure') return (u.procedure.intents ?? [PROCEDURE_LOOKUP]).includes(expected);
  if (u.kind === 'choice') return (u.procedures[0].intents ?? [PROCEDURE_LOOKUP]).includes(expected);
  return intentLabelOf(u) === expected;
}

export function evaluateUnderstanding(lines: readonly EvaluationLine[], understand: (text: string) => Understanding): CatalogReport {
  const started = performance.now();
  let pN = 0;
  let top1 = 0;
  let top3 = 0;
  let rankerTop3 = 0;
  let aspectRight = 0;
  let iN = 0;
  let iRight = 0;
  let fbN = 0;
  let fbRight = 0;
  const pConf = new Counter();
  const aConf = new Counter();
  const iConf = new Counter();
  let uN = 0;
  let uHonest = 0;
  let uNotInCatalog = 0;
  const uOutcomes = new Counter();
  for (const line of lines) {
    const u = understand(line.text);
    if ('unknown' in line) {
      uN++;
      if (u.kind === 'unknown_procedure' || u.kind === 'intent') uHonest++;
      if (u.kind === 'unknown_procedure') uNotInCatalog++;
      uOutcomes.add(NO_PROCEDURE, outcomeOf(u), line.text);
    } else if ('procedure' in line) {
      pN++;
      const first = u.kind === 'procedure' ? u.procedure.id : u.kind === 'choice' ? u.procedures[0].id : undefined;
      if (first === line.procedure) top1++;
      else pConf.add(line.procedure, first ?? (u.kind === 'intent' ? `intent:${u.match.intent}` : 'unknown'), line.text);
      if (offeredProcedures(u).some((p) => p.id === line.procedure)) top3++;
      if (u.kind !== 'intent' && u.ranking.ranking.some((r) => r.id === line.procedure)) rankerTop3++;
      const aspect = u.kind === 'intent' ? 'none' : u.aspect;
      if (aspect === line.aspect) aspectRight++;
      else aConf.add(line.aspect, aspect, line.text);
    } else {
      iN++;
      const right = intentCorrect(line.intent, u);
      if (right) iRight++;
      else iConf.add(line.intent, intentLabelOf(u), line.text);
      if (line.intent === FALLBACK) {
        fbN++;
        if (right) fbRight++;
      }
    }
  }
  const share = (a: number, b: number): number => (b ? a / b : 0);
  return {
    procedures: {
      n: pN,
      top1: share(top1, pN),
      top3: share(top3, pN),
      rankerTop3: share(rankerTop3, pN),
      aspect: share(aspectRight, pN),
      confusions: pConf.sorted(),
      aspectConfusions: aConf.sorted().map(({ expected, got, count }) => ({ expected, got, count })),
    },
    intents: { n: iN, accuracy: share(iRight, iN), fallbackRecall: share(fbRight, fbN), fallbackLines: fbN, confusions: iConf.sorted() },
    unknown: {
      n: uN,
      honest: share(uHonest, uN),
      notInCatalog: share(uNotInCatalog, uN),
      outcomes: uOutcomes.sorted().map(({ got, count, example }) => ({ got, count, example })),
    },
    msPerText: share(performance.now() - started, lines.length),
  };
}

class Counter {
  private readonly entries = new Map<string, { expected: string; got: string; count: number; example: string }>();

  add(expected: string, got: string, text: string): void {
    const key = `${expected}\u0000${got}`;
    const entry = this.entries.get(key) ?? { expected, got, count: 0, example: text };
    entry.count++;
    this.entries.set(key, entry);
  }

  sorted(): { expected: string; got: string; count: number; example: string }[] {
    return [...this.entries.values()].sort((a, b) => b.count - a.count || a.expected.localeCompare(b.expected));
  }
}

/** Parses JSONL evaluation lines; a bad line throws with its number. */
export function parseEvaluationLines(text: string, file: string): EvaluationLine[] {
  const lines: EvaluationLine[] = [];
  text.split('\n').forEach((raw, i) => {
    if (!raw.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw new Error(`${file}:${i + 1}: not valid JSON`);
    }
    const r = value as Record<string, unknown>;
    if (typeof r.text !== 'string') throw new Error(`${file}:${i + 1}: needs a string field "text"`);
    if (r.procedure === NO_PROCEDURE) lines.push({ text: r.text, unknown: true });
    else if (typeof r.procedure === 'string' && typeof r.aspect === 'string')
      lines.push({ text: r.text, procedure: r.procedure, aspect: r.aspect });
    else if (typeof r.intent === 'string') lines.push({ text: r.text, intent: r.intent });
    else throw new Error(`${file}:${i + 1}: needs "procedure" and "aspect", "procedure": "none", or "intent"`);
  });
  return lines;
}
