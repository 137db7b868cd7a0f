/**
 * Extension points of the conversation engine. A *flow* is a multi-step conversation
 * (collecting a complaint, rating an answer) whose progress lives in the conversation
 * state; an *intent handler* answers one intent with more than a fixed text (looking up
 * a complaint's status). Both receive a {@link TurnContext} and return a {@link TurnOutcome}.
 */
import type { BotContent } from './bot-content';
import type { FlowState } from './conversation-store';
import type { StepFit } from './flow-interruption';
import type { IncomingMessage, Locale, OutgoingMessage } from './messages';
import type { MatchResult } from '../nlu/intent-matcher';
import type { TemplateVars } from '../i18n/translator';

export interface TurnContext {
  readonly message: IncomingMessage;
  readonly locale: Locale;
  readonly content: BotContent;
  readonly now: Date;
  /** Shorthand for content.translator.t(locale, key, vars). */
  t(key: string, vars?: TemplateVars): string;
}

export interface TurnOutcome {
  readonly messages: readonly OutgoingMessage[];
  /** The flow state to keep; undefined when the flow is over (or none was started). */
  readonly flow?: FlowState;
  /** Label for metrics and logs (an intent id or "flow:step"), never message text. */
  readonly intent: string;
  /** A catalog procedure answered by this turn: remembered for follow-up questions. */
  readonly procedure?: string;
}

export interface ConversationFlow {
  readonly name: string;
  /** Starts the flow. `match` is the intent match that triggered it, if any. */
  start(ctx: TurnContext, match?: MatchResult): Promise<TurnOutcome>;
  /** Continues the flow with the citizen's next message. */
  resume(ctx: TurnContext, state: FlowState): Promise<TurnOutcome>;
  /**
   * How the message fits the step the flow waits on. The engine asks before
   * {@link resume}: a message that is not an answer and is clearly about something else
   * is answered on its own, and the flow is offered again (see flow-interruption.ts).
   */
  fit(ctx: TurnContext, state: FlowState): StepFit;
  /**
   * Asks the current step's question again, in `ctx.locale`: after the citizen chose to
   * continue, after a language switch, or when a draft kept aside is taken up again.
   */
  prompt(ctx: TurnContext, state: FlowState): TurnOutcome;
  /** Intent ids that belong to the flow itself: they never interrupt it ("complaint_submit"). */
  readonly ownTopics: ReadonlySet<string>;
}

export interface IntentHandler {
  handle(ctx: TurnContext, match?: MatchResult, argument?: string): Promise<TurnOutcome>;
}
