/**
 * Conversation tests as data, in the spirit of Rasa's test stories: a YAML file of
 * multi-turn conversations — what the citizen says, what the bot must answer — that
 * `npm test` and `npm run nlu -- stories FILE` replay against the real engine. Admins
 * and developers read and write them without touching code; a mistake in a file is
 * reported with its line, like every other content file.
 *
 * ```yaml
 * stories:
 *   - name: a question in the middle of a complaint is answered, the complaint offered again
 *     channel: telegram          # telegram (default) | zalo | web | console
 *     from: [fresh, old_flow]    # the databases to start from (default: both)
 *     hotline: false             # run with no HOTLINE configured (default: a number is set)
 *     steps:
 *       - user: đường vào thôn bị sạt lở nửa năm rồi mà chưa ai sửa
 *         bot:
 *           intent: complaint:contact            # the reply's intent (or flow step)
 *           keys: [complaint.ack_described]      # texts that must appear ({{x}} matches anything)
 *           texts: [Giao thông]                  # plain substrings that must appear
 *           not_texts: [Lĩnh vực khác]           # …and must not
 *           buttons: ['#pa:skip']                # payloads (or labels) that must be offered
 *           locale: vi
 *       - user: làm giấy khai sinh cho con cần giấy tờ gì
 *         after: 45m                            # time passing before this message (s, m, h, d)
 *         bot: { keys: [conversation.continue_offer.complaint] }
 * ```
 */
import { z } from 'zod';
import type { Checked } from '../content/content-error';
import { readYamlWithSchema } from '../content/yaml-source';

const STORY_CHANNELS = ['telegram', 'zalo', 'web', 'console'] as const;
/** Where a story starts: an empty database, or one holding an old complaint draft left open by the same citizen. */
const STORY_STARTS = ['fresh', 'old_flow'] as const;
export type StoryStart = (typeof STORY_STARTS)[number];

const DURATION = /^(\d+)(s|m|h|d)$/;
const stringList = z.array(z.string().min(1)).default([]);

const ExpectationSchema = z.strictObject({
  intent: z.string().min(1).optional(),
  locale: z.enum(['vi', 'en']).optional(),
  keys: stringList,
  not_keys: stringList,
  texts: stringList,
  not_texts: stringList,
  buttons: stringList,
});

const StepSchema = z.strictObject({
  user: z.string(),
  after: z.string().regex(DURATION, 'a duration like 45m, 2h or 3d').optional(),
  photos: z.array(z.string().min(1)).max(10).optional(),
  location: z.strictObject({ latitude: z.number(), longitude: z.number() }).optional(),
  bot: ExpectationSchema.default({ keys: [], not_keys: [], texts: [], not_texts: [], buttons: [] }),
});

const StoryFileSchema = z.strictObject({
  stories: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        channel: z.enum(STORY_CHANNELS).default('telegram'),
        from: z.array(z.enum(STORY_STARTS)).min(1).default(['fresh', 'old_flow']),
        hotline: z.boolean().default(true),
        steps: z.array(StepSchema).min(1),
      }),
    )
    .min(1),
});

export type StoryExpectation = z.output<typeof ExpectationSchema>;
type StoryStep = z.output<typeof StepSchema> & { readonly line?: number };
export interface Story {
  readonly name: string;
  readonly channel: (typeof STORY_CHANNELS)[number];
  readonly from: readonly StoryStart[];
  readonly hotline: boolean;
  readonly steps: readonly StoryStep[];
  readonly file: string;
  readonly line?: number;
}

/** Reads and validates a story file. */
export async function loadStoryFile(path: string, displayName: string): Promise<Checked<Story[]>> {
  const parsed = await readYamlWithSchema(path, displayName, StoryFileSchema);
  if (!parsed.ok) return parsed;
  return {
    ok: true,
    value: parsed.value.stories.map((story, i) => ({
      ...story,
      file: displayName,
      line: parsed.lineOf(['stories', i, 'name']),
      steps: story.steps.map((step, j) => ({ ...step, line: parsed.lineOf(['stories', i, 'steps', j, 'user']) })),
    })),
  };
}

/** "45m" → milliseconds. */
export function durationMs(text: string): number {
  const match = DURATION.exec(text);
  if (!match) return 0;
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}
