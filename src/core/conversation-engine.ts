/**
 * The conversation core: one function from an incoming message to the replies, for
 * every channel. It knows no telegraf, mongoose or HTTP — only the ports it is given.
 *
 * Order of precedence for each message:
 * 1. a command or quick-reply payload (exact, never second-guessed);
 * 2. a flow in progress (the citizen is answering the bot's question);
 * 3. the intent matcher, then the intent's handler or its fixed answer;
 * 4. the fallback, which offers the menu and the hotline.
 */
import type { Logger } from '../infra/logger';
import { silentLogger } from '../infra/logger';
import type { BotContent, ContentSource } from './bot-content';
import { parseCommand, type Command } from './command';
import type { ConversationState, ConversationStore } from './conversation-store';
import type { ConversationFlow, IntentHandler, TurnContext, TurnOutcome } from './flow';
import type { IncomingMessage, Locale, OutgoingMessage, QuickReply, Reply } from './messages';
import { conversationKey } from './messages';
import { FALLBACK, type MatchResult } from '../nlu/intent-matcher';

/** Intents whose handling the engine itself knows about. */
export const COMPLAINT_FLOW = 'complaint';
/** The flow the rating command (/danhgia CODE SCORE) starts; it reads the command from the message itself. */
export const RATING_FLOW = 'rating';
const COMPLAINT_SUBMIT = 'complaint_submit';
const COMPLAINT_STATUS = 'complaint_status';
const HELP_MENU = 'help_menu';
const GREETING = 'greeting';
/** Intents offered with the fallback and the help menu. */
const MENU_INTENTS = ['online_submission_howto', 'dossier_status', 'procedure_lookup', 'complaint_submit', 'complaint_status', 'hotline'];
const FALLBACK_SUGGESTIONS = ['help_menu', 'complaint_submit', 'hotline'];

/** Observes each handled message, e.g. for metrics. Receives labels, never text. */
export interface EngineObserver {
  messageHandled(event: { channel: string; intent: string; fallbackReason?: string; confidence?: number; replies: number }): void;
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
}

export class ConversationEngine {
  private readonly flows: ReadonlyMap<string, ConversationFlow>;
  private readonly logger: Logger;
  private readonly clock: () => Date;

  constructor(private readonly deps: EngineDeps) {
    this.flows = new Map((deps.flows ?? []).map((f) => [f.name, f]));
    this.logger = deps.logger ?? silentLogger();
    this.clock = deps.clock ?? (() => new Date());
  }

  /**
   * Handles one message. The caller runs one citizen's messages one at a time, in order
   * (the channels' inbound pipeline does, across processes): two messages sent together
   * must not read the same conversation state and overwrite each other's changes.
   */
  async handle(message: IncomingMessage): Promise<Reply> {
    const key = conversationKey(message.channel, message.userId);
    const now = this.clock();
    const stored = await this.deps.store.get(key);
    let state: ConversationState = stored ?? { locale: this.deps.defaultLocale ?? 'vi' };
    if (message.locale) state = { ...state, locale: message.locale };
    if (state.flow && Date.parse(state.flow.expiresAt) <= now.getTime()) state = { ...state, flow: undefined };

    const content = this.deps.content.current();
    const command = parseCommand(message.text);
    if (command?.kind === 'language') state = { ...state, locale: command.locale };
    const ctx = this.context(message, state.locale, content, now);

    let outcome: TurnOutcome;
    let match: MatchResult | undefined;
    if (command) {
      outcome = await this.runCommand(ctx, command, state);
    } else if (state.flow && this.flows.has(state.flow.name)) {
      outcome = await this.flows.get(state.flow.name)!.resume(ctx, state.flow);
    } else {
      match = content.matcher.match(message.text);
      outcome = await this.answerIntent(ctx, match);
    }

    const next: ConversationState = { locale: state.locale, flow: outcome.flow, lastSeenAt: now.toISOString() };
    await this.deps.store.set(key, next);
    this.deps.observer?.messageHandled({
      channel: message.channel,
      intent: outcome.intent,
      fallbackReason: match?.fallbackReason,
      confidence: match?.confidence,
      replies: outcome.messages.length,
    });
    this.logger.debug(
      { channel: message.channel, intent: outcome.intent, confidence: match?.confidence, fallbackReason: match?.fallbackReason },
      'message handled',
    );
    return { messages: outcome.messages, intent: outcome.intent, locale: state.locale };
  }

  private context(message: IncomingMessage, locale: Locale, content: BotContent, now: Date): TurnContext {
    return { message, locale, content, now, t: (key, vars) => content.translator.t(locale, key, vars) };
  }

  private async runCommand(ctx: TurnContext, command: Command, state: ConversationState): Promise<TurnOutcome> {
    switch (command.kind) {
      case 'start':
        return this.fixedAnswer(ctx, GREETING, MENU_INTENTS);
      case 'help':
        return this.fixedAnswer(ctx, HELP_MENU, MENU_INTENTS);
      case 'language':
        return this.fixedAnswer(ctx, HELP_MENU, MENU_INTENTS);
      case 'complaint':
        return this.startComplaint(ctx);
      case 'status':
        return this.intentHandlerOrAnswer(ctx, COMPLAINT_STATUS, undefined, command.argument);
      case 'intent':
        return this.answerIntentById(ctx, command.intent);
      case 'rate': {
        const rating = this.flows.get(RATING_FLOW);
        return rating ? rating.start(ctx) : this.fixedAnswer(ctx, HELP_MENU, MENU_INTENTS);
      }
      case 'cancel':
        if (state.flow) return { messages: [{ text: ctx.t('system.cancelled') }], intent: 'cancel' };
        return {
          messages: [{ text: ctx.t('system.nothing_to_cancel'), quickReplies: intentQuickReplies(ctx, MENU_INTENTS) }],
          intent: 'cancel',
        };
    }
  }

  private async answerIntent(ctx: TurnContext, match: MatchResult): Promise<TurnOutcome> {
    if (match.intent === FALLBACK) {
      return {
        messages: [{ text: ctx.t('fallback.answer'), quickReplies: intentQuickReplies(ctx, FALLBACK_SUGGESTIONS) }],
        intent: FALLBACK,
      };
    }
    if (match.intent === COMPLAINT_SUBMIT) return this.startComplaint(ctx, match);
    return this.intentHandlerOrAnswer(ctx, match.intent, match);
  }

  private async answerIntentById(ctx: TurnContext, intent: string): Promise<TurnOutcome> {
    if (!ctx.content.intents.has(intent)) return this.fixedAnswer(ctx, HELP_MENU, MENU_INTENTS);
    if (intent === COMPLAINT_SUBMIT) return this.startComplaint(ctx);
    return this.intentHandlerOrAnswer(ctx, intent);
  }

  private async intentHandlerOrAnswer(ctx: TurnContext, intent: string, match?: MatchResult, argument?: string): Promise<TurnOutcome> {
    const handler = this.deps.intentHandlers?.[intent];
    if (handler) return handler.handle(ctx, match, argument);
    return this.fixedAnswer(ctx, intent);
  }

  private async startComplaint(ctx: TurnContext, match?: MatchResult): Promise<TurnOutcome> {
    const flow = this.flows.get(COMPLAINT_FLOW);
    if (flow) return flow.start(ctx, match);
    return this.fixedAnswer(ctx, COMPLAINT_SUBMIT);
  }

  /** The intent's answer text, with its suggestions (or `override`) as quick replies. */
  private fixedAnswer(ctx: TurnContext, intent: string, override?: readonly string[]): TurnOutcome {
    const definition = ctx.content.intents.get(intent);
    const text = ctx.t(definition?.answerKey ?? `intent.${intent}.answer`);
    const suggestions = override ?? definition?.suggestions ?? [];
    const message: OutgoingMessage = suggestions.length ? { text, quickReplies: intentQuickReplies(ctx, suggestions) } : { text };
    return { messages: [message], intent };
  }
}

/** Builds the quick replies for a list of intent ids (flows use it for their menus). */
export function intentQuickReplies(ctx: TurnContext, intents: readonly string[]): QuickReply[] {
  return intents.filter((id) => ctx.content.intents.has(id)).map((id) => ({ label: ctx.t(`menu.${id}`), payload: `#intent:${id}` }));
}
