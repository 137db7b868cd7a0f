/**
 * The satisfaction rating of a resolved complaint. The citizen enters it by answering
 * the rating notification (buttons sending "/danhgia PA-XXXXXX 4", or the same typed);
 * the engine routes that command here. The score is recorded at once — so a citizen who
 * walks away still counts — then an optional comment is asked for. A score of 1–2
 * reopens the complaint and the agency is told (the service does both).
 */
import { parseCommand } from '../core/command';
import { RATING_FLOW } from '../core/conversation-engine';
import type { FlowState } from '../core/conversation-store';
import { everydayAnswer } from '../core/everyday-answers';
import type { ConversationFlow, TurnContext, TurnOutcome } from '../core/flow';
import type { StepFit } from '../core/flow-interruption';
import type { OutgoingMessage } from '../core/messages';
import type { Logger } from '../infra/logger';
import { silentLogger } from '../infra/logger';
import { formatDate } from './complaint-format';
import type { ActionResult, ComplaintService } from './complaint-service';
import { resolveChoice } from './flow-choices';
import { ratingQuickReplies } from './notification-texts';
import { normalizeTrackingCode } from './tracking-code';

/** The engine starts the flow of this name on /danhgia. */
export const RATING_FLOW_NAME = RATING_FLOW;
const SKIP_PAYLOAD = '#pa:skip';
/** Locale keys this flow uses besides the complaint texts (checked at load). */
export const RATING_FLOW_TEXT_KEYS = [
  'conversation.continue_offer.rating',
  'conversation.restore_offer.rating',
  'conversation.button.discard_rating',
] as const;
const DEFAULT_TTL_MS = 24 * 3600 * 1000;
const SKIP_WORDS: Record<string, string> = Object.fromEntries(
  ['bo qua', 'khong', 'ko', 'k', 'skip', 'no', 'thoi'].map((w) => [w, SKIP_PAYLOAD]),
);

/** "PA-7K3M9X 4", "pa7k3m9x", "PA 7K3M9X 5" → code and score (each when present and valid). */
export function parseRatingArgument(argument: string): { code?: string; score?: number } {
  const scoreMatch = /(?:^|\s)([1-5])\s*$/.exec(argument.trim());
  const codePart = scoreMatch ? argument.trim().slice(0, scoreMatch.index) : argument.trim();
  const code = normalizeTrackingCode(codePart);
  return { ...(code ? { code } : {}), ...(scoreMatch ? { score: Number(scoreMatch[1]) } : {}) };
}

export class RatingFlow implements ConversationFlow {
  readonly name = RATING_FLOW_NAME;
  readonly ownTopics: ReadonlySet<string> = new Set(['satisfaction_rating']);
  private readonly logger: Logger;

  constructor(private readonly deps: { readonly service: ComplaintService; readonly ttlMs?: number; readonly logger?: Logger }) {
    this.logger = deps.logger ?? silentLogger();
  }

  async start(ctx: TurnContext): Promise<TurnOutcome> {
    const command = parseCommand(ctx.message.text);
    const { code, score } = parseRatingArgument(command?.kind === 'rate' ? command.argument : '');
    if (!code) return { messages: [{ text: ctx.t('complaint.rating.invalid_code') }], intent: 'rating:invalid_code' };
    if (score === undefined) return this.askScore(ctx, code);
    return this.rate(ctx, code, score);
  }

  async resume(ctx: TurnContext, state: FlowState): Promise<TurnOutcome> {
    const code = typeof state.data.code === 'string' ? state.data.code : undefined;
    if (!code) return { messages: [{ text: ctx.t('complaint.rating.invalid_code') }], intent: 'rating:invalid_code' };
    if (state.step === 'comment' && typeof state.data.score === 'number') return this.comment(ctx, code, state.data.score);
    const score = this.scoreOf(ctx, code);
    if (score === undefined) return this.askScore(ctx, code, ctx.t('complaint.rating.invalid_score'));
    return this.rate(ctx, code, score);
  }

  fit(ctx: TurnContext, state: FlowState): StepFit {
    const code = typeof state.data.code === 'string' ? state.data.code : undefined;
    if (!code) return 'other';
    if (state.step === 'comment') return everydayAnswer(ctx.message.text) === 'no' ? 'answer' : 'free_text';
    return this.scoreOf(ctx, code) === undefined ? 'other' : 'answer';
  }

  prompt(ctx: TurnContext, state: FlowState): TurnOutcome {
    const code = typeof state.data.code === 'string' ? state.data.code : '';
    if (state.step === 'comment' && typeof state.data.score === 'number') {
      return {
        messages: [
          { text: ctx.t('complaint.rating.ask_comment'), quickReplies: [{ label: ctx.t('complaint.button.skip'), payload: SKIP_PAYLOAD }] },
        ],
        flow: this.state(ctx, 'comment', { code, score: state.data.score }),
        intent: 'rating:comment_prompt',
      };
    }
    return this.askScore(ctx, code);
  }

  private scoreOf(ctx: TurnContext, code: string): number | undefined {
    const choice = resolveChoice(ctx.message.text, ratingQuickReplies(code, ctx.locale, ctx.content.translator));
    return choice ? parseRatingArgument(choice.replace(/^\/danhgia\s+/, '')).score : undefined;
  }

  private askScore(ctx: TurnContext, code: string, prefix?: string): TurnOutcome {
    const messages: OutgoingMessage[] = [
      ...(prefix ? [{ text: prefix }] : []),
      { text: ctx.t('complaint.rating.ask_score', { code }), quickReplies: ratingQuickReplies(code, ctx.locale, ctx.content.translator) },
    ];
    return { messages, flow: this.state(ctx, 'score', { code }), intent: 'rating:score' };
  }

  private async rate(ctx: TurnContext, code: string, score: number): Promise<TurnOutcome> {
    const result = await this.call(() => this.deps.service.rate(code, ctx.message.channel, ctx.message.userId, score));
    if (!result.ok) return this.failure(ctx, code, result);
    const messages: OutgoingMessage[] = [{ text: ctx.t('complaint.rating.thanks', { code, score }) }];
    if (result.complaint.status === 'reopened') {
      messages.push({
        text: ctx.t('complaint.rating.reopened', {
          code,
          agency: result.complaint.agencyName,
          dueDate: formatDate(result.complaint.dueAt),
        }),
      });
    }
    messages.push({
      text: ctx.t('complaint.rating.ask_comment'),
      quickReplies: [{ label: ctx.t('complaint.button.skip'), payload: SKIP_PAYLOAD }],
    });
    return { messages, flow: this.state(ctx, 'comment', { code, score }), intent: score <= 2 ? 'rating:reopened' : 'rating:rated' };
  }

  private async comment(ctx: TurnContext, code: string, score: number): Promise<TurnOutcome> {
    const skip = resolveChoice(ctx.message.text, [{ label: ctx.t('complaint.button.skip'), payload: SKIP_PAYLOAD }], SKIP_WORDS);
    if (skip === SKIP_PAYLOAD || everydayAnswer(ctx.message.text) === 'no' || !ctx.message.text.trim())
      return { messages: [{ text: ctx.t('complaint.rating.done') }], intent: 'rating:done' };
    const result = await this.call(() => this.deps.service.rate(code, ctx.message.channel, ctx.message.userId, score, ctx.message.text));
    if (!result.ok) return this.failure(ctx, code, result);
    return { messages: [{ text: ctx.t('complaint.rating.comment_thanks') }], intent: 'rating:comment' };
  }

  private failure(ctx: TurnContext, code: string, result: Extract<ActionResult, { ok: false }>): TurnOutcome {
    const key =
      result.error === 'invalid_state'
        ? 'complaint.rating.not_rateable'
        : result.error === 'invalid_input'
          ? 'complaint.rating.failed'
          : result.error === 'not_found' || result.error === 'forbidden'
            ? 'complaint.rating.not_found'
            : 'complaint.rating.failed';
    return { messages: [{ text: ctx.t(key, { code }) }], intent: `rating:${result.error}` };
  }

  /** The service's answer, with a storage failure turned into a polite "try again". */
  private async call(action: () => Promise<ActionResult>): Promise<ActionResult> {
    try {
      return await action();
    } catch (err) {
      this.logger.error({ err: (err as Error).name }, 'rating failed');
      return { ok: false, error: 'invalid_input', message: 'storage failure' };
    }
  }

  private state(ctx: TurnContext, step: string, data: Record<string, unknown>): FlowState {
    return {
      name: RATING_FLOW_NAME,
      step,
      data,
      expiresAt: new Date(ctx.now.getTime() + (this.deps.ttlMs ?? DEFAULT_TTL_MS)).toISOString(),
    };
  }
}
