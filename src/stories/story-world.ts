/**
 * The bot a story talks to: the real conversation engine with the real content files,
 * complaint service, directory and conversation store on a real MongoDB-protocol
 * database — only the clock is the story's, so "after: 45m" costs nothing.
 */
import { join } from 'node:path';
import { contentRequirements } from '../app-text-keys';
import { ComplaintUseCases } from '../complaints/use-cases/complaint-use-cases';
import { ComplaintFlow } from '../complaints/complaint-flow';
import { loadDirectory } from '../complaints/directory/directory-loader';
import { loadHolidays } from '../complaints/holiday-calendar';
import { RatingFlow } from '../complaints/rating-flow';
import { ComplaintStatusHandler } from '../complaints/status-handler';
import { ContentValidationError } from '../content/content-error';
import { loadBotContent, validateContentFiles, type ContentPaths } from '../content/content-loader';
import type { BotContent } from '../core/bot-content';
import { ConversationEngine } from '../core/conversation-engine';
import type { ConversationStore } from '../core/conversation-store';
import { Translator } from '../i18n/translator';
import type { Database } from '../storage/mongo/database';
import { mongoComplaintPorts } from '../storage/mongo/mongo-complaint-ports';
import { MongoConversationStore } from '../storage/mongo/mongo-conversation-store';
import { silentLogger } from '../infra/logger';

/** Monday 10 March 2025, 10:00 in Vietnam: a working day, within office hours. */
export const STORY_START_TIME = new Date('2025-03-10T03:00:00Z');
/** The hotline number stories run with, unless a story says `hotline: false`. */
const STORY_HOTLINE = '0260 3 822 222';

export interface StoryWorld {
  readonly store: ConversationStore;
  /** The engine for a story: with or without a configured hotline number. */
  engine(options: { hotline: boolean }): ConversationEngine;
  content(options: { hotline: boolean }): BotContent;
  /** The story's clock; a story moves it forward. */
  now: Date;
}

/** Builds the world from the project's files on `db`. */
export async function createStoryWorld(db: Database, root: string): Promise<StoryWorld> {
  const paths: ContentPaths = {
    root,
    intentsDir: join(root, 'intents'),
    localesDir: join(root, 'locales'),
    abbreviationsFile: join(root, 'config', 'abbreviations.yaml'),
    sectorsFile: join(root, 'config', 'sectors.yaml'),
  };
  const botName = 'Trợ lý CCHC';
  const loaded = await loadBotContent(paths, { ...contentRequirements(), textGlobals: { hotline: STORY_HOTLINE, botName } });
  if (!loaded.ok) throw new ContentValidationError(loaded.errors);
  const validated = await validateContentFiles(paths, contentRequirements());
  if (!validated.ok) throw new ContentValidationError(validated.errors);
  const withoutHotline: BotContent = { ...loaded.value, translator: new Translator(validated.value.locales, { botName }) };
  const directory = await loadDirectory(join(root, 'config', 'directory', 'kontum-2021.yaml'));
  if (!directory.ok) throw new ContentValidationError(directory.errors);
  const holidays = await loadHolidays(join(root, 'config', 'holidays.yaml'));
  if (!holidays.ok) throw new ContentValidationError(holidays.errors);

  const store = new MongoConversationStore(db);
  const world: StoryWorld = {
    store,
    now: STORY_START_TIME,
    content: ({ hotline }) => (hotline ? loaded.value : withoutHotline),
    engine: ({ hotline }) => {
      const clock = (): Date => world.now;
      const directorySource = { current: () => directory.value };
      const service = new ComplaintUseCases({
        ...mongoComplaintPorts(db, 'stories', clock),
        directory: directorySource,
        holidays: holidays.value,
        clock,
        logger: silentLogger(),
      });
      const content = hotline ? loaded.value : withoutHotline;
      return new ConversationEngine({
        content: { current: () => content },
        store,
        flows: [new ComplaintFlow({ service, directory: directorySource }), new RatingFlow({ service })],
        intentHandlers: { complaint_status: new ComplaintStatusHandler({ service }) },
        clock,
      });
    },
  };
  return world;
}
