/**
 * What citizens do with their complaints after filing them: look them up (from anywhere,
 * with the code and a secret), list their own, rate the answer, and withdraw consent.
 */
import type { ChannelName, Locale } from '../../core/messages';
import { CITIZEN_ACTOR, historyActor, type Complaint, type ComplaintChange } from '../domain/complaint';
import { decideRating } from '../domain/complaint-rules';
import { toCitizenView, toPublicView, type CitizenComplaintView } from '../domain/complaint-views';
import { secretMatches } from '../domain/status-secret';
import type { ActionResult, StatusLookup, StatusRequest } from '../complaint-service';
import { conversationKey } from '../../core/messages';
import { isTrackingCode } from '../tracking-code';
import { localDateKey } from '../working-days';
import { commitDecision } from './commit-decision';
import { citizenDayKey } from './submit-complaint';
import type { ComplaintUseCaseDeps } from './use-case-deps';
import { ruleContext } from './use-case-deps';
import { toAgencyView } from '../domain/complaint-views';

/** Wrong secrets allowed per complaint per day, from anyone: a 6-digit PIN then resists guessing (5 in a million a day). */
const FAILED_SECRETS_PER_CODE = 5;
/** Wrong secrets allowed per requester (channel + user) per day, over all codes. */
const FAILED_SECRETS_PER_REQUESTER = 10;
const DEFAULT_LIST_LIMIT = 10;

const isFiler = (c: Complaint, channel: ChannelName, userId: string): boolean => c.channel === channel && c.userId === userId;

export async function lookUp(deps: ComplaintUseCaseDeps, request: StatusRequest): Promise<StatusLookup> {
  const complaint = isTrackingCode(request.code) ? await deps.repository.findByCode(request.code) : undefined;
  if (!complaint) return { ok: false, error: 'not_found' };
  const now = deps.clock();
  const full = (): StatusLookup => ({
    ok: true,
    access: 'full',
    complaint: toCitizenView(complaint, deps.directory.current(), now, request.locale),
  });
  const partial = (reason: 'no_secret' | 'wrong_secret' | 'locked'): StatusLookup => ({
    ok: true,
    access: 'public',
    reason,
    complaint: toPublicView(complaint, now),
  });
  if (isFiler(complaint, request.channel, request.userId)) return full();
  if (!request.secret) return partial('no_secret');
  const day = localDateKey(now);
  const keys = [`code:${complaint.code}:${day}`, `requester:${request.channel}:${request.userId}:${day}`];
  const [perCode, perRequester] = await deps.attempts.failures(keys);
  if (perCode >= FAILED_SECRETS_PER_CODE || perRequester >= FAILED_SECRETS_PER_REQUESTER) {
    deps.logger.warn({ code: complaint.code, channel: request.channel }, 'status secret locked for today: too many wrong attempts');
    return partial('locked');
  }
  if (secretMatches(complaint, request.secret)) return full();
  await deps.attempts.recordFailure(keys, day);
  deps.logger.info({ code: complaint.code, channel: request.channel }, 'wrong status secret');
  return partial('wrong_secret');
}

export async function listForCitizen(
  deps: ComplaintUseCaseDeps,
  channel: ChannelName,
  userId: string,
  limit = DEFAULT_LIST_LIMIT,
  locale?: Locale,
): Promise<CitizenComplaintView[]> {
  const complaints = await deps.repository.listForCitizen(channel, userId, Math.max(1, Math.min(limit, 50)));
  const now = deps.clock();
  return complaints.map((c) => toCitizenView(c, deps.directory.current(), now, locale));
}

export async function countToday(deps: ComplaintUseCaseDeps, channel: ChannelName, userId: string, now: Date): Promise<number> {
  return deps.dailyCounter.count(citizenDayKey(channel, userId, now));
}

export async function rate(
  deps: ComplaintUseCaseDeps,
  code: string,
  channel: ChannelName,
  userId: string,
  score: number,
  comment?: string,
): Promise<ActionResult> {
  if (!Number.isInteger(score) || score < 1 || score > 5)
    return { ok: false, error: 'invalid_input', message: 'score must be an integer from 1 to 5' };
  // Someone else's code answers exactly like an unknown one: codes cannot be probed.
  const notFound = { ok: false as const, error: 'not_found' as const, message: `no complaint ${code} for this citizen` };
  const committed = await commitDecision(deps, code, (c, now) =>
    isFiler(c, channel, userId) ? decideRating(c, score, comment, ruleContext(deps, now)) : notFound,
  );
  if (!committed.ok) return committed.error === 'not_found' ? notFound : committed;
  if (committed.after.status === 'reopened' && committed.before.status !== 'reopened') {
    deps.logger.info({ code, score, agencyId: committed.after.agencyId }, 'complaint reopened after a low rating');
  }
  return { ok: true, complaint: toAgencyView(committed.after, deps.directory.current(), deps.clock()) };
}

/**
 * Decree 13/2023: the citizen withdrew consent. Their texts, contacts, photos, comments,
 * conversation and queued notifications go; the complaints' statuses, agencies, dates and
 * the agencies' own notes stay, for statistics. Returns how many complaints were erased.
 */
export async function forgetCitizen(deps: ComplaintUseCaseDeps, channel: ChannelName, userId: string): Promise<number> {
  await deps.conversations.delete(conversationKey(channel, userId));
  const complaints = await deps.repository.listByCitizen(channel, userId);
  for (const complaint of complaints) {
    const committed = await commitDecision(deps, complaint.code, (c) => ({ ok: true, ...erasure(c) }));
    if (!committed.ok) deps.logger.error({ code: complaint.code, error: committed.error }, 'could not erase a complaint');
    await deps.repository.deletePhotos(complaint.code);
  }
  await deps.outbox.forgetCitizen(
    channel,
    userId,
    complaints.map((c) => c.code),
  );
  for (const other of deps.otherCitizenData ?? []) await other.forgetCitizen(channel, userId);
  deps.logger.info({ channel, complaints: complaints.length }, 'citizen data forgotten');
  return complaints.length;
}

function erasure(complaint: Complaint): {
  change: ComplaintChange;
  after: Complaint;
  citizenNotices: [];
  agencyNotices: [];
  rerouted: false;
} {
  const citizen = historyActor(CITIZEN_ACTOR).kind;
  // Citizen-written notes (comments) go; agency notes, the actions and the scores stay.
  const history = complaint.history.map((h) => (h.actor.kind === citizen && h.action !== 'rated' ? { ...h, note: undefined } : h));
  const change: ComplaintChange = {
    set: {
      text: '',
      photos: [],
      history,
      userId: `forgotten:${complaint.code}`,
      submissionKey: `forgotten:${complaint.code}`,
    },
    unset: ['contact', 'rating.comment'],
  };
  return { change, after: { ...complaint, ...change.set, contact: undefined }, citizenNotices: [], agencyNotices: [], rerouted: false };
}
