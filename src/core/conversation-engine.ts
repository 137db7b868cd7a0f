/**
 * The conversation core: one function from an incoming message to the replies, for
 * every channel. It knows no telegraf, mongoose or HTTP — only the ports it is given.
 *
 * For each message:
 * 1. the language: a command ("/en"), else the language the message is written in when
 *    it is clear (text/language.ts), else the channel's or the conversation's;
 * 2. a flow left idle longer than `idleFlowMs` is set aside, its draft kept (until its
 *    own expiry) and offered back once;
 * 3. a command or quick-reply payload (exact, never second-guessed); "hủy" and "thôi,
 *    không gửi nữa" always cancel; a language switch keeps the flow and asks its step
 *    again in the new language;
 * 4. a "có"/"không" answering the bot's offer to continue;
 * 5. a flow in progress gets the message — unless the message is not an answer to the
 *    step and clearly about something else (flow-interruption.ts): then it is answered
 *    on its own and the flow is offered again in one line, never lost;
 * 6. the intent matcher, then the intent's handler or its fixed answer;
 * 7. the fallback, with the menu.
 */
import type { Logger } from '../infra/logger';
import { silentLogger } from '../infra/logger';
import type { BotContent, ContentSource } from './bot-content';
import { FLOW_PAYLOADS, parseCommand, type Command } from './command';
import { ConversationCache } from './conversation-cache';
import type { ConversationState, ConversationStore, FlowState, RememberedProcedure } from './conversation-store';
import { everydayAnswer } from './everyday-answers';
import type { ConversationFlow, IntentHandler, TurnContext, TurnOutcome } from './flow';
import { isSomethingElse, understandingOfMatch } from './flow-interruption';
import { questionRecord, type QuestionLog } from './question-record';
import type { IncomingMessage, Locale, OutgoingMessage, QuickReply, Reply } from './messages';
import { conversationKey } from './messages';
import { FALLBACK, type MatchResult } from '../nlu/intent-matcher';
import { understand, MAX_CHOICES } from '../catalog/understanding';
import { procedureAnswer, procedureChoice, relatedProcedures, unknownProcedure, type AnswerPart } from '../catalog/procedure-answers';
import type { ProcedureEntry } from '../catalog/procedure';
import type { Aspect } from '../catalog/aspects';
import { detectLanguage, languageEvidence } from '../text/language';

/** Intents whose handling the engine itself knows about. */
export const COMPLAINT_FLOW = 'complaint';
/** The flow the rating command (/danhgia CODE SCORE) starts; it reads the command from the message itself. */
export const RATING_FLOW = 'rating';
const COMPLAINT_SUBMIT = 'complaint_submit';
const COMPLAINT_STATUS = 'complaint_status';
const HELP_MENU = 'help_menu';
const GREETING = 'greeting';
/** Phone screens: more quick replies than this do not fit (channels show them as buttons or numbered lines). */
export const MAX_QUICK_REPLIES = 6;
/** A quick-reply payload of a flow ("#pa:confirm"): a button press, not words. */
const PAYLOAD = /^#[a-z]+:[\w:.-]*$/;
/** Words of evidence that make a message at a free-text step a sentence in its language, not a name. */
const SENTENCE_EVIDENCE = 5;
/** A flow untouched this long is set aside (its draft kept) instead of reading the next message as its answer. */
const DEFAULT_IDLE_FLOW_MS = 30 * 60 * 1000;
/** A follow-up ("thế lệ phí bao nhiêu?") refers to the procedure answered at most this long ago. */
const PROCEDURE_MEMORY_MS = 30 * 60 * 1000;

/** Locale keys the engine itself uses. */
export const ENGINE_TEXT_KEYS = [
  'system.cancelled',
  'system.nothing_to_cancel',
  'conversation.button.continue',
  'conversation.button.discard',
  'conversation.discarded',
  'conversation.nothing_to_continue',
  'conversation.replaced_draft',
  'conversation.language_switched',
] as const;

/** Observes each handled message, e.g. for metrics. Receives labels, never text. */
export interface EngineObserver {
  messageHandled(event: { channel: string; intent: string; fallbackReason?: string; confidence?: number; replies: number }): void;
  /** A turn's state was not saved: another writer changed the conversation during the turn. */
  stateConflict?(channel: string): void;
}

export interface EngineDeps {
  readonly content: ContentSource;
  readonly store: ConversationStore;
  readonly flows?: readonly ConversationFlow[];
  /** Handlers for intents that need more than a fixed answer, by intent id. */
  readonly intentHandlers?: Readonly<Record<string, IntentHandler>>;
  readonly logger?: Logger;
  readonly observer?: EngineObserver;
  readonly clock?: () => Date;
  readonly defaultLocale?: Locale;
  /** How long a flow may wait for the citizen before it is set aside; default 30 minutes. */
  readonly idleFlowMs?: number;
  /**
   * Records each question the matcher answered or could not (privacy-safe,
   * question-record.ts), for the reports. Not awaited: the log group-commits, and reports
   * its own failures.
   */
  readonly questionLog?: QuestionLog;
  /** Intents that start a flow, by intent id ("news_subscribe" → "subscription"). */
  readonly intentFlows?: Readonly<Record<string, string>>;
}

/** The state a turn works on, changed as the turn goes. */
interface Turn {
  state: ConversationState;
  /** The flow was set aside by this very message (idle too long). */
  justSetAside: boolean;
  /** The question the matcher answered in this turn (or could not), for the question log. */
  question?: { intent: string; fallback: boolean };
}

export class ConversationEngine {
  private readonly flows: ReadonlyMap<string, ConversationFlow>;
  private readonly logger: Logger;
  private readonly clock: () => Date;
  private readonly conversations: ConversationCache;

  constructor(private readonly deps: EngineDeps) {
    this.flows = new Map((deps.flows ?? []).map((f) => [f.name, f]));
    this.logger = deps.logger ?? silentLogger();
    this.clock = deps.clock ?? (() => new Date());
    this.conversations = new ConversationCache(deps.store, { clock: () => this.clock().getTime() });
  }

  /**
   * Handles one message. The caller runs one citizen's messages one at a time, in order
   * (the channels' inbound pipeline does, across processes): two messages sent together
   * must not read the same conversation state and overwrite each other's changes. Should
   * they (or another writer) still change the state during a turn, the turn's state is
   * not saved (compare-and-set on its version), logged and counted.
   */
  async handle(message: IncomingMessage): Promise<Reply> {
    const key = conversationKey(message.channel, message.userId);
    const now = this.clock();
    const content = this.deps.content.current();
    const command = parseCommand(message.text);
    const { state: stored, version } = await this.conversations.read(key, message.turn);
    const turn: Turn = { state: this.freshen(stored ?? { locale: this.deps.defaultLocale ?? 'vi' }, now), justSetAside: false };
    this.setAsideIfIdle(turn, now);
    const typed = command || PAYLOAD.test(message.text.trim()) ? undefined : detectLanguage(message.text, content.abbreviations);
    let match: MatchResult | undefined = command
      ? undefined
      : content.matcher.match(message.text, typed ?? message.locale ?? turn.state.locale);
    const locale = this.localeOf(message, command, typed, match, turn.state, content, now);
    const ctx = this.context(message, locale, content, now);

    const offer = turn.state.offer;
    turn.state = { ...turn.state, offer: undefined };
    let outcome: TurnOutcome | undefined;
    if (command) {
      outcome = await this.runCommand(ctx, command, turn);
    } else if (offer) {
      outcome = await this.answerOffer(ctx, offer, turn);
    }
    if (!outcome) {
      match ??= content.matcher.match(message.text, locale);
      outcome = await this.route(ctx, match, turn);
    }
    outcome = this.offerSetAsideDraft(ctx, outcome, turn);

    const next: ConversationState = {
      locale,
      flow: outcome.flow,
      ...(turn.state.suspended ? { suspended: turn.state.suspended } : {}),
      ...(turn.state.offer ? { offer: turn.state.offer } : {}),
      ...this.procedureToRemember(outcome, turn.state, now),
      lastSeenAt: now.toISOString(),
    };
    if (!(await this.conversations.write(key, next, version, message.turn))) {
      this.logger.warn(
        { channel: message.channel, intent: outcome.intent },
        'conversation changed by another writer during the turn: its state not saved',
      );
      this.deps.observer?.stateConflict?.(message.channel);
    }
    if (turn.question) this.logQuestion(message.channel, locale, message.text, turn.question, now, content);
    this.deps.observer?.messageHandled({
      channel: message.channel,
      intent: outcome.intent,
      fallbackReason: match?.fallbackReason,
      confidence: match?.confidence,
      replies: outcome.messages.length,
    });
    this.logger.debug(
      { channel: message.channel, intent: outcome.intent, confidence: match?.confidence, fallbackReason: match?.fallbackReason, locale },
      'message handled',
    );
    return { messages: outcome.messages, intent: outcome.intent, locale };
  }

  /** The question log is for reports: it never delays the answer, and its failure never costs it. */
  private logQuestion(
    channel: IncomingMessage['channel'],
    locale: Locale,
    text: string,
    question: { intent: string; fallback: boolean },
    at: Date,
    content: BotContent,
  ): void {
    if (!this.deps.questionLog) return;
    try {
      this.deps.questionLog.record(questionRecord({ at, channel, locale, text, ...question, abbreviations: content.abbreviations }));
    } catch (err) {
      this.logger.warn({ err: (err as Error).name }, 'question not recorded');
    }
  }

  // ------------------------------------------------------------ state and language

  /** Drops what has expired: a flow or a kept draft past its expiry, a flow whose code is gone. */
  private freshen(state: ConversationState, now: Date): ConversationState {
    const alive = (flow: FlowState | undefined): boolean =>
      flow !== undefined && Date.parse(flow.expiresAt) > now.getTime() && this.flows.has(flow.name);
    return {
      locale: state.locale,
      ...(alive(state.flow) ? { flow: state.flow } : {}),
      ...(alive(state.suspended) ? { suspended: state.suspended } : {}),
      ...(state.offer ? { offer: state.offer } : {}),
      ...(state.lastSeenAt ? { lastSeenAt: state.lastSeenAt } : {}),
      ...(state.procedure && now.getTime() - Date.parse(state.procedure.at) <= PROCEDURE_MEMORY_MS ? { procedure: state.procedure } : {}),
    };
  }

  /** The procedure this turn answered, else the one remembered before (until it is too old). */
  private procedureToRemember(outcome: TurnOutcome, state: ConversationState, now: Date): { procedure?: RememberedProcedure } {
    if (outcome.procedure) return { procedure: { id: outcome.procedure, at: now.toISOString() } };
    return state.procedure ? { procedure: state.procedure } : {};
  }

  /** A flow not touched for `idleFlowMs` is set aside: the citizen's next words are read fresh. */
  private setAsideIfIdle(turn: Turn, now: Date): void {
    const { flow, lastSeenAt } = turn.state;
    const idleMs = this.deps.idleFlowMs ?? DEFAULT_IDLE_FLOW_MS;
    if (!flow || !lastSeenAt || now.getTime() - Date.parse(lastSeenAt) <= idleMs) return;
    turn.state = { ...turn.state, flow: undefined, offer: undefined, suspended: { ...flow, offered: false } };
    turn.justSetAside = true;
  }

  /**
   * "/en" wins; then the language the message is clearly written in; then the language
   * the channel says its page shows; then the conversation's. Buttons and commands carry
   * no language of their own ("#pa:edit:sector" is not English).
   */
  private localeOf(
    message: IncomingMessage,
    command: Command | undefined,
    typed: Locale | undefined,
    match: MatchResult | undefined,
    state: ConversationState,
    content: BotContent,
    now: Date,
  ): Locale {
    if (command?.kind === 'language') return command.locale;
    const current = message.locale ?? state.locale;
    const flow = state.flow && this.flows.get(state.flow.name);
    if (!typed || typed === current || !state.flow || !flow || !match) return typed ?? current;
    // Inside a flow, a name, a place or a choice is no language switch ("Nguyen Van A" in an English
    // conversation): only a question about something else, or a sentence written at a free-text step, is.
    const fit = flow.fit(this.context(message, current, content, now), state.flow);
    if (isSomethingElse(understandingOfMatch(match), { text: message.text, fit, ownTopics: flow.ownTopics })) return typed;
    const { vi, en } = languageEvidence(message.text, content.abbreviations);
    return fit === 'free_text' && vi + en >= SENTENCE_EVIDENCE ? typed : current;
  }

  private context(message: IncomingMessage, locale: Locale, content: BotContent, now: Date): TurnContext {
    return { message, locale, content, now, t: (key, vars) => content.translator.t(locale, key, vars) };
  }

  // ------------------------------------------------------------ routing

  /** A message that is neither a command nor an answer to an offer. */
  private async route(ctx: TurnContext, match: MatchResult, turn: Turn): Promise<TurnOutcome> {
    this.restoreOnAnswer(ctx, turn);
    const active = turn.state.flow;
    const flow = active && this.flows.get(active.name);
    if (active && flow) {
      const understanding = understandingOfMatch(match);
      const fit = flow.fit(ctx, active);
      if (!isSomethingElse(understanding, { text: ctx.message.text, fit, ownTopics: flow.ownTopics })) return flow.resume(ctx, active);
      const answer = await this.answerMessage(ctx, match, turn);
      return this.offerToContinue(ctx, answer, active, turn);
    }
    if (PAYLOAD.test(ctx.message.text.trim())) {
      // A button of a flow that is over (pressed in the chat history): never guessed at as a question.
      return {
        messages: [{ text: ctx.t('conversation.nothing_to_continue'), quickReplies: this.menuReplies(ctx, HELP_MENU) }],
        intent: 'stale_button',
      };
    }
    return this.answerMessage(ctx, match, turn);
  }

  /**
   * A draft set aside is taken up again when the message is plainly an answer to its
   * step: a button of it pressed in the chat history, or — right after the pause — a
   * phone number at the contact step. Anything else is read fresh.
   */
  private restoreOnAnswer(ctx: TurnContext, turn: Turn): void {
    const kept = turn.state.suspended;
    if (!kept || turn.state.flow) return;
    const flow = this.flows.get(kept.name);
    if (!flow || flow.fit(ctx, kept) !== 'answer') return;
    if (!turn.justSetAside && !PAYLOAD.test(ctx.message.text.trim())) return;
    const { offered: _offered, ...state } = kept;
    turn.state = { ...turn.state, flow: state, suspended: undefined };
  }

  private async runCommand(ctx: TurnContext, command: Command, turn: Turn): Promise<TurnOutcome> {
    const active = turn.state.flow;
    switch (command.kind) {
      case 'cancel':
        return this.cancel(ctx, turn);
      case 'continue':
        return this.continueFlow(ctx, turn);
      case 'discard':
        return this.discard(ctx, turn);
      case 'language':
        // The draft survives a switch: the step is asked again, in the new language.
        if (active) return this.reprompt(ctx, active, ctx.t('conversation.language_switched'));
        return this.menuAnswer(ctx, HELP_MENU);
      case 'complaint':
        if (active?.name === COMPLAINT_FLOW) return this.reprompt(ctx, active);
        return this.startComplaint(ctx, turn);
      case 'rate':
        return (await this.startFlow(ctx, RATING_FLOW, turn)) ?? this.menuAnswer(ctx, HELP_MENU);
      case 'flow':
        return (await this.startFlow(ctx, command.flow, turn)) ?? this.menuAnswer(ctx, HELP_MENU);
      case 'intent':
        if (command.intent === COMPLAINT_SUBMIT && active?.name === COMPLAINT_FLOW) return this.reprompt(ctx, active);
        return this.yieldingTo(ctx, turn, () => this.answerIntentById(ctx, command.intent, turn));
      case 'start':
        return this.yieldingTo(ctx, turn, async () => this.menuAnswer(ctx, GREETING));
      case 'help':
        return this.yieldingTo(ctx, turn, async () => this.menuAnswer(ctx, HELP_MENU));
      case 'status':
        return this.yieldingTo(ctx, turn, () => this.intentHandlerOrAnswer(ctx, COMPLAINT_STATUS, undefined, command.argument));
      case 'procedure':
        return this.yieldingTo(ctx, turn, async () => this.procedurePart(ctx, command.id, command.part));
    }
  }

  /** Answers a command that is not about the flow, then offers the flow again (if one is open). */
  private async yieldingTo(ctx: TurnContext, turn: Turn, answer: () => Promise<TurnOutcome>): Promise<TurnOutcome> {
    const active = turn.state.flow;
    const outcome = await answer();
    return active && !outcome.flow ? this.offerToContinue(ctx, outcome, active, turn) : outcome;
  }

  /**
   * A question: the one ranking of intents and catalog procedures decides
   * (catalog/understanding.ts); intents get their usual answers.
   */
  private async answerMessage(ctx: TurnContext, match: MatchResult, turn: Turn): Promise<TurnOutcome> {
    const catalog = ctx.content.catalog;
    if (!catalog) return this.answerIntent(ctx, match, turn);
    const remembered = turn.state.procedure && catalog.procedures.get(turn.state.procedure.id);
    const u = understand({
      text: ctx.message.text,
      locale: ctx.locale,
      match,
      catalog,
      procedureIntents: ctx.content.procedureIntents,
      ...(remembered ? { remembered } : {}),
    });
    switch (u.kind) {
      case 'intent':
        return this.withRelated(ctx, await this.answerIntent(ctx, u.match, turn), u.related);
      case 'procedure':
        turn.question = { intent: `procedure:${u.procedure.id}`, fallback: false };
        return this.procedureOutcome(ctx, u.procedure, u.aspect, u.related);
      case 'choice':
        turn.question = { intent: 'procedure_choice', fallback: false };
        return this.choiceOutcome(ctx, u.procedures, u.aspect);
      case 'unknown_procedure':
        // A procedure the catalog does not know: on the content team's to-do list with the unanswered questions.
        turn.question = { intent: 'procedure_unknown', fallback: true };
        return { messages: [unknownProcedure(translate(ctx), u.related, u.aspect, ctx.locale)], intent: 'procedure_unknown' };
    }
  }

  /** The procedures the message named, offered under an intent's answer (not inside a flow the answer started). */
  private withRelated(ctx: TurnContext, outcome: TurnOutcome, related: readonly ProcedureEntry[]): TurnOutcome {
    if (related.length === 0 || outcome.flow) return outcome;
    return { ...outcome, messages: [...outcome.messages, relatedProcedures(related, ctx.locale, translate(ctx))] };
  }

  private procedureOutcome(
    ctx: TurnContext,
    procedure: ProcedureEntry,
    part: AnswerPart,
    related?: readonly ProcedureEntry[],
  ): TurnOutcome {
    return {
      messages: [procedureAnswer(procedure, part, ctx.locale, translate(ctx), related)],
      intent: `procedure:${procedure.id}`,
      procedure: procedure.id,
    };
  }

  private choiceOutcome(ctx: TurnContext, procedures: readonly ProcedureEntry[], aspect: Aspect): TurnOutcome {
    return { messages: [procedureChoice(procedures, aspect, ctx.locale, translate(ctx))], intent: 'procedure_choice' };
  }

  /** A catalog button: one part of one procedure (a procedure removed since the button was sent gets the honest "not found"). */
  private procedurePart(ctx: TurnContext, id: string, part: AnswerPart): TurnOutcome {
    const procedure = ctx.content.catalog?.procedures.get(id);
    if (!procedure) return { messages: [unknownProcedure(translate(ctx))], intent: 'procedure_unknown' };
    return this.procedureOutcome(ctx, procedure, part);
  }

  /** An intent the catalog answers, asked by its menu button: its procedures to choose from (one: answered directly). */
  private catalogIntentAnswer(ctx: TurnContext, intent: string): TurnOutcome {
    const catalog = ctx.content.catalog;
    const procedures = [...(catalog?.procedures.values() ?? [])].filter((p) => p.intents?.includes(intent));
    if (procedures.length === 0) return this.menuAnswer(ctx, HELP_MENU);
    if (procedures.length === 1) return this.procedureOutcome(ctx, procedures[0], 'overview');
    return this.choiceOutcome(ctx, procedures.slice(0, Math.max(MAX_CHOICES, MAX_QUICK_REPLIES)), 'overview');
  }

  private async answerIntent(ctx: TurnContext, match: MatchResult, turn: Turn): Promise<TurnOutcome> {
    turn.question = { intent: match.intent, fallback: match.intent === FALLBACK };
    if (match.intent === FALLBACK) {
      return {
        messages: [{ text: ctx.t('fallback.answer'), quickReplies: this.menuReplies(ctx, HELP_MENU) }],
        intent: FALLBACK,
      };
    }
    if (match.intent === COMPLAINT_SUBMIT) return this.startComplaint(ctx, turn, match);
    const flow = this.deps.intentFlows?.[match.intent];
    if (flow) return (await this.startFlow(ctx, flow, turn, match)) ?? this.fixedAnswer(ctx, match.intent);
    return this.intentHandlerOrAnswer(ctx, match.intent, match);
  }

  private async answerIntentById(ctx: TurnContext, intent: string, turn: Turn): Promise<TurnOutcome> {
    if (!ctx.content.intents.has(intent)) return this.menuAnswer(ctx, HELP_MENU);
    if (ctx.content.intents.get(intent)?.answeredByCatalog) return this.catalogIntentAnswer(ctx, intent);
    if (intent === COMPLAINT_SUBMIT) return this.startComplaint(ctx, turn);
    const flow = this.deps.intentFlows?.[intent];
    if (flow) return (await this.startFlow(ctx, flow, turn)) ?? this.fixedAnswer(ctx, intent);
    return this.intentHandlerOrAnswer(ctx, intent);
  }

  private async intentHandlerOrAnswer(ctx: TurnContext, intent: string, match?: MatchResult, argument?: string): Promise<TurnOutcome> {
    const handler = this.deps.intentHandlers?.[intent];
    if (handler) return handler.handle(ctx, match, argument);
    return this.fixedAnswer(ctx, intent);
  }

  private async startComplaint(ctx: TurnContext, turn: Turn, match?: MatchResult): Promise<TurnOutcome> {
    return (await this.startFlow(ctx, COMPLAINT_FLOW, turn, match)) ?? this.fixedAnswer(ctx, COMPLAINT_SUBMIT);
  }

  /**
   * Starts a flow. An open flow of another kind is set aside (offered back when this one
   * ends); a kept draft of the same kind is replaced, and the citizen is told so.
   */
  private async startFlow(ctx: TurnContext, name: string, turn: Turn, match?: MatchResult): Promise<TurnOutcome | undefined> {
    const flow = this.flows.get(name);
    if (!flow) return undefined;
    const { flow: active, suspended } = turn.state;
    const outcome = await flow.start(ctx, match);
    if (!outcome.flow) return outcome;
    if (active && active.name !== name) {
      turn.state = { ...turn.state, flow: undefined, suspended: { ...active, offered: false } };
    } else if (suspended?.name === name) {
      turn.state = { ...turn.state, suspended: undefined };
      return { ...outcome, messages: [{ text: ctx.t('conversation.replaced_draft') }, ...outcome.messages] };
    }
    return outcome;
  }

  // ------------------------------------------------------------ offers, cancel, continue

  /** The answer to another question, then one line offering to go on with the flow. */
  private offerToContinue(ctx: TurnContext, answer: TurnOutcome, flow: FlowState, turn: Turn): TurnOutcome {
    if (answer.flow) return answer; // the answer started a flow of its own
    turn.state = { ...turn.state, offer: 'continue' };
    const line: OutgoingMessage = {
      text: ctx.t(`conversation.continue_offer.${flow.name}`),
      quickReplies: this.offerReplies(ctx, `conversation.button.discard_${flow.name}`),
    };
    return { ...answer, messages: [...answer.messages, line], flow };
  }

  /** After a turn with no flow open, a draft set aside (idle, or by another flow) is offered back once. */
  private offerSetAsideDraft(ctx: TurnContext, outcome: TurnOutcome, turn: Turn): TurnOutcome {
    const kept = turn.state.suspended;
    if (!kept || kept.offered || outcome.flow) return outcome;
    turn.state = { ...turn.state, offer: 'restore', suspended: { ...kept, offered: true } };
    const line: OutgoingMessage = {
      text: ctx.t(`conversation.restore_offer.${kept.name}`),
      quickReplies: this.offerReplies(ctx, 'conversation.button.discard'),
    };
    return { ...outcome, messages: [...outcome.messages, line] };
  }

  private offerReplies(ctx: TurnContext, discardKey: string): QuickReply[] {
    return [
      { label: ctx.t('conversation.button.continue'), payload: FLOW_PAYLOADS.continue },
      { label: ctx.t(discardKey), payload: FLOW_PAYLOADS.discard },
    ];
  }

  /** "có"/"ok" continues, "không" drops; anything else is read as a new message. */
  private async answerOffer(ctx: TurnContext, offer: 'continue' | 'restore', turn: Turn): Promise<TurnOutcome | undefined> {
    const answer = everydayAnswer(ctx.message.text);
    if (answer === 'yes') return this.continueFlow(ctx, turn);
    if (answer === 'no') return offer === 'continue' ? this.cancel(ctx, turn) : this.discard(ctx, turn);
    return undefined;
  }

  private continueFlow(ctx: TurnContext, turn: Turn): TurnOutcome {
    const { flow, suspended } = turn.state;
    if (flow) return this.reprompt(ctx, flow);
    if (suspended) {
      turn.state = { ...turn.state, suspended: undefined };
      return this.reprompt(ctx, suspended);
    }
    return {
      messages: [{ text: ctx.t('conversation.nothing_to_continue'), quickReplies: this.menuReplies(ctx, HELP_MENU) }],
      intent: 'continue',
    };
  }

  private discard(ctx: TurnContext, turn: Turn): TurnOutcome {
    if (turn.state.flow) return this.cancel(ctx, turn);
    if (!turn.state.suspended) return this.continueFlow(ctx, turn);
    turn.state = { ...turn.state, suspended: undefined };
    return { messages: [{ text: ctx.t('conversation.discarded'), quickReplies: this.menuReplies(ctx, HELP_MENU) }], intent: 'discard' };
  }

  /** "hủy" ends the open flow; with none open, it drops a kept draft; otherwise there is nothing to cancel. */
  private cancel(ctx: TurnContext, turn: Turn): TurnOutcome {
    if (turn.state.flow || turn.state.suspended) {
      turn.state = { ...turn.state, flow: undefined, suspended: undefined };
      return { messages: [{ text: ctx.t('system.cancelled') }], intent: 'cancel' };
    }
    return { messages: [{ text: ctx.t('system.nothing_to_cancel'), quickReplies: this.menuReplies(ctx, HELP_MENU) }], intent: 'cancel' };
  }

  /** The flow's current question again, optionally after a note. */
  private reprompt(ctx: TurnContext, state: FlowState, note?: string): TurnOutcome {
    const flow = this.flows.get(state.name);
    if (!flow) return this.menuAnswer(ctx, HELP_MENU);
    const outcome = flow.prompt(ctx, state);
    return note ? { ...outcome, messages: [{ text: note }, ...outcome.messages] } : outcome;
  }

  // ------------------------------------------------------------ fixed answers and menus

  /** An intent's answer with the intent file's own menu (help_menu.yaml is the one source of "the menu"). */
  private menuAnswer(ctx: TurnContext, intent: string): TurnOutcome {
    return this.fixedAnswer(ctx, intent);
  }

  /** The quick replies of an intent's `suggestions`. */
  private menuReplies(ctx: TurnContext, intent: string): QuickReply[] {
    return intentQuickReplies(ctx, ctx.content.intents.get(intent)?.suggestions ?? []);
  }

  /** The intent's answer text, with its suggestions as quick replies. */
  private fixedAnswer(ctx: TurnContext, intent: string): TurnOutcome {
    const definition = ctx.content.intents.get(intent);
    const text = ctx.t(definition?.answerKey ?? `intent.${intent}.answer`);
    const replies = intentQuickReplies(ctx, definition?.suggestions ?? []);
    const message: OutgoingMessage = replies.length ? { text, quickReplies: replies } : { text };
    return { messages: [message], intent };
  }
}

/** Builds the quick replies for a list of intent ids (flows use it for their menus); at most {@link MAX_QUICK_REPLIES}. */
export function intentQuickReplies(ctx: TurnContext, intents: readonly string[]): QuickReply[] {
  return intents
    .filter((id) => ctx.content.intents.has(id))
    .slice(0, MAX_QUICK_REPLIES)
    .map((id) => ({ label: ctx.t(`menu.${id}`), payload: `#intent:${id}` }));
}

/** The turn's translation as a plain function, for the catalog's answer builders. */
function translate(ctx: TurnContext): (key: string, vars?: Record<string, string>) => string {
  return (key, vars) => ctx.t(key, vars);
}
