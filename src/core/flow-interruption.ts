/**
 * The one decision "is this message something else?" for a citizen who is in the middle
 * of a multi-step conversation (a complaint, a rating). Getting it wrong either way
 * traps people: a question answered with "please choose one of the options below" is a
 * dead end, and a complaint text swallowed by a keyword question is lost.
 *
 * The decision takes two things:
 * - how the message fits the step, as the flow itself judges it ({@link StepFit}): a
 *   valid answer (a button, a number, "ok", a phone number at the contact step) always
 *   stays in the flow;
 * - the ranked understanding of the message, whatever produced it. Today that is the
 *   intent matcher; the procedure catalog's ranking plugs in through the same
 *   {@link RankedUnderstanding} shape (kind "procedure"), with no change here.
 */
import { foldForChoice } from './everyday-answers';

/** How a message fits the step the flow is waiting on, as the flow judges it. */
export type StepFit =
  /** Certainly an answer to the step (a button, a listed choice, a phone number, a photo). */
  | 'answer'
  /** The step takes free text, so anything could be an answer (a complaint's description, a name). */
  | 'free_text'
  /** Not an answer to this step. */
  | 'other';

/** What the message is most likely about, best first; empty when nothing was understood. */
export interface RankedUnderstanding {
  readonly ranking: readonly {
    readonly kind: 'intent' | 'procedure';
    readonly id: string;
    readonly confidence: number;
  }[];
}

/** The matcher's answer in the shape the decision takes. A fallback understands nothing. */
export function understandingOfMatch(match: {
  readonly intent: string;
  readonly confidence: number;
  readonly fallbackReason?: string;
}): RankedUnderstanding {
  if (match.fallbackReason) return { ranking: [] };
  return { ranking: [{ kind: 'intent', id: match.intent, confidence: match.confidence }] };
}

/** Conversation openers and closers: a flow always yields to them when they come alone. */
const SOCIAL_INTENTS = new Set(['greeting', 'help_menu', 'thanks_goodbye']);
/** At a choice step, a question about a topic this likely is something else… */
const CHOICE_STEP_CONFIDENCE = 0.5;
/** …and so is any message this sure of a topic, question or not ("ừm để tôi nghĩ đã" scores 0.55 on a random intent). */
const CLEAR_TOPIC_CONFIDENCE = 0.75;
/** Free text steps need more: a complaint that mentions a procedure is still a complaint. */
const FREE_TEXT_CONFIDENCE = 0.7;
/** A social message is short; "xin chào, cán bộ xã đòi tiền…" is a complaint text. */
const SOCIAL_MAX_WORDS = 8;

/** How questions start, end, or end in two words (folded: with and without marks alike). */
const QUESTION_WORDS_EN = new Set('how what where when why which who whom whose'.split(' '));
/** "can I", "do we", "is it": an English auxiliary counts only before a subject ("cán bộ" also folds to "can bo"). */
const AUXILIARIES_EN = new Set('can could do does did is are was should may will would must'.split(' '));
const SUBJECTS_EN = new Set('i you we they he she it my our your the a an there this that someone anyone foreigners'.split(' '));
const QUESTION_ENDINGS = new Set('khong ko k kg chua nhi vay j gi sao nao dau ntn may'.split(' '));
const QUESTION_LAST_TWO = new Set([
  'bao nhieu',
  'bao lau',
  'bao gio',
  'the nao',
  'lam sao',
  'o dau',
  'duoc khong',
  'co khong',
  'phai khong',
]);
/** Politeness after the question itself ("…cần giấy tờ gì ạ", "…được không ad"). */
const TRAILING_PARTICLES = new Set('a ah ak ad admin oi nhe nha voi vay the please pls'.split(' '));

/** True when the text reads as a question ("…cần giấy tờ gì ạ", "how do I…", "…được không?"). */
export function looksLikeQuestion(text: string): boolean {
  if (text.includes('?')) return true;
  const tokens = foldForChoice(text).split(' ').filter(Boolean);
  if (tokens.length === 0) return false;
  if (QUESTION_WORDS_EN.has(tokens[0]) || (AUXILIARIES_EN.has(tokens[0]) && SUBJECTS_EN.has(tokens[1] ?? ''))) return true;
  while (tokens.length > 1 && TRAILING_PARTICLES.has(tokens[tokens.length - 1]) && !QUESTION_ENDINGS.has(tokens[tokens.length - 1]))
    tokens.pop();
  const last = tokens[tokens.length - 1];
  return QUESTION_ENDINGS.has(last) || QUESTION_LAST_TWO.has(tokens.slice(-2).join(' '));
}

export interface InterruptionContext {
  readonly text: string;
  readonly fit: StepFit;
  /** Topics that belong to the flow itself ("complaint_submit" while filing a complaint). */
  readonly ownTopics: ReadonlySet<string>;
}

/**
 * True when the message should be answered as a question of its own (and the flow
 * offered again afterwards) instead of being fed to the flow's step.
 */
export function isSomethingElse(understanding: RankedUnderstanding, context: InterruptionContext): boolean {
  if (context.fit === 'answer') return false;
  const top = understanding.ranking[0];
  if (!top || context.ownTopics.has(top.id)) return false;
  const words = foldForChoice(context.text).split(' ').filter(Boolean).length;
  if (top.kind === 'intent' && SOCIAL_INTENTS.has(top.id)) return words <= SOCIAL_MAX_WORDS && top.confidence >= CHOICE_STEP_CONFIDENCE;
  if (context.fit === 'other')
    return top.confidence >= CLEAR_TOPIC_CONFIDENCE || (top.confidence >= CHOICE_STEP_CONFIDENCE && looksLikeQuestion(context.text));
  return top.confidence >= FREE_TEXT_CONFIDENCE && looksLikeQuestion(context.text);
}
