/**
 * The one decision between the intents (complaints, online services, greetings…) and the
 * procedure catalog: what is this message about, and — for a procedure — which one, and
 * which aspect of it.
 *
 * Two models are asked, each good at its own question: the intent matcher knows the
 * bot's topics and the out-of-scope messages (weather, football); the procedure ranker
 * knows the catalog's names. The rules below decide between them; each threshold was
 * chosen by measurement on the held-out sets (docs/measurements.md), so that neither side
 * steals the other's questions:
 * - the intent matcher says "a procedure question" (a proc_* intent or procedure_lookup):
 *   the catalog answers — one procedure, a short choice, or an honest "not in the catalog";
 * - a complaint, a status look-up or a greeting the matcher is sure of stays with it, even
 *   when it names a procedure ("cán bộ xã đòi tiền khi làm khai sinh" is a complaint);
 * - any other intent, or a fallback, gives way only to a clear procedure name.
 */
import type { Locale } from '../i18n/locale';
import { detectLanguage } from '../text/language';
import type { AbbreviationTable } from '../text/normalize';
import { FALLBACK, type MatchResult } from '../nlu/intent-matcher';
import type { Aspect } from './aspects';
import type { ProcedureCatalog } from './procedure-catalog';
import type { ProcedureEntry } from './procedure';
import type { ProcedureRanking, RankedProcedure } from './procedure-ranker';

export type Understanding =
  | { readonly kind: 'intent'; readonly match: MatchResult }
  | { readonly kind: 'procedure'; readonly procedure: ProcedureEntry; readonly aspect: Aspect; readonly ranking: ProcedureRanking }
  | { readonly kind: 'choice'; readonly procedures: readonly ProcedureEntry[]; readonly aspect: Aspect; readonly ranking: ProcedureRanking }
  | { readonly kind: 'unknown_procedure'; readonly aspect: Aspect; readonly ranking: ProcedureRanking };

export interface UnderstandingThresholds {
  /** A procedure this likely is answered directly… */
  readonly answer: number;
  /** …unless the next one is within this factor of it: then the citizen chooses. */
  readonly closeRatio: number;
  /** Below this, a procedure is not offered at all (not even in a choice). */
  readonly offer: number;
  /** A "clear procedure name": beats another intent's or the fallback's claim… */
  readonly clearName: number;
  /** …when at least this share of the message's words are words of procedure names. */
  readonly clearNameKnownWords: number;
  /** The intent matcher's confidence at which a complaint, a status look-up or a greeting keeps the message. */
  readonly protectedIntent: number;
  /** The intent matcher's confidence above which no other intent gives way to a procedure. */
  readonly sureIntent: number;
}

const DEFAULT_THRESHOLDS: UnderstandingThresholds = {
  answer: 0.35,
  closeRatio: 0.6,
  offer: 0.2,
  clearName: 0.6,
  clearNameKnownWords: 0.6,
  protectedIntent: 0.7,
  sureIntent: 0.95,
};

/** Intents that keep a message they are sure of, even when it names a procedure. */
const PROTECTED_INTENTS = new Set(['complaint_submit', 'complaint_status', 'greeting', 'thanks_goodbye', 'help_menu']);
/** At most this many procedures in a choice (buttons fit a phone screen). */
export const MAX_CHOICES = 3;

export interface UnderstandingInput {
  readonly text: string;
  readonly locale: Locale;
  /** The intent matcher's answer for the same message. */
  readonly match: MatchResult;
  readonly catalog: ProcedureCatalog;
  /** Intents answered from the catalog (proc_* and procedure_lookup). */
  readonly procedureIntents: ReadonlySet<string>;
  /** The procedure the conversation answered last (recently): a follow-up question is about it. */
  readonly remembered?: ProcedureEntry;
  readonly thresholds?: UnderstandingThresholds;
}

export function understand(input: UnderstandingInput): Understanding {
  const t = input.thresholds ?? DEFAULT_THRESHOLDS;
  const { match, catalog } = input;
  const ranking = catalog.ranker.rank(input.text, input.locale);
  const aspect = catalog.aspects.detect(match.normalized);
  const top = ranking.ranking[0];
  const clearName = top !== undefined && top.confidence >= t.clearName && ranking.knownWordRatio >= t.clearNameKnownWords;

  const sure = PROTECTED_INTENTS.has(match.intent) && match.confidence >= t.protectedIntent;
  // "thế lệ phí bao nhiêu?", "how long does it take?": an aspect asked without naming another procedure.
  if (input.remembered && aspect !== 'overview' && !sure && !(clearName && top.id !== input.remembered.id))
    return { kind: 'procedure', procedure: input.remembered, aspect, ranking };
  if (input.procedureIntents.has(match.intent)) return procedureAnswer(catalog, ranking, aspect, t);
  if (match.intent === FALLBACK) {
    // Out of scope (the matcher's own class for weather, football…) stays out: measured, no
    // procedure name threshold won back more procedure questions than it lost fallbacks.
    const outOfScope = match.fallbackReason === 'out_of_scope' || match.fallbackReason === 'unknown_words';
    return !outOfScope && clearName ? procedureAnswer(catalog, ranking, aspect, t) : { kind: 'intent', match };
  }
  if (sure) return { kind: 'intent', match };
  if (clearName && match.confidence < t.sureIntent) return procedureAnswer(catalog, ranking, aspect, t);
  return { kind: 'intent', match };
}

/** The catalog's answer once the message is known to be about a procedure. */
function procedureAnswer(catalog: ProcedureCatalog, ranking: ProcedureRanking, aspect: Aspect, t: UnderstandingThresholds): Understanding {
  const offered = ranking.ranking.filter((r) => r.confidence >= t.offer);
  const [top] = offered;
  if (!top) return { kind: 'unknown_procedure', aspect, ranking };
  const close = offered.filter((r) => r.confidence >= top.confidence * t.closeRatio).slice(0, MAX_CHOICES);
  if (top.confidence >= t.answer && close.length === 1) return { kind: 'procedure', procedure: entry(catalog, top), aspect, ranking };
  if (close.length === 1 && top.confidence < t.answer)
    return { kind: 'choice', procedures: offered.slice(0, MAX_CHOICES).map((r) => entry(catalog, r)), aspect, ranking };
  return { kind: 'choice', procedures: close.map((r) => entry(catalog, r)), aspect, ranking };
}

function entry(catalog: ProcedureCatalog, ranked: RankedProcedure): ProcedureEntry {
  const found = catalog.procedures.get(ranked.id);
  if (!found) throw new Error(`the ranker knows a procedure the catalog does not: ${ranked.id}`);
  return found;
}

/** What {@link understandText} needs of the bot content (the content in service satisfies it). */
export interface UnderstandingContent {
  readonly matcher: { match(text: string, language?: Locale): MatchResult };
  readonly catalog?: ProcedureCatalog;
  readonly procedureIntents: ReadonlySet<string>;
  readonly abbreviations: AbbreviationTable;
}

/**
 * One message understood as the bot would understand it in a fresh conversation (the
 * language it is written in, Vietnamese when unclear): for tools, evaluations, benchmarks.
 */
export function understandText(content: UnderstandingContent, text: string, thresholds?: UnderstandingThresholds): Understanding {
  const locale = detectLanguage(text, content.abbreviations) ?? 'vi';
  const match = content.matcher.match(text, locale);
  if (!content.catalog) return { kind: 'intent', match };
  return understand({
    text,
    locale,
    match,
    catalog: content.catalog,
    procedureIntents: content.procedureIntents,
    ...(thresholds ? { thresholds } : {}),
  });
}
