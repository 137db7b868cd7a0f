/**
 * Replays a story (story-file.ts) against a {@link StoryWorld} and says, step by step,
 * what the bot answered that the story did not expect.
 *
 * Every story runs from each start it names: a fresh database, and one where the same
 * citizen left a complaint draft open two hours earlier. From the second start the
 * story must behave the same, and the old draft must never be lost silently or resumed
 * silently: the first reply offers it back, says it was replaced, or confirms it was
 * cancelled.
 */
import { randomBytes } from 'node:crypto';
import type { BotContent } from '../core/bot-content';
import { conversationKey, type Attachment, type Reply } from '../core/messages';
import { durationMs, type Story, type StoryExpectation, type StoryStart } from './story-file';
import type { StoryWorld } from './story-world';

export interface StoryResult {
  readonly story: Story;
  readonly start: StoryStart;
  readonly failures: readonly string[];
}

/** An open complaint draft at the contact step, last touched two hours before the story starts. */
const OLD_DRAFT_IDLE_MS = 2 * 3600 * 1000;
const OLD_DRAFT_TEXT = 'Đèn đường khu phố tôi hỏng cả tháng, báo phường mấy lần không thấy ai đến sửa';
/** What the first reply may say about the old draft. */
const OLD_DRAFT_KEYS = ['conversation.restore_offer.complaint', 'conversation.replaced_draft', 'system.cancelled'];

export async function runStory(world: StoryWorld, story: Story, start: StoryStart, startTime: Date): Promise<StoryResult> {
  const engine = world.engine({ hotline: story.hotline });
  const content = world.content({ hotline: story.hotline });
  const userId = `story-${start}-${randomBytes(5).toString('hex')}`;
  world.now = startTime;
  if (start === 'old_flow') await seedOldDraft(world, story, userId);
  const failures: string[] = [];
  for (const [index, step] of story.steps.entries()) {
    if (step.after) world.now = new Date(world.now.getTime() + durationMs(step.after));
    const attachments: Attachment[] = [
      ...(step.photos ?? []).map((ref): Attachment => ({ kind: 'image', ref })),
      ...(step.location ? [{ kind: 'location' as const, ...step.location }] : []),
    ];
    const reply = await engine.handle({
      channel: story.channel,
      userId,
      text: step.user,
      ...(attachments.length ? { attachments } : {}),
    });
    const where = `${story.file}:${step.line ?? story.line ?? ''} (step ${index + 1}, "${step.user}")`;
    for (const problem of check(reply, step.bot, content)) failures.push(`${where}: ${problem}`);
    if (index === 0 && start === 'old_flow' && !OLD_DRAFT_KEYS.some((key) => containsKey(reply, key, content))) {
      failures.push(
        `${where}: from a database holding an old draft, the first reply neither offers it back nor says it was replaced or cancelled`,
      );
    }
    world.now = new Date(world.now.getTime() + 20_000); // people take a while to type
  }
  return { story, start, failures };
}

async function seedOldDraft(world: StoryWorld, story: Story, userId: string): Promise<void> {
  const touched = new Date(world.now.getTime() - OLD_DRAFT_IDLE_MS);
  await world.store.save(
    conversationKey(story.channel, userId),
    {
      locale: 'vi',
      flow: {
        name: 'complaint',
        step: 'contact',
        data: { text: OLD_DRAFT_TEXT, sector: 'transport', sectorInferred: true, photoRefs: [] },
        expiresAt: new Date(touched.getTime() + 24 * 3600 * 1000).toISOString(),
      },
      lastSeenAt: touched.toISOString(),
    },
    0, // a citizen new to the database
  );
}

/** What is wrong with `reply` against `expected`; empty when nothing is. */
function check(reply: Reply, expected: StoryExpectation, content: BotContent): string[] {
  const problems: string[] = [];
  const all = reply.messages.map((m) => m.text).join('\n');
  const buttons = reply.messages.flatMap((m) => m.quickReplies ?? []);
  if (expected.intent && reply.intent !== expected.intent) problems.push(`intent is '${reply.intent}', expected '${expected.intent}'`);
  if (expected.locale && reply.locale !== expected.locale) problems.push(`language is '${reply.locale}', expected '${expected.locale}'`);
  for (const key of expected.keys) if (!containsKey(reply, key, content)) problems.push(`the text of '${key}' is missing`);
  for (const key of expected.not_keys) if (containsKey(reply, key, content)) problems.push(`the text of '${key}' must not appear`);
  for (const text of expected.texts) if (!all.includes(text)) problems.push(`"${text}" is missing`);
  for (const text of expected.not_texts) if (all.includes(text)) problems.push(`"${text}" must not appear`);
  for (const button of expected.buttons) {
    if (!buttons.some((b) => b.payload === button || b.label === button)) problems.push(`no button '${button}'`);
  }
  if (problems.length) problems.push(`the bot said [${reply.intent}, ${reply.locale}]: ${JSON.stringify(all).slice(0, 400)}`);
  return problems;
}

/** The key's text, in the reply's language, with every {{placeholder}} matching anything. */
function containsKey(reply: Reply, key: string, content: BotContent): boolean {
  const template = content.translator.t(reply.locale, key);
  const pattern = template
    .split(/\{\{\s*\w+\s*\}\}/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[\\s\\S]*?');
  const all = reply.messages.map((m) => m.text).join('\n');
  return new RegExp(pattern).test(all);
}
