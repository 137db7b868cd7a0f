/**
 * Submitting a complaint: store it (the citizen is given a code only once it is stored),
 * count it for the daily cap, keep its photos, plan its deliveries.
 *
 * Database round-trips on this path, none a scan on FerretDB: the day's unit of the
 * citizen's cap (a unique insert by `_id`), the deliveries (one insert for all
 * transports), the complaint (by `_id` = code; the unique submission key makes the insert
 * itself the duplicate check).
 *
 * Why the deliveries go first: there are no multi-document transactions, and a complaint
 * stored before its deliveries could be lost by a crash in between. Stored after them, it
 * is stored as planned, and a crash in between leaves only deliveries without a complaint
 * — the citizen got no code — which the agency outbox drops (they carry the submission
 * key, so they are never sent for another complaint that has the same code).
 */
import { localDateKey } from '../working-days';
import { newComplaint, type ComplaintDraft } from '../domain/new-complaint';
import { newPin, pinHash } from '../domain/status-secret';
import { agencyDisplayName } from '../domain/complaint-views';
import type { Complaint, PhotoRef } from '../domain/complaint';
import { DEFAULT_COMPLAINTS_PER_DAY, MAX_PHOTO_BYTES } from '../domain/limits';
import { newTrackingCode } from '../tracking-code';
import { DailyLimitReached, type SubmittedComplaint } from '../complaint-service';
import { reportDeadlineCoverage } from './deadline-coverage';
import { planRouting } from './commit-decision';
import { planDeliveries } from '../domain/agency-delivery-plan';
import { pendingAgencyNotice } from '../domain/complaint-events';
import type { ComplaintUseCaseDeps } from './use-case-deps';
import { ruleContext } from './use-case-deps';

const CODE_ATTEMPTS = 8;

/** One counter per citizen and Vietnamese calendar day. */
export function citizenDayKey(channel: string, userId: string, now: Date): string {
  return `${channel}:${userId}:${localDateKey(now)}`;
}

/**
 * Stores the draft as a new complaint, or gives the one it already made (`duplicate`).
 * @throws DailyLimitReached when the citizen's daily cap is used up (checked atomically:
 *   parallel submits from one citizen, in any number of processes, get at most the cap).
 */
export async function submitComplaint(deps: ComplaintUseCaseDeps, draft: ComplaintDraft, now: Date): Promise<SubmittedComplaint> {
  const ctx = ruleContext(deps, now);
  const drawCode = deps.newCode ?? newTrackingCode;
  const limit = deps.dailyLimit ?? DEFAULT_COMPLAINTS_PER_DAY;
  let unit: string | undefined;
  for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
    const code = drawCode();
    const pin = (deps.newPin ?? newPin)();
    const complaint: Complaint = { ...newComplaint(draft, code, pinHash(code, pin), ctx), deliveriesPlanned: true };
    // The cap's unit is taken before anything is stored, once per submission (a crash after it costs the citizen one unit that day).
    unit ??= await deps.dailyCounter.take(citizenDayKey(draft.channel, draft.requesterKey ?? draft.userId, now), localDateKey(now), limit);
    if (!unit) {
      // All used: the same draft sent again (a lost answer) still gets its code; a scan on FerretDB, only at the cap.
      if (await deps.repository.findBySubmissionKey(complaint.submissionKey)) return duplicateOf(deps, complaint.submissionKey, now);
      throw new DailyLimitReached(limit);
    }
    const plan = planDeliveries(ctx.directory, pendingAgencyNotice(complaint), now);
    if (plan.redirected) {
      deps.logger.warn(
        { code, agencyId: plan.redirected.from, coordinator: plan.redirected.to },
        'agency has no delivery configured: planning delivery to the coordinator',
      );
    }
    await deps.outbox.addDeliveries(plan.records.map((r) => ({ ...r, submissionKey: complaint.submissionKey })));
    const outcome = await deps.repository.insert(complaint);
    if (outcome === 'code_taken') {
      deps.logger.warn({ attempt }, 'tracking code collision: drawing another');
      continue;
    }
    if (outcome === 'duplicate_submission') {
      await deps.dailyCounter.release(unit);
      return duplicateOf(deps, complaint.submissionKey, now);
    }
    deps.observer?.submitted(complaint);
    reportDeadlineCoverage(deps, code, now, complaint.dueAt);
    if (draft.photoRefs.length > 0) await keepPhotos(deps, complaint);
    deps.logger.info(
      { code, agencyId: complaint.agencyId, sector: draft.sector, channel: draft.channel, photos: draft.photoRefs.length },
      'complaint submitted',
    );
    return { code, pin, ...agencyOf(deps, complaint), dueAt: complaint.dueAt, duplicate: false };
  }
  throw new Error(`could not draw a free tracking code in ${CODE_ATTEMPTS} attempts`);
}

function agencyOf(deps: ComplaintUseCaseDeps, complaint: Complaint): { agencyId: string; agencyName: string } {
  return { agencyId: complaint.agencyId, agencyName: agencyDisplayName(deps.directory.current(), complaint.agencyId, complaint.locale) };
}

async function duplicateOf(deps: ComplaintUseCaseDeps, key: string, now: Date): Promise<SubmittedComplaint> {
  const existing = await deps.repository.findBySubmissionKey(key);
  if (!existing) throw new Error('a duplicate submission vanished');
  if (!existing.deliveriesPlanned) await planRouting(deps, existing, now);
  return { code: existing.code, ...agencyOf(deps, existing), dueAt: existing.dueAt, duplicate: true };
}

/** Downloads and stores the photos the channel can fetch; keeps the references of the others. Never throws for a bad photo. */
async function keepPhotos(deps: ComplaintUseCaseDeps, complaint: Complaint): Promise<void> {
  const fetcher = deps.photoFetchers?.[complaint.channel];
  if (!fetcher) return;
  const photos: PhotoRef[] = [];
  for (const { sourceRef } of complaint.photos) {
    try {
      const photo = await fetcher.fetch(sourceRef);
      if (!photo) photos.push({ sourceRef });
      else if (photo.bytes.length > MAX_PHOTO_BYTES) {
        deps.logger.warn(
          { code: complaint.code, size: photo.bytes.length },
          'complaint photo larger than the limit: kept as a reference only',
        );
        photos.push({ sourceRef });
      } else {
        const photoId = await deps.photos.save(complaint.code, photo);
        photos.push({ sourceRef, photoId, contentType: photo.contentType, size: photo.bytes.length });
      }
    } catch (err) {
      // The error's name only: a download URL in the message may carry a bot token.
      deps.logger.warn({ code: complaint.code, err: (err as Error).name }, 'complaint photo download failed: kept as a reference only');
      photos.push({ sourceRef });
    }
  }
  await deps.repository.setPhotos(complaint.code, photos);
}
