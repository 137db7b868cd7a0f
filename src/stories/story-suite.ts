/**
 * Runs story files: each story from each start it names, on one database. Used by
 * `npm run nlu -- stories FILE…` (on the embedded database or MONGODB_URI) and by the
 * test suite (on the test server).
 */
import { relative } from 'node:path';
import { formatContentError } from '../content/content-error';
import type { Database } from '../storage/mongo/database';
import { loadStoryFile, type Story } from './story-file';
import { runStory, type StoryResult } from './story-runner';
import { STORY_START_TIME, createStoryWorld } from './story-world';

export interface SuiteResult {
  readonly results: readonly StoryResult[];
  /** Problems in the story files themselves (file and line). */
  readonly fileErrors: readonly string[];
}

export async function loadStories(files: readonly string[], root: string): Promise<{ stories: Story[]; fileErrors: string[] }> {
  const stories: Story[] = [];
  const fileErrors: string[] = [];
  for (const file of files) {
    const loaded = await loadStoryFile(file, relative(root, file));
    if (loaded.ok) stories.push(...loaded.value);
    else fileErrors.push(...loaded.errors.map(formatContentError));
  }
  return { stories, fileErrors };
}

export async function runStoryFiles(files: readonly string[], db: Database, root: string): Promise<SuiteResult> {
  const { stories, fileErrors } = await loadStories(files, root);
  if (fileErrors.length) return { results: [], fileErrors };
  const world = await createStoryWorld(db, root);
  const results: StoryResult[] = [];
  for (const story of stories) {
    for (const start of story.from) results.push(await runStory(world, story, start, STORY_START_TIME));
  }
  return { results, fileErrors };
}

/** The report `npm run nlu -- stories` prints, ending with "N passed, N failed". */
export function formatSuite(suite: SuiteResult): string {
  if (suite.fileErrors.length) return `${suite.fileErrors.join('\n')}\n\n${suite.fileErrors.length} problem(s) in story files.`;
  const lines: string[] = [];
  for (const r of suite.results) {
    lines.push(`${r.failures.length ? 'FAIL' : 'ok  '} ${r.story.name} [${r.start}]`);
    for (const f of r.failures) lines.push(`       ${f}`);
  }
  const failed = suite.results.filter((r) => r.failures.length).length;
  lines.push('', `${suite.results.length - failed} passed, ${failed} failed`);
  return lines.join('\n');
}
