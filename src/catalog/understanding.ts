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
 * - an intent about how to do something in general (submit online, pay online, the one-stop
 *   desk, the post) gives way to a procedure it names confidently: "sang tên xe máy nộp online
 *   được không" is about that procedure, asked from that intent's angle (online, fee, where);
 * - any other intent, or a fallback, gives way only to a clear procedure name; a message the
 *   matcher puts out of scope only when the matcher itself gave the procedure intents a fair
 *   share of its probability, or when the message also asks a procedure's aspect (fee,
 *   documents, penalty…) in words the catalog knows.
 */
import type { Locale } from '../i18n/locale';
import { detectLanguage } from '../text/language';
import type { AbbreviationTable } from '../text/normalize';
import { FALLBACK, type MatchResult } from '../nlu/intent-matcher';
import type { Aspect } from './aspects';
import type { DetectedAspect } from './aspect-detector';
import type { ProcedureCatalog } from './procedure-catalog';
import type { ProcedureEntry } from './procedure';
import type { ProcedureRanking, RankedProcedure } from './procedure-ranker';

export type Understanding =
  /** `related`: procedures the ranker found in the message, offered under the intent's answer. */
  | { readonly kind: 'intent'; readonly match: MatchResult; readonly related: readonly ProcedureEntry[] }
  /** `related`: the ranker's runner-ups, offered as buttons under the answer ("did you mean…"). */
  | {
      readonly kind: 'procedure';
      readonly procedure: ProcedureEntry;
      readonly aspect: Aspect;
      readonly ranking: ProcedureRanking;
      readonly related: readonly ProcedureEntry[];
    }
  | { readonly kind: 'choice'; readonly procedures: readonly ProcedureEntry[]; readonly aspect: Aspect; readonly ranking: ProcedureRanking }
  /** `related`: the ranker's likeliest procedures when it has some evidence, offered under the honest "not found" ("did you mean…"). */
  | {
      readonly kind: 'unknown_procedure';
      readonly aspect: Aspect;
      readonly ranking: ProcedureRanking;
      readonly related: readonly ProcedureEntry[];
    };

export interface UnderstandingThresholds {
  /** A procedure this likely is answered directly… */
  readonly answer: number;
  /** The same for a message of one or two words. */
  readonly answerShort: number;
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
  /** A generic "how" intent (GENERIC_INTENT_ASPECTS) gives way to a procedure this likely… */
  readonly genericName: number;
  /** …when at least this share of the message's words are words of procedure names… */
  readonly genericKnownWords: number;
  /** …and, when the matcher is sure of that intent (≥ sureIntent), only to a procedure this likely. */
  readonly genericNameOverSure: number;
  /** An out-of-scope fallback gives way to a procedure this likely, with this share of known words… */
  readonly outOfScopeName: number;
  readonly outOfScopeKnownWords: number;
  /** …if the matcher gave the procedure intents at least this probability (its runner-ups)… */
  readonly outOfScopeProcedureShare: number;
  /** …or if an aspect is asked (not overview or where) and the name is this likely, with this share of known words. */
  readonly outOfScopeAspectName: number;
  readonly outOfScopeAspectKnownWords: number;
  /** A runner-up this likely is offered under a procedure's answer… */
  readonly relatedToAnswer: number;
  /** …and a procedure this likely under an intent's answer, when this share of the words are procedure words. */
  readonly relatedToIntent: number;
  readonly relatedToIntentKnownWords: number;
  /** Under the "not in the catalog" answer, the procedures this likely are offered, when this share of the words are procedure words. */
  readonly relatedToUnknown: number;
  readonly relatedToUnknownKnownWords: number;
  /**
   * A procedure the message does not call by one of its names (a distinctive pair of words of
   * its official name or of a name citizens use) is answered or offered in a choice only when
   * the ranker is this sure of it; otherwise the honest "not in the catalog", with it as a
   * "did you mean" button.
   */
  readonly uncalled: number;
  /** …or this sure, when the intent matcher recognised its kind (a proc_* intent the procedure answers for). */
  readonly uncalledOfIntent: number;
  /** In a choice made because the best procedure is not likely enough, the others this likely are offered. */
  readonly unsureChoice: number;
  /** A family named as a whole is offered whole unless the ranker gives one member this much. */
  readonly familyDecisive: number;
}

export const DEFAULT_THRESHOLDS: UnderstandingThresholds = {
  answer: 0.35,
  answerShort: 0.6,
  closeRatio: 0.6,
  offer: 0.2,
  clearName: 0.6,
  clearNameKnownWords: 0.6,
  protectedIntent: 0.7,
  sureIntent: 0.95,
  genericName: 0.6,
  genericKnownWords: 0.5,
  genericNameOverSure: 0.7,
  outOfScopeName: 0.6,
  outOfScopeKnownWords: 0.6,
  outOfScopeProcedureShare: 0.3,
  outOfScopeAspectName: 0.85,
  outOfScopeAspectKnownWords: 0.8,
  relatedToAnswer: 0.05,
  relatedToIntent: 0.2,
  relatedToIntentKnownWords: 0.6,
  familyDecisive: 0.75,
  unsureChoice: 0.1,
  relatedToUnknown: 0.05,
  relatedToUnknownKnownWords: 0.6,
  uncalled: 0.9,
  uncalledOfIntent: 0.7,
};
/** At most this many related procedures under an answer (with "more", three buttons fit a phone screen). */
const MAX_RELATED = 2;

/**
 * Intents about doing something in general, and the aspect of a procedure they ask when the
 * message names one ("làm hộ chiếu online được không" → the passport, online). Not
 * portal_account or online_service_levels: their words ("tài khoản", "mức độ") sit in
 * procedure names (VNeID accounts) without the message being about a procedure.
 */
const GENERIC_INTENT_ASPECTS: Readonly<Record<string, Aspect>> = {
  online_submission_howto: 'online',
  online_payment: 'fee',
  one_stop_center: 'where',
  postal_service: 'online',
};
/** Aspects that, asked together with a well-known procedure name, show a procedure question the matcher put out of scope. */
const PROCEDURE_ASPECTS: ReadonlySet<Aspect> = new Set([
  'documents',
  'fee',
  'time_limit',
  'online',
  'eligibility',
  'legal_basis',
  'penalty',
]);

/** Intents that keep a message they are sure of, even when it names a procedure. */
const PROTECTED_INTENTS = new Set([
  'complaint_submit',
  'complaint_status',
  'greeting',
  'thanks_goodbye',
  'help_menu',
  // Questions about the portal account or its service levels share words with the VNeID
  // account procedures ("vneid mức 1"): the ranker is sure of those for any portal question.
  'portal_account',
  'online_service_levels',
]);
const SHORT_MESSAGE_WORDS = 2;
/** At most this many procedures in a choice (buttons fit a phone screen)… */
export const MAX_CHOICES = 3;
/** …but a family named as a whole ("mở công ty") is offered whole: its members are all equally likely. */
const MAX_FAMILY_CHOICES = 6;

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
  const { match, catalog } = input;
  const given = input.thresholds ?? DEFAULT_THRESHOLDS;
  // One or two words ("giấy phép") name a kind of procedure more often than one procedure: they
  // are answered only when the ranker is surer, and are all the name the citizen gives (no
  // evidence beyond the ranker is asked of what they are offered).
  const t =
    match.normalized.tokens.length <= SHORT_MESSAGE_WORDS
      ? { ...given, answer: Math.max(given.answer, given.answerShort), uncalled: 0, uncalledOfIntent: 0 }
      : given;
  const ranking = catalog.ranker.rank(input.text, input.locale);
  const top = ranking.ranking[0];
  // The words of the likeliest procedure's names do not ask anything ("miễn học phí" is no fee question).
  const detected = catalog.aspects.detect(match.normalized, input.locale, top && catalog.procedures.get(top.id));
  const { aspect } = detected;
  const clearName = top !== undefined && top.confidence >= t.clearName && ranking.knownWordRatio >= t.clearNameKnownWords;

  const sure = PROTECTED_INTENTS.has(match.intent) && match.confidence >= t.protectedIntent;
  // "thế lệ phí bao nhiêu?", "how long does it take?": an aspect asked without naming another procedure.
  if (input.remembered && aspect !== 'overview' && !sure && !(clearName && top.id !== input.remembered.id))
    return { kind: 'procedure', procedure: input.remembered, aspect, ranking, related: [] };
  if (input.procedureIntents.has(match.intent)) return procedureAnswer(catalog, ranking, aspect, t, match.intent);
  if (match.intent === FALLBACK) {
    // Out of scope (the matcher's own class for weather, football…) stays out, except on the
    // evidence of outOfScopeProcedure: measured, no procedure name threshold alone won back
    // more procedure questions than it lost fallbacks (the ranker is sure of "nghe nhạc bolero").
    if (match.fallbackReason === 'out_of_scope' && outOfScopeProcedure(match, ranking, detected, input.procedureIntents, t))
      return procedureAnswer(catalog, ranking, aspect, t);
    const outOfScope = match.fallbackReason === 'out_of_scope' || match.fallbackReason === 'unknown_words';
    if (outOfScope) return { kind: 'intent', match, related: [] };
    return clearName ? procedureAnswer(catalog, ranking, aspect, t) : intentAnswer(match, catalog, ranking, t);
  }
  if (sure) return { kind: 'intent', match, related: [] };
  const genericAspect = GENERIC_INTENT_ASPECTS[match.intent];
  if (
    genericAspect &&
    top &&
    top.confidence >= t.genericName &&
    ranking.knownWordRatio >= t.genericKnownWords &&
    (match.confidence < t.sureIntent || top.confidence >= t.genericNameOverSure)
  )
    return procedureAnswer(catalog, ranking, aspect === 'overview' ? genericAspect : aspect, t);
  if (clearName && match.confidence < t.sureIntent) return procedureAnswer(catalog, ranking, aspect, t);
  return intentAnswer(match, catalog, ranking, t);
}

/** An intent's answer, with the procedures the message may be about (a complaint or an out-of-scope message gets none). */
function intentAnswer(match: MatchResult, catalog: ProcedureCatalog, ranking: ProcedureRanking, t: UnderstandingThresholds): Understanding {
  if (ranking.knownWordRatio < t.relatedToIntentKnownWords) return { kind: 'intent', match, related: [] };
  const related = ranking.ranking.filter((r) => r.confidence >= t.relatedToIntent).slice(0, MAX_RELATED);
  return { kind: 'intent', match, related: related.map((r) => entry(catalog, r)) };
}

/** A message the matcher put out of scope that is a procedure question after all (see the rules above). */
function outOfScopeProcedure(
  match: MatchResult,
  ranking: ProcedureRanking,
  { aspect, byCue }: DetectedAspect,
  procedureIntents: ReadonlySet<string>,
  t: UnderstandingThresholds,
): boolean {
  const top = ranking.ranking[0];
  if (!top || top.confidence < t.outOfScopeName || ranking.knownWordRatio < t.outOfScopeKnownWords) return false;
  const procedureShare = match.ranking.reduce((sum, r) => sum + (procedureIntents.has(r.intent) ? r.confidence : 0), 0);
  if (procedureShare >= t.outOfScopeProcedureShare) return true;
  // The aspect in words the catalog knows (a cue): the classifier's guess is no evidence that a chat is a procedure question.
  return (
    byCue &&
    PROCEDURE_ASPECTS.has(aspect) &&
    top.confidence >= t.outOfScopeAspectName &&
    ranking.knownWordRatio >= t.outOfScopeAspectKnownWords
  );
}

/**
 * A family named as a whole ("mở công ty"), unless the ranker is decided on one member: its
 * members to choose from, the ranker's favourites first. A family word inside another
 * procedure's name ("thay đổi nội dung đăng ký doanh nghiệp") is not the family: the ranker's
 * best must be a member.
 */
function familyChoice(ranking: ProcedureRanking, t: UnderstandingThresholds): readonly string[] | undefined {
  const top = ranking.ranking[0];
  if (ranking.family.length < 2 || !top || !ranking.family.includes(top.id) || top.confidence >= t.familyDecisive) return undefined;
  const ranked = ranking.ranking.map((r) => r.id).filter((id) => ranking.family.includes(id));
  return [...ranked, ...ranking.family.filter((id) => !ranked.includes(id))].slice(0, MAX_FAMILY_CHOICES);
}

/** The catalog's answer once the message is known to be about a procedure. */
function procedureAnswer(
  catalog: ProcedureCatalog,
  ranking: ProcedureRanking,
  aspect: Aspect,
  t: UnderstandingThresholds,
  procedureIntent?: string,
): Understanding {
  const family = familyChoice(ranking, t);
  if (family) return { kind: 'choice', procedures: family.map((id) => entry(catalog, { id, confidence: 0 })), aspect, ranking };
  const likely = ranking.ranking.filter((r) => r.confidence >= t.offer);
  // The evidence that the message is about this procedure: the ranker is sure, the message calls it by
  // one of its names, or the intent matcher recognised its kind (a proc_* intent the procedure answers for).
  const vouched = (r: RankedProcedure): boolean =>
    r.confidence >= t.uncalled ||
    ranking.calledInMessage.has(r.id) ||
    (procedureIntent !== undefined && r.confidence >= t.uncalledOfIntent && (entry(catalog, r).intents ?? []).includes(procedureIntent));
  const offered = likely.filter(vouched);
  const [top] = offered;
  if (!top) {
    const named =
      ranking.knownWordRatio >= t.relatedToUnknownKnownWords
        ? ranking.ranking.filter((r) => r.confidence >= t.relatedToUnknown && ranking.namedInMessage.has(r.id))
        : [];
    const related = [...new Set([...likely, ...named])].slice(0, MAX_CHOICES);
    return { kind: 'unknown_procedure', aspect, ranking, related: related.map((r) => entry(catalog, r)) };
  }
  const close = offered.filter((r) => r.confidence >= top.confidence * t.closeRatio).slice(0, MAX_CHOICES);
  if (top.confidence >= t.answer && close.length === 1) {
    const related = ranking.ranking.filter((r) => r.id !== top.id && r.confidence >= t.relatedToAnswer).slice(0, MAX_RELATED);
    return { kind: 'procedure', procedure: entry(catalog, top), aspect, ranking, related: related.map((r) => entry(catalog, r)) };
  }
  // Not sure enough of one procedure, none close to it: the citizen chooses among the likeliest.
  if (close.length === 1 && top.confidence < t.answer) {
    const likely = ranking.ranking.filter((r) => r.confidence >= t.unsureChoice).slice(0, MAX_CHOICES);
    return { kind: 'choice', procedures: likely.map((r) => entry(catalog, r)), aspect, ranking };
  }
  return { kind: 'choice', procedures: close.map((r) => entry(catalog, r)), aspect, ranking };
}

/**
 * The procedures a reply puts in front of the citizen, first the one answered: what the
 * evaluation's top-3 counts (a procedure the bot does not show cannot be chosen).
 */
export function offeredProcedures(u: Understanding): readonly ProcedureEntry[] {
  switch (u.kind) {
    case 'procedure':
      return [u.procedure, ...u.related];
    case 'choice':
      return u.procedures;
    case 'intent':
      return u.related;
    case 'unknown_procedure':
      return u.related;
  }
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
  if (!content.catalog) return { kind: 'intent', match, related: [] };
  return understand({
    text,
    locale,
    match,
    catalog: content.catalog,
    procedureIntents: content.procedureIntents,
    ...(thresholds ? { thresholds } : {}),
  });
}
