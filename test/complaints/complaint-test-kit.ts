/** Shared set-up for the complaint tests: the repo's real content, directory and holidays. */
import { join } from 'node:path';
import type { BotContent } from '../../src/core/bot-content';
import type { IncomingMessage } from '../../src/core/messages';
import { loadBotContent } from '../../src/content/content-loader';
import { loadHolidays, type HolidayCalendar } from '../../src/complaints/holiday-calendar';
import { contentRequirements } from '../../src/app-text-keys';

export { loadSampleDirectory } from './sample-directory';

const ROOT = join(__dirname, '..', '..');

export const TEXT_GLOBALS = { hotline: '0260 1022', botName: 'Trợ lý CCHC' } as const;

/** Loads and trains the repo's intents and locales, requiring the complaint texts. */
export async function loadTestContent(): Promise<BotContent> {
  const result = await loadBotContent(
    {
      intentsDir: join(ROOT, 'intents'),
      localesDir: join(ROOT, 'locales'),
      abbreviationsFile: join(ROOT, 'config', 'abbreviations.yaml'),
      sectorsFile: join(ROOT, 'config', 'sectors.yaml'),
      root: ROOT,
    },
    { ...contentRequirements(), textGlobals: TEXT_GLOBALS },
  );
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.file}:${e.line ?? ''}: ${e.message}`).join('\n'));
  return result.value;
}

export async function loadTestHolidays(): Promise<HolidayCalendar> {
  const result = await loadHolidays(join(ROOT, 'config', 'holidays.yaml'));
  if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('\n'));
  return result.value;
}

/** A source that always gives the same value (content, directory). */
export function fixed<T>(value: T): { current(): T } {
  return { current: () => value };
}

/** A citizen's message on `channel`. */
export function message(
  userId: string,
  text: string,
  extra: Partial<IncomingMessage> = {},
  channel: IncomingMessage['channel'] = 'telegram',
): IncomingMessage {
  return { channel, userId, text, ...extra };
}

/** Monday 10 March 2025, 10:00 in Vietnam: a working day, within office hours. */
export const MONDAY_10AM = new Date('2025-03-10T03:00:00Z');

/** Training the matcher takes seconds, more on a busy machine: set-up gets its own time limit. */
export const SETUP_TIMEOUT_MS = 120_000;
