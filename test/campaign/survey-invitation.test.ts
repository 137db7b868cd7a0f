/**
 * A survey invitation's receipt is written just after its send, grouped with others; a
 * citizen who presses "Tham gia khảo sát" before it lands is still recognised as invited,
 * and one who was never sent an invitation is refused.
 */
import { subscriberId, surveyBroadcastId } from '../../src/campaign/campaign-use-cases';
import { MongoCampaignStore } from '../../src/storage/mongo/mongo-campaign-store';
import { startTestService, type TestService } from '../support/test-service';

let s: TestService;
let store: MongoCampaignStore;
let campaignId: string;

beforeAll(async () => {
  s = await startTestService('survey_invitation');
  store = new MongoCampaignStore(s.app.db);
  const created = await s.app.campaign.createSurveyCampaign({
    surveyId: 'sipas-dich-vu-cong',
    name: 'Khảo sát thử',
    audience: { kind: 'survey', subscribers: { topics: [] } },
    by: 'test',
  });
  if (!created.ok) throw new Error(created.error);
  campaignId = created.id;
  // Opened without a broadcast: the test plays the dispatcher's part itself.
  await store.setState(campaignId, 'launched', new Date());
}, 120_000);

afterAll(() => s?.close());

function keyOf(userId: string): string {
  return `${surveyBroadcastId(campaignId)}|${subscriberId('web', userId)}`;
}

test('an invitation being sent: the start waits for its receipt and takes the agency from it', async () => {
  const key = keyOf('web-session-quick');
  expect((await store.claimAttempts([key], 1, 'test-dispatcher')).has(key)).toBe(true);
  const start = s.app.campaign.startSurvey(campaignId, 'web', 'web-session-quick');
  await new Promise((r) => setTimeout(r, 400));
  await store.addReceipts([
    {
      key,
      broadcastId: surveyBroadcastId(campaignId),
      recipientId: subscriberId('web', 'web-session-quick'),
      channel: 'web',
      outcome: 'sent',
      attempts: 1,
      at: new Date(),
      agencyId: 'so-noi-vu',
    },
  ]);
  const result = await start;
  expect(result.ok).toBe(true);
  if (result.ok) expect(result.agencyId).toBe('so-noi-vu');
});

test('never sent an invitation: refused', async () => {
  const result = await s.app.campaign.startSurvey(campaignId, 'web', 'web-session-stranger');
  expect(result).toEqual({ ok: false, reason: 'not_invited' });
});
