/** The `/danhgia` command and how the engine hands it to the rating flow. */
import type { BotContent } from '../../src/core/bot-content';
import { parseCommand } from '../../src/core/command';
import { ConversationEngine, RATING_FLOW } from '../../src/core/conversation-engine';
import { InMemoryConversationStore } from '../../src/core/conversation-store';
import type { ConversationFlow, TurnContext } from '../../src/core/flow';
import { fixed, loadTestContent, message, SETUP_TIMEOUT_MS } from '../complaints/complaint-test-kit';

describe('parseCommand: rate', () => {
  it('recognises /danhgia and /rate with their argument', () => {
    expect(parseCommand('/danhgia PA-7K3M9X 4')).toEqual({ kind: 'rate', argument: 'PA-7K3M9X 4' });
    expect(parseCommand('/DanhGia@cchc_bot pa7k3m9x')).toEqual({ kind: 'rate', argument: 'pa7k3m9x' });
    expect(parseCommand('/rate')).toEqual({ kind: 'rate', argument: '' });
    expect(parseCommand('danhgia PA-7K3M9X 4')).toBeUndefined();
  });
});

describe('ConversationEngine and the rating flow', () => {
  let content: BotContent;
  beforeAll(async () => {
    content = await loadTestContent();
  }, SETUP_TIMEOUT_MS);

  it('starts the rating flow on /danhgia, even in the middle of another flow, and resumes it', async () => {
    const seen: string[] = [];
    const rating: ConversationFlow = {
      name: RATING_FLOW,
      start: async (ctx: TurnContext) => {
        seen.push(`start:${ctx.message.text}`);
        return {
          messages: [{ text: 'score?' }],
          flow: { name: RATING_FLOW, step: 'comment', data: {}, expiresAt: new Date(Date.now() + 60_000).toISOString() },
          intent: 'rating:score',
        };
      },
      resume: async (ctx: TurnContext) => {
        seen.push(`resume:${ctx.message.text}`);
        return { messages: [{ text: 'thanks' }], intent: 'rating:comment' };
      },
      fit: () => 'free_text',
      prompt: () => ({ messages: [{ text: 'score?' }], intent: 'rating:score' }),
      ownTopics: new Set(),
    };
    const other: ConversationFlow = {
      name: 'complaint',
      start: async () => ({
        messages: [{ text: 'what happened?' }],
        flow: { name: 'complaint', step: 'text', data: {}, expiresAt: new Date(Date.now() + 60_000).toISOString() },
        intent: 'complaint:text',
      }),
      resume: async () => ({ messages: [{ text: 'unexpected' }], intent: 'complaint:text' }),
      fit: () => 'free_text',
      prompt: (_ctx, state) => ({ messages: [{ text: 'what happened?' }], flow: state, intent: 'complaint:text' }),
      ownTopics: new Set(),
    };
    const engine = new ConversationEngine({ content: fixed(content), store: new InMemoryConversationStore(), flows: [rating, other] });
    await engine.handle(message('u', '/phananh'));
    expect((await engine.handle(message('u', '/danhgia PA-7K3M9X 2'))).intent).toBe('rating:score');
    const comment = await engine.handle(message('u', 'vẫn chưa được giải quyết'));
    expect(comment.intent).toBe('rating:comment');
    expect(seen).toEqual(['start:/danhgia PA-7K3M9X 2', 'resume:vẫn chưa được giải quyết']);
    // The complaint draft set aside by the rating is offered back once the rating is over…
    expect(comment.messages.at(-1)?.text).toBe(content.translator.t('vi', 'conversation.restore_offer.complaint'));
    // …and "có" takes it up again at its step.
    const resumed = await engine.handle(message('u', 'có'));
    expect(resumed).toMatchObject({ intent: 'complaint:text', messages: [{ text: 'what happened?' }] });
  });

  it('answers with the help menu when no rating flow is installed', async () => {
    const engine = new ConversationEngine({ content: fixed(content), store: new InMemoryConversationStore() });
    expect((await engine.handle(message('u', '/danhgia PA-7K3M9X 2'))).intent).toBe('help_menu');
  });
});
