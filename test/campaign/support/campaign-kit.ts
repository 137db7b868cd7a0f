/** The campaign's use cases on a test database, with the project's topic and survey files and the sample directory. */
import { join } from 'node:path';
import { CampaignUseCases } from '../../../src/campaign/campaign-use-cases';
import { loadNewsTopics, type NewsTopic } from '../../../src/campaign/news-topics';
import { loadSurveys, type SurveyDefinition } from '../../../src/campaign/survey';
import type { Directory } from '../../../src/complaints/directory/directory';
import type { ChannelName } from '../../../src/core/messages';
import { keyedHash } from '../../../src/infra/pseudonyms';
import type { Database } from '../../../src/storage/mongo/database';
import { MongoCampaignStore } from '../../../src/storage/mongo/mongo-campaign-store';
import { loadSampleDirectory } from '../../complaints/complaint-test-kit';

const ROOT = join(__dirname, '..', '..', '..');

export interface CampaignKit {
  readonly campaign: CampaignUseCases;
  readonly store: MongoCampaignStore;
  readonly topics: readonly NewsTopic[];
  readonly surveys: ReadonlyMap<string, SurveyDefinition>;
  readonly directory: Directory;
  readonly respondentKey: (channel: ChannelName, userId: string) => string;
}

export async function loadCampaignFiles(): Promise<Pick<CampaignKit, 'topics' | 'surveys' | 'directory'>> {
  const [topics, surveys, directory] = await Promise.all([
    loadNewsTopics(join(ROOT, 'config', 'news-topics.yaml'), 'config/news-topics.yaml'),
    loadSurveys(join(ROOT, 'surveys'), 'surveys'),
    loadSampleDirectory(),
  ]);
  if (!topics.ok || !surveys.ok) throw new Error('the project topic or survey files are invalid');
  return { topics: topics.value, surveys: surveys.value, directory };
}

export async function campaignKit(db: Database, options: { clock?: () => Date } = {}): Promise<CampaignKit> {
  const files = await loadCampaignFiles();
  const store = new MongoCampaignStore(db);
  const hash = keyedHash(Buffer.from('campaign-test-key'));
  const respondentKey = (channel: ChannelName, userId: string) => hash(`respondent:${channel}:${userId}`);
  const campaign = new CampaignUseCases({
    subscriptions: store,
    news: store,
    broadcasts: store,
    surveys: store,
    topics: () => files.topics,
    directory: { current: () => files.directory },
    surveyDefinitions: () => files.surveys,
    respondentKey,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return { campaign, store, respondentKey, ...files };
}
