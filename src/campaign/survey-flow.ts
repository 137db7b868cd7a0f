/**
 * Answering a survey in the chat: the invitation's button sends "/khaosat <campaign>";
 * each question comes with buttons (1–5, the options, "skip" when optional); a text
 * question takes what is typed. Like the complaint flow it yields: a question about
 * something else is answered and the survey offered again. The answers are stored only
 * when the last question is answered, once per person per campaign.
 */
import { parseCommand } from '../core/command';
import type { FlowState } from '../core/conversation-store';
import type { ConversationFlow, TurnContext, TurnOutcome } from '../core/flow';
import type { StepFit } from '../core/flow-interruption';
import type { OutgoingMessage } from '../core/messages';
import type { CampaignUseCases } from './campaign-use-cases';
import type { SurveyAnswerValue } from './ports';
import { localized, type SurveyDefinition, type SurveyQuestion } from './survey';

export const SURVEY_FLOW = 'survey';
const ANSWER = '#sv:';
const SKIP = '#sv:skip';
const TTL_MS = 3 * 24 * 3600 * 1000;

export const SURVEY_TEXT_KEYS = [
  'survey.unknown',
  'survey.not_open',
  'survey.not_invited',
  'survey.already',
  'survey.thanks',
  'survey.invalid',
  'survey.likert_hint',
  'survey.progress',
  'survey.button.skip',
  'conversation.continue_offer.survey',
  'conversation.restore_offer.survey',
  'conversation.button.discard_survey',
] as const;

interface SurveyData {
  readonly campaignId: string;
  readonly surveyId: string;
  readonly agencyId?: string;
  readonly index: number;
  readonly answers: Record<string, SurveyAnswerValue>;
}

export class SurveyFlow implements ConversationFlow {
  readonly name = SURVEY_FLOW;
  readonly ownTopics: ReadonlySet<string> = new Set();

  constructor(
    private readonly deps: { readonly campaign: CampaignUseCases; readonly definitions: () => ReadonlyMap<string, SurveyDefinition> },
  ) {}

  async start(ctx: TurnContext): Promise<TurnOutcome> {
    const command = parseCommand(ctx.message.text);
    const campaignId = command?.kind === 'flow' ? command.argument.split(/\s+/)[0] : '';
    const start = await this.deps.campaign.startSurvey(campaignId ?? '', ctx.message.channel, ctx.message.userId);
    if (!start.ok) {
      const key = {
        unknown: 'survey.unknown',
        not_open: 'survey.not_open',
        not_invited: 'survey.not_invited',
        already_answered: 'survey.already',
      }[start.reason];
      return { messages: [{ text: ctx.t(key) }], intent: `survey:${start.reason}` };
    }
    const data: SurveyData = {
      campaignId: start.campaign.id,
      surveyId: start.campaign.surveyId,
      ...(start.agencyId ? { agencyId: start.agencyId } : {}),
      index: 0,
      answers: {},
    };
    const outcome = this.ask(ctx, start.survey, data);
    return { ...outcome, messages: [{ text: localized(start.survey.intro, ctx.locale) }, ...outcome.messages] };
  }

  async resume(ctx: TurnContext, state: FlowState): Promise<TurnOutcome> {
    const found = await this.survey(state);
    if (!found) return { messages: [{ text: ctx.t('survey.not_open') }], intent: 'survey:not_open' };
    const { survey, data } = found;
    const question = survey.questions[data.index];
    const answer = this.read(ctx, question);
    if (answer === undefined) return this.ask(ctx, survey, data, ctx.t('survey.invalid'));
    const answers = answer === 'skip' ? data.answers : { ...data.answers, [question.id]: answer };
    const next: SurveyData = { ...data, index: data.index + 1, answers };
    if (next.index < survey.questions.length) return this.ask(ctx, survey, next);
    const stored = await this.deps.campaign.submitSurvey({
      campaignId: data.campaignId,
      channel: ctx.message.channel,
      userId: ctx.message.userId,
      ...(data.agencyId ? { agencyId: data.agencyId } : {}),
      answers,
    });
    return { messages: [{ text: ctx.t(stored === 'recorded' ? 'survey.thanks' : 'survey.already') }], intent: `survey:${stored}` };
  }

  fit(ctx: TurnContext, state: FlowState): StepFit {
    const data = state.data as unknown as SurveyData;
    const survey = this.definitionOf(data);
    const question = survey?.questions[data.index];
    if (!question) return 'other';
    if (question.kind === 'text') return ctx.message.text.trim() === SKIP ? 'answer' : 'free_text';
    return this.read(ctx, question) === undefined ? 'other' : 'answer';
  }

  prompt(ctx: TurnContext, state: FlowState): TurnOutcome {
    const data = state.data as unknown as SurveyData;
    const survey = this.definitionOf(data);
    if (!survey) return { messages: [{ text: ctx.t('survey.not_open') }], intent: 'survey:not_open' };
    return this.ask(ctx, survey, data);
  }

  private definitionOf(data: SurveyData): SurveyDefinition | undefined {
    return this.deps.definitions().get(data.surveyId);
  }

  private async survey(state: FlowState): Promise<{ survey: SurveyDefinition; data: SurveyData } | undefined> {
    const data = state.data as unknown as SurveyData;
    const survey = this.definitionOf(data);
    return survey && survey.questions[data.index] ? { survey, data } : undefined;
  }

  /** The answer to `question` in the message: a value, 'skip', or undefined when it is not one. */
  private read(ctx: TurnContext, question: SurveyQuestion): SurveyAnswerValue | 'skip' | undefined {
    const text = ctx.message.text.trim();
    if (text === SKIP) return question.optional ? 'skip' : undefined;
    const value = text.startsWith(ANSWER) ? text.slice(ANSWER.length) : text.replace(/[.)]$/, '');
    if (question.kind === 'likert') return /^[1-5]$/.test(value) ? { kind: 'likert', score: Number(value) } : undefined;
    if (question.kind === 'choice') {
      const byNumber = /^\d$/.test(value) ? question.options[Number(value) - 1] : undefined;
      const option = question.options.find((o) => o.id === value) ?? byNumber;
      return option ? { kind: 'choice', choice: option.id } : undefined;
    }
    return text && !text.startsWith('#') ? { kind: 'text', text: text.slice(0, 1000) } : undefined;
  }

  private ask(ctx: TurnContext, survey: SurveyDefinition, data: SurveyData, note?: string): TurnOutcome {
    const q = survey.questions[data.index];
    const progress = ctx.t('survey.progress', { n: String(data.index + 1), total: String(survey.questions.length) });
    const replies =
      q.kind === 'likert'
        ? ['1', '2', '3', '4', '5'].map((n) => ({ label: n, payload: `${ANSWER}${n}` }))
        : q.kind === 'choice'
          ? q.options.map((o) => ({ label: localized(o.label, ctx.locale), payload: `${ANSWER}${o.id}` }))
          : [];
    if (q.optional) replies.push({ label: ctx.t('survey.button.skip'), payload: SKIP });
    const hint = q.kind === 'likert' ? `\n${ctx.t('survey.likert_hint')}` : '';
    const message: OutgoingMessage = {
      text: `${progress} ${localized(q.text, ctx.locale)}${hint}`,
      ...(replies.length ? { quickReplies: replies } : {}),
    };
    return {
      messages: note ? [{ text: note }, message] : [message],
      flow: {
        name: SURVEY_FLOW,
        step: q.id,
        data: data as unknown as Record<string, unknown>,
        expiresAt: new Date(ctx.now.getTime() + TTL_MS).toISOString(),
      },
      intent: `survey:${q.id}`,
    };
  }
}
