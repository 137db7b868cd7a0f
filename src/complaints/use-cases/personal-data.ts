/**
 * Personal data of complaints: erased when the citizen withdraws consent or asks for it
 * (Zalo `user_withdraw`, the `citizen-data` command), and by the retention job once a
 * finished complaint is old enough. The rule of what goes and what stays is the domain's
 * (domain/personal-data.ts); this stores it version by version like any other change and
 * clears the copies the outboxes hold.
 */
import type { ChannelName } from '../../core/messages';
import { conversationKey } from '../../core/messages';
import type { Complaint } from '../domain/complaint';
import { decidePersonalDataErasure, isFinished } from '../domain/personal-data';
import { commitDecision } from './commit-decision';
import type { ComplaintUseCaseDeps } from './use-case-deps';

/**
 * The citizen withdrew consent or asked for erasure: their texts, contacts, photos,
 * comments, conversation and queued notifications go; the complaints' statuses, agencies,
 * dates and the agencies' own notes stay, for statistics. Returns how many complaints were erased.
 */
export async function forgetCitizen(deps: ComplaintUseCaseDeps, channel: ChannelName, userId: string): Promise<number> {
  await deps.conversations.delete(conversationKey(channel, userId));
  const complaints = await deps.repository.listByCitizen(channel, userId);
  const codes = complaints.map((c) => c.code);
  await eraseComplaints(deps, codes);
  await deps.outbox.forgetCitizen(channel, userId, codes);
  for (const other of deps.otherCitizenData ?? []) await other.forgetCitizen(channel, userId);
  deps.logger.info({ channel, complaints: complaints.length }, 'citizen data forgotten');
  return complaints.length;
}

/**
 * Erases the personal data of these complaints (each a versioned change) and of their
 * photos. `still` is checked on the complaint as it is when the change is decided (a
 * complaint reopened meanwhile is no longer due for the retention rule).
 */
async function eraseComplaints(
  deps: ComplaintUseCaseDeps,
  codes: readonly string[],
  still: (complaint: Complaint) => boolean = () => true,
): Promise<string[]> {
  const erased: string[] = [];
  for (const code of codes) {
    const committed = await commitDecision(deps, code, (c, now) =>
      still(c) ? decidePersonalDataErasure(c, now) : { ok: false, error: 'invalid_state', message: 'no longer due for erasure' },
    );
    if (!committed.ok) {
      if (committed.error !== 'invalid_state') deps.logger.error({ code, error: committed.error }, 'could not erase a complaint');
      continue;
    }
    await deps.repository.deletePhotos(code);
    erased.push(code);
  }
  return erased;
}

export interface RetentionRound {
  /** Complaints whose personal data was erased in this round. */
  readonly erased: number;
  /** True when more complaints are waiting (the round stopped at its limit). */
  readonly more: boolean;
}

/**
 * The retention rule for finished complaints: one resolved or closed and unchanged for
 * `retentionMs` has its personal data erased (the statistics stay). A complaint that
 * changed since (rated, reopened) waits again from its last change. At most `limit` per
 * round, so one round stays short.
 */
export async function erasePersonalDataOfFinished(
  deps: ComplaintUseCaseDeps,
  now: Date,
  retentionMs: number,
  limit = 100,
): Promise<RetentionRound> {
  const cutoff = new Date(now.getTime() - retentionMs);
  const due = await deps.repository.listFinishedUnchangedSince(cutoff, limit);
  const finished = (c: Complaint): boolean =>
    isFinished(c.status) && !c.personalDataErasedAt && (c.updatedAt ?? c.createdAt).getTime() < cutoff.getTime();
  const erased = await eraseComplaints(
    deps,
    due.map((c) => c.code),
    finished,
  );
  await deps.outbox.forgetComplaints(erased);
  if (erased.length > 0) deps.logger.info({ complaints: erased.length }, 'personal data of finished complaints erased (retention)');
  return { erased: erased.length, more: due.length === limit };
}
