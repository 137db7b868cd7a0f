/**
 * The topics of news items and subscriptions (`config/news-topics.yaml`): ids stored in
 * subscriptions and news files, labels in both languages for the buttons. Validated with
 * file and line like every file admins edit.
 */
import { z } from 'zod';
import type { Checked } from '../content/content-error';
import type { Locale } from '../core/messages';
import { readYamlWithSchema } from '../content/yaml-source';

/** Buttons on a phone screen: five topics and "done". */
export const MAX_TOPICS = 5;

const label = z.string().trim().min(1).max(40, 'a label must fit on a phone button (40 characters)');

const TopicFileSchema = z.strictObject({
  topics: z
    .array(
      z.strictObject({
        id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'a topic id must be lower_snake_case'),
        label: z.strictObject({ vi: label, en: label }),
      }),
    )
    .min(1, 'at least one topic is needed')
    .max(MAX_TOPICS, `at most ${MAX_TOPICS} topics fit the buttons of a phone screen`),
});

export interface NewsTopic {
  readonly id: string;
  readonly label: Readonly<Record<Locale, string>>;
}

export async function loadNewsTopics(path: string, displayName: string): Promise<Checked<readonly NewsTopic[]>> {
  const parsed = await readYamlWithSchema(path, displayName, TopicFileSchema);
  if (!parsed.ok) return parsed;
  const seen = new Set<string>();
  for (const [i, topic] of parsed.value.topics.entries()) {
    if (seen.has(topic.id))
      return {
        ok: false,
        errors: [{ file: displayName, line: parsed.lineOf(['topics', i, 'id']), message: `topic '${topic.id}' is listed twice` }],
      };
    seen.add(topic.id);
  }
  return { ok: true, value: parsed.value.topics };
}
