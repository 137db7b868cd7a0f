/**
 * Runs every conversation story in test/stories/*.yaml (see src/stories/story-file.ts)
 * against the real engine, content and complaint service on the test database, from a
 * fresh database and from one holding an old open draft.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadStories } from '../../src/stories/story-suite';
import { runStory } from '../../src/stories/story-runner';
import { STORY_START_TIME, createStoryWorld, type StoryWorld } from '../../src/stories/story-world';
import type { Story } from '../../src/stories/story-file';
import type { Database } from '../../src/storage/mongo/database';
import { dropTestDatabase, openTestDatabase } from '../support/database';
import { SETUP_TIMEOUT_MS } from '../complaints/complaint-test-kit';

const ROOT = join(__dirname, '..', '..');
const FILES = readdirSync(__dirname)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => join(__dirname, f));

let db: Database;
let world: StoryWorld;
let stories: Story[];

beforeAll(async () => {
  db = await openTestDatabase('stories');
  world = await createStoryWorld(db, ROOT);
  const loaded = await loadStories(FILES, ROOT);
  expect(loaded.fileErrors).toEqual([]);
  stories = loaded.stories;
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await dropTestDatabase(db);
});

it('finds the story files', () => {
  expect(FILES.length).toBeGreaterThan(0);
  expect(stories.length).toBeGreaterThanOrEqual(10);
});

it('every story passes from every start it names', async () => {
  const failures: string[] = [];
  for (const story of stories) {
    for (const start of story.from)
      failures.push(...(await runStory(world, story, start, STORY_START_TIME)).failures.map((f) => `[${start}] ${f}`));
  }
  expect(failures).toEqual([]);
}, 120_000);
