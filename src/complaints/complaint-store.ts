/**
 * `MongoComplaintService`: the {@link ComplaintService} contract over MongoDB (or
 * FerretDB). Stores complaints, routes them through the directory, plans agency
 * deliveries in the outbox, records every action in the complaint's history and tells
 * the citizen through the notification outbox.
 *
 * Concurrency (FerretDB v1 conditional updates are not atomic, unique indexes are):
 * - "one complaint per submission" and "one code per complaint" rest on unique indexes;
 * - every message (delivery, notification) has an idempotency key derived from the
 *   complaint's history, so an action applied twice by a race still sends one message;
 * - status changes are conditional updates (atomic on MongoDB; on FerretDB a true race
 *   between two officers may record an action twice in the history, never send twice).
 */
import type { ConversationStore } from '../core/conversation-store';
import type { ChannelName, Locale } from '../core/messages';
import { conversationKey } from '../core/messages';
import type { Logger } from '../infra/logger';
import { silentLogger } from '../infra/logger';
import { isDuplicateKeyError } from '../storage/mongo/claims';
import type { Database } from '../storage/mongo/database';
import type {
  ActionError,
  ActionResult,
  Actor,
  AgencyComplaintView,
  CitizenComplaintView,
  CitizenLookup,
  ComplaintDraft,
  ComplaintService,
  ComplaintStatus,
  SubmittedComplaint,
} from './complaint-service';
import { storePhotos, type PhotoFetcher } from './complaint-photos';
import { toAgencyView, toCitizenView, agencyDisplayName, type StoredComplaint, type StoredHistoryEntry } from './complaint-views';
import { planDeliveries, pendingMessage, type DirectorySource } from './delivery-planner';
import type { Directory } from './directory/directory';
import { routeComplaint } from './directory/routing';
import type { HolidayCalendar } from './holiday-calendar';
import type { NotificationKind } from './notification-texts';
import { cleanComplaintText, checkComplaintText, submissionKey } from './submission-key';
import { isTrackingCode, newTrackingCode } from './tracking-code';
import { addWorkingDays, localDateKey } from './working-days';

export type { DirectorySource } from './delivery-planner';
/** For the sweeper: finishes planning complaints a crash left with deliveriesPlanned:false. */
export { planPendingDeliveries } from './delivery-planner';
export type { PhotoFetcher } from './complaint-photos';

export interface ComplaintServiceDeps {
  readonly db: Database;
  readonly directory: DirectorySource;
  readonly holidays: HolidayCalendar;
  readonly clock?: () => Date;
  /** Per channel, how to download the photos it references (none: only the reference is kept). */
  readonly photoFetchers?: Partial<Readonly<Record<ChannelName, PhotoFetcher>>>;
  readonly logger?: Logger;
  /**
   * Where conversation state lives, so forgetCitizen can delete it. Default: the
   * `conversations` collection (what MongoConversationStore uses).
   */
  readonly conversations?: ConversationStore;
}

const CODE_ATTEMPTS = 8;
const DEFAULT_LIST_LIMIT = 10;
const MAX_AGENCY_LIST = 200;
const MAX_NOTE_LENGTH = 4000;
const MAX_COMMENT_LENGTH = 1000;

/** Who may do what, from which statuses. */
const ALLOWED_FROM: Readonly<Record<'acknowledge' | 'answer' | 'transfer' | 'resolve', readonly ComplaintStatus[]>> = {
  acknowledge: ['received', 'forwarded', 'reopened'],
  answer: ['received', 'forwarded', 'acknowledged', 'answered', 'reopened'],
  transfer: ['received', 'forwarded', 'acknowledged', 'answered', 'reopened'],
  resolve: ['received', 'forwarded', 'acknowledged', 'answered', 'reopened'],
};

type Loaded = { ok: true; doc: StoredComplaint } | { ok: false; error: ActionError; message: string };

export class MongoComplaintService implements ComplaintService {
  private readonly clock: () => Date;
  private readonly logger: Logger;

  constructor(private readonly deps: ComplaintServiceDeps) {
    this.clock = deps.clock ?? (() => new Date());
    this.logger = deps.logger ?? silentLogger();
  }

  private get models() {
    return this.deps.db.models;
  }

  private directory(): Directory {
    return this.deps.directory.current();
  }

  // ---------------------------------------------------------------- submit

  async submit(draft: ComplaintDraft, now: Date = this.clock()): Promise<SubmittedComplaint> {
    const checked = checkComplaintText(draft.text);
    if (!checked.ok) throw new RangeError(`complaint text is ${checked.reason.replace('_', ' ')}`);
    const key = submissionKey({ ...draft, text: checked.text });
    // No look-up first: the unique index on submissionKey makes the insert itself the
    // duplicate check (a look-up by submissionKey is a full scan on FerretDB).

    const directory = this.directory();
    const route = routeComplaint(directory, { sector: draft.sector, localityId: draft.localityId });
    const dueAt = addWorkingDays(now, route.agency.deadlineWorkingDays, this.deps.holidays);
    const created = await this.insertWithFreshCode(draft, checked.text, key, route.agency.id, route.rule, dueAt, now);
    if (!created) return this.duplicateOf((await this.findBySubmissionKey(key))!, now);

    const code = created;
    const dayKey = citizenDayKey(draft.channel, draft.requesterKey ?? draft.userId, now);
    await this.models.CitizenDayCount.updateOne(
      { _id: dayKey },
      { $inc: { count: 1 }, $setOnInsert: { day: localDateKey(now) } },
      { upsert: true },
    );
    if (draft.photoRefs.length > 0) {
      const photos = await storePhotos(this.deps.db, code, draft.photoRefs, this.deps.photoFetchers?.[draft.channel], this.logger);
      await this.models.Complaint.updateOne({ code }, { $set: { photos } });
    }
    await this.finishPlanning(code, now);
    this.logger.info(
      { code, agencyId: route.agency.id, sector: draft.sector, channel: draft.channel, photos: draft.photoRefs.length },
      'complaint submitted',
    );
    return { code, agencyId: route.agency.id, agencyName: route.agency.name[draft.locale], dueAt, duplicate: false };
  }

  /** Inserts the complaint; draws a new code on a code collision. Undefined when the same submission won a race. */
  private async insertWithFreshCode(
    draft: ComplaintDraft,
    text: string,
    key: string,
    agencyId: string,
    routingReason: string,
    dueAt: Date,
    now: Date,
  ): Promise<string | undefined> {
    const contact = draft.contact && (draft.contact.name || draft.contact.phone) ? { ...draft.contact } : undefined;
    const history: StoredHistoryEntry = { at: now, action: 'submitted', actor: { kind: 'citizen', id: 'citizen' }, agencyId };
    for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
      const code = newTrackingCode();
      try {
        await this.models.Complaint.create({
          code,
          submissionKey: key,
          channel: draft.channel,
          userId: draft.userId,
          locale: draft.locale,
          text,
          sector: draft.sector,
          localityId: draft.localityId,
          agencyId,
          routingReason,
          contact,
          photos: draft.photoRefs.slice(0, 5).map((sourceRef) => ({ sourceRef })),
          status: 'received',
          history: [history],
          deliveriesPlanned: false,
          dueAt,
          createdAt: now,
        });
        return code;
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
        if (await this.findBySubmissionKey(key)) return undefined;
        this.logger.warn({ attempt }, 'tracking code collision: drawing another');
      }
    }
    throw new Error(`could not draw a free tracking code in ${CODE_ATTEMPTS} attempts`);
  }

  private async findBySubmissionKey(key: string): Promise<StoredComplaint | null> {
    return this.models.Complaint.findOne({ submissionKey: key }).lean<StoredComplaint>();
  }

  private async duplicateOf(doc: StoredComplaint, now: Date): Promise<SubmittedComplaint> {
    if (!doc.deliveriesPlanned) await this.finishPlanning(doc.code, now);
    const directory = this.directory();
    return {
      code: doc.code,
      agencyId: doc.agencyId,
      agencyName: agencyDisplayName(directory, doc.agencyId, doc.locale),
      dueAt: doc.dueAt,
      duplicate: true,
    };
  }

  /** Plans the delivery the last routing action calls for, then marks the complaint as planned. */
  private async finishPlanning(code: string, now: Date): Promise<void> {
    const doc = await this.models.Complaint.findOne({ code }).lean<StoredComplaint>();
    if (!doc) return;
    const message = pendingMessage(code, doc.history);
    await planDeliveries(this.deps.db, this.directory(), { code, agencyId: doc.agencyId, now, ...message }, this.logger);
    await this.models.Complaint.updateOne({ code, agencyId: doc.agencyId }, { $set: { deliveriesPlanned: true } });
  }

  // ---------------------------------------------------------------- reading

  async findForCitizen(code: string, channel: ChannelName, userId: string, locale?: Locale): Promise<CitizenLookup> {
    const doc = isTrackingCode(code) ? await this.models.Complaint.findOne({ code }).lean<StoredComplaint>() : null;
    if (!doc) return { ok: false, error: 'not_found' };
    if (doc.channel !== channel || doc.userId !== userId) return { ok: false, error: 'not_yours' };
    return { ok: true, complaint: toCitizenView(doc, this.directory(), this.clock(), locale) };
  }

  async markForwarded(code: string, agencyId: string, now: Date = this.clock()): Promise<void> {
    // Email and webhook may both succeed at once: the claim makes one of them record it.
    if (!(await this.deps.db.claims.tryClaim(`forwarded:${code}:${agencyId}`, 'delivery-worker'))) return;
    await this.models.Complaint.updateOne(
      { code, agencyId, status: 'received' },
      {
        $set: { status: 'forwarded' },
        $push: { history: { at: now, action: 'forwarded', actor: { kind: 'system', id: 'delivery-worker' }, agencyId } },
      },
    );
  }

  async countToday(channel: ChannelName, userId: string, now: Date = this.clock()): Promise<number> {
    const doc = await this.models.CitizenDayCount.findById(citizenDayKey(channel, userId, now)).lean();
    return doc?.count ?? 0;
  }

  async listForCitizen(channel: ChannelName, userId: string, limit = DEFAULT_LIST_LIMIT, locale?: Locale): Promise<CitizenComplaintView[]> {
    const docs = await this.models.Complaint.find({ channel, userId })
      .sort({ createdAt: -1 })
      .limit(Math.max(1, Math.min(limit, 50)))
      .lean<StoredComplaint[]>();
    const directory = this.directory();
    const now = this.clock();
    return docs.map((d) => toCitizenView(d, directory, now, locale));
  }

  async getForAgency(code: string, agencyId: string): Promise<ActionResult> {
    const loaded = await this.load(code, { kind: 'agency_api', id: 'read', agencyId });
    return loaded.ok ? { ok: true, complaint: toAgencyView(loaded.doc, this.directory(), this.clock()) } : loaded;
  }

  async listForAgency(agencyId: string, filter: { status?: ComplaintStatus; limit?: number } = {}): Promise<AgencyComplaintView[]> {
    const query = filter.status ? { agencyId, status: filter.status } : { agencyId };
    const docs = await this.models.Complaint.find(query)
      .sort({ createdAt: -1 })
      .limit(Math.max(1, Math.min(filter.limit ?? 50, MAX_AGENCY_LIST)))
      .lean<StoredComplaint[]>();
    const directory = this.directory();
    const now = this.clock();
    return docs.map((d) => toAgencyView(d, directory, now));
  }

  /** The complaint, if `actor` may act on it: its current agency's people, or the system. */
  private async load(code: string, actor: Actor): Promise<Loaded> {
    const doc = isTrackingCode(code) ? await this.models.Complaint.findOne({ code }).lean<StoredComplaint>() : null;
    if (!doc) return { ok: false, error: 'not_found', message: `no complaint ${code}` };
    if (actor.kind === 'system') return { ok: true, doc };
    if (actor.kind === 'citizen' || !actor.agencyId || actor.agencyId !== doc.agencyId) {
      return { ok: false, error: 'forbidden', message: `complaint ${code} is not handled by this agency` };
    }
    return { ok: true, doc };
  }

  // ---------------------------------------------------------------- agency actions

  async acknowledge(code: string, actor: Actor, note?: string): Promise<ActionResult> {
    return this.agencyAction(code, actor, 'acknowledge', async (doc, now) => {
      const updated = await this.transition(doc, { action: 'acknowledged', actor, status: 'acknowledged', note, now });
      if (updated) await this.notify(updated, 'acknowledged', 'acknowledged', this.params(updated), now);
      return updated;
    });
  }

  async answer(code: string, actor: Actor, text: string): Promise<ActionResult> {
    const answer = cleanComplaintText(text);
    if (!answer || answer.length > MAX_NOTE_LENGTH) return invalid(`an answer must have 1–${MAX_NOTE_LENGTH} characters`);
    return this.agencyAction(code, actor, 'answer', async (doc, now) => {
      const updated = await this.transition(doc, { action: 'answered', actor, status: 'answered', note: answer, now });
      if (updated) await this.notify(updated, 'answer', 'answered', { ...this.params(updated), answer }, now);
      return updated;
    });
  }

  async transfer(code: string, actor: Actor, toAgencyId: string, note?: string): Promise<ActionResult> {
    const directory = this.directory();
    const target = directory.agencyById.get(toAgencyId);
    if (!target) return { ok: false, error: 'unknown_agency', message: `no agency ${toAgencyId} in the directory` };
    return this.agencyAction(code, actor, 'transfer', async (doc, now) => {
      if (doc.agencyId === toAgencyId) return 'invalid_input';
      const dueAt = addWorkingDays(now, target.deadlineWorkingDays, this.deps.holidays);
      const updated = await this.transition(doc, {
        action: 'transferred',
        actor,
        status: 'forwarded',
        note,
        now,
        agencyId: toAgencyId,
        set: {
          agencyId: toAgencyId,
          dueAt,
          deliveriesPlanned: false,
          routingReason: `transferred from ${doc.agencyId}`,
          reminderSentAt: null,
          overdueNotifiedAt: null,
        },
      });
      if (!updated) return undefined;
      await this.finishPlanning(code, now);
      await this.notify(
        updated,
        'transferred',
        'transferred',
        { ...this.params(updated), fromAgencyName: agencyDisplayName(directory, doc.agencyId, updated.locale) },
        now,
      );
      return updated;
    });
  }

  async resolve(code: string, actor: Actor, note?: string): Promise<ActionResult> {
    return this.agencyAction(code, actor, 'resolve', async (doc, now) => {
      const updated = await this.transition(doc, { action: 'resolved', actor, status: 'resolved', note, now, unset: ['rating'] });
      if (!updated) return undefined;
      const params = this.params(updated);
      await this.notify(updated, 'resolved', 'resolved', note ? { ...params, note: cleanComplaintText(note) } : params, now);
      // Numbered by resolutions: a complaint resolved again after a reopening is rated again.
      await this.notify(updated, 'rating_request', 'resolved', params, new Date(now.getTime() + 1000));
      return updated;
    });
  }

  /**
   * Loads, checks access and the current status, then runs `apply`. `apply` returns the
   * updated complaint, `undefined` when a concurrent change won, or an error code.
   */
  private async agencyAction(
    code: string,
    actor: Actor,
    kind: keyof typeof ALLOWED_FROM,
    apply: (doc: StoredComplaint, now: Date) => Promise<StoredComplaint | undefined | 'invalid_input'>,
  ): Promise<ActionResult> {
    const loaded = await this.load(code, actor);
    if (!loaded.ok) return loaded;
    if (!ALLOWED_FROM[kind].includes(loaded.doc.status)) {
      return { ok: false, error: 'invalid_state', message: `cannot ${kind} a complaint that is ${loaded.doc.status}` };
    }
    const result = await apply(loaded.doc, this.clock());
    if (result === 'invalid_input') return invalid('the complaint is already with that agency');
    if (!result) return { ok: false, error: 'invalid_state', message: `complaint ${code} changed meanwhile; try again` };
    this.logger.info({ code, action: kind, actorKind: actor.kind, agencyId: result.agencyId }, 'complaint action');
    return { ok: true, complaint: toAgencyView(result, this.directory(), this.clock()) };
  }

  /** Applies a status change if nobody changed status or agency since `doc` was read. */
  private async transition(
    doc: StoredComplaint,
    change: {
      action: string;
      actor: Actor;
      status: ComplaintStatus;
      note?: string;
      now: Date;
      agencyId?: string;
      set?: Record<string, unknown>;
      unset?: readonly string[];
    },
  ): Promise<StoredComplaint | undefined> {
    const entry: StoredHistoryEntry = {
      at: change.now,
      action: change.action,
      actor: { kind: change.actor.kind, id: change.actor.id, ...(change.actor.agencyId ? { agencyId: change.actor.agencyId } : {}) },
      agencyId: change.agencyId ?? doc.agencyId,
      ...(change.note ? { note: cleanComplaintText(change.note).slice(0, MAX_NOTE_LENGTH) } : {}),
    };
    const update: Record<string, unknown> = { $set: { status: change.status, ...change.set }, $push: { history: entry } };
    if (change.unset?.length) update.$unset = Object.fromEntries(change.unset.map((f) => [f, 1]));
    const result = await this.models.Complaint.updateOne({ code: doc.code, status: doc.status, agencyId: doc.agencyId }, update);
    if (result.matchedCount === 0) return undefined;
    return (await this.models.Complaint.findOne({ code: doc.code }).lean<StoredComplaint>()) ?? undefined;
  }

  // ---------------------------------------------------------------- citizen rating

  async rate(code: string, channel: ChannelName, userId: string, score: number, comment?: string): Promise<ActionResult> {
    if (!Number.isInteger(score) || score < 1 || score > 5) return invalid('score must be an integer from 1 to 5');
    const cleanComment = comment === undefined ? undefined : cleanComplaintText(comment).slice(0, MAX_COMMENT_LENGTH) || undefined;
    const doc = isTrackingCode(code) ? await this.models.Complaint.findOne({ code }).lean<StoredComplaint>() : null;
    // Someone else's code answers exactly like an unknown one: codes cannot be probed.
    if (!doc || doc.channel !== channel || doc.userId !== userId)
      return { ok: false, error: 'not_found', message: `no complaint ${code} for this citizen` };
    const now = this.clock();
    if (doc.rating?.score === score && !doc.rating.comment && cleanComment) return this.addRatingComment(doc, cleanComment, now);
    if (doc.status !== 'resolved' || typeof doc.rating?.score === 'number') {
      return { ok: false, error: 'invalid_state', message: `complaint ${code} cannot be rated now (${doc.status})` };
    }
    const actor: Actor = { kind: 'citizen', id: 'citizen' };
    const rating = { score, at: now, ...(cleanComment ? { comment: cleanComment } : {}) };
    const rated = await this.transition(doc, { action: 'rated', actor, status: 'resolved', note: `${score}/5`, now, set: { rating } });
    if (!rated) return { ok: false, error: 'invalid_state', message: `complaint ${code} changed meanwhile` };
    if (score > 2) return { ok: true, complaint: toAgencyView(rated, this.directory(), now) };
    return this.reopen(rated, score, cleanComment, now);
  }

  /** A "not satisfied" rating sends the complaint back to its agency with a new deadline. */
  private async reopen(doc: StoredComplaint, score: number, comment: string | undefined, now: Date): Promise<ActionResult> {
    const agency = this.directory().agencyById.get(doc.agencyId);
    const dueAt = agency ? addWorkingDays(now, agency.deadlineWorkingDays, this.deps.holidays) : doc.dueAt;
    const note = [
      `Người dân đánh giá ${score}/5 (không hài lòng); phản ánh được mở lại.`,
      comment ? `Ý kiến của người dân: ${comment}` : undefined,
    ]
      .filter(Boolean)
      .join('\n');
    const reopened = await this.transition(doc, {
      action: 'reopened',
      actor: { kind: 'citizen', id: 'citizen' },
      status: 'reopened',
      note,
      now,
      set: { dueAt, deliveriesPlanned: false, reminderSentAt: null, overdueNotifiedAt: null },
    });
    if (!reopened) return { ok: false, error: 'invalid_state', message: `complaint ${doc.code} changed meanwhile` };
    await this.finishPlanning(doc.code, now);
    this.logger.info({ code: doc.code, score, agencyId: doc.agencyId }, 'complaint reopened after a low rating');
    return { ok: true, complaint: toAgencyView(reopened, this.directory(), now) };
  }

  /** A comment sent after the score: kept with the rating; a reopened complaint's agency is told. */
  private async addRatingComment(doc: StoredComplaint, comment: string, now: Date): Promise<ActionResult> {
    const entry: StoredHistoryEntry = {
      at: now,
      action: 'rating_comment',
      actor: { kind: 'citizen', id: 'citizen' },
      agencyId: doc.agencyId,
      note: comment,
    };
    await this.models.Complaint.updateOne({ code: doc.code }, { $set: { 'rating.comment': comment }, $push: { history: entry } });
    if (doc.status === 'reopened') {
      const reopenings = doc.history.filter((h) => h.action === 'reopened').length;
      await planDeliveries(
        this.deps.db,
        this.directory(),
        {
          code: doc.code,
          agencyId: doc.agencyId,
          event: 'complaint.reopened',
          messageKey: `${doc.code}:reopened:${reopenings}:comment`,
          note: `Ý kiến của người dân: ${comment}`,
          now,
        },
        this.logger,
      );
    }
    const updated = await this.models.Complaint.findOne({ code: doc.code }).lean<StoredComplaint>();
    return { ok: true, complaint: toAgencyView(updated ?? doc, this.directory(), now) };
  }

  // ---------------------------------------------------------------- notifications

  /** What every notification text may need; agency names in both languages. */
  private params(doc: StoredComplaint): Record<string, string> {
    const directory = this.directory();
    return {
      code: doc.code,
      agencyName: agencyDisplayName(directory, doc.agencyId, 'vi'),
      agencyNameEn: agencyDisplayName(directory, doc.agencyId, 'en'),
      dueAt: doc.dueAt.toISOString(),
    };
  }

  /**
   * Inserts the citizen's notification under `<code>:<kind>:<n>`, n = how many times the
   * action is in the history. The same action retried finds its key taken with the same
   * params and stops; a different action racing for the same n moves on to n+1.
   */
  private async notify(
    doc: StoredComplaint,
    kind: NotificationKind,
    action: string,
    params: Record<string, string>,
    at: Date,
  ): Promise<void> {
    let n = Math.max(1, doc.history.filter((h) => h.action === action).length);
    for (let attempt = 0; attempt < 20; attempt++, n++) {
      const idempotencyKey = `${doc.code}:${kind}:${n}`;
      try {
        await this.models.Notification.create({
          idempotencyKey,
          complaintCode: doc.code,
          channel: doc.channel,
          userId: doc.userId,
          kind,
          params: { ...params, locale: doc.locale },
          state: 'pending',
          attempts: 0,
          nextAttemptAt: at,
        });
        return;
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
        const existing = await this.models.Notification.findOne({ idempotencyKey }).lean<{ params?: Record<string, unknown> }>();
        if (existing && sameParams(existing.params ?? {}, { ...params, locale: doc.locale })) return;
      }
    }
    this.logger.error({ code: doc.code, kind }, 'could not find a free notification key');
  }

  // ---------------------------------------------------------------- consent withdrawn

  async forgetCitizen(channel: ChannelName, userId: string): Promise<number> {
    const key = conversationKey(channel, userId);
    if (this.deps.conversations) await this.deps.conversations.delete(key);
    else await this.models.Conversation.deleteOne({ _id: key });
    await this.models.Notification.deleteMany({ channel, userId });
    const docs = await this.models.Complaint.find({ channel, userId })
      .select({ code: 1, history: 1 })
      .lean<{ code: string; history: StoredHistoryEntry[] }[]>();
    for (const doc of docs) {
      // Citizen-written notes (rating comments) go; agency notes and the actions stay for statistics.
      const history = doc.history.map((h) => (h.actor.kind === 'citizen' && h.action !== 'rated' ? { ...h, note: undefined } : h));
      await this.models.Complaint.updateOne(
        { code: doc.code },
        {
          $set: { text: '', photos: [], history, userId: `forgotten:${doc.code}`, submissionKey: `forgotten:${doc.code}` },
          $unset: { contact: 1, 'rating.comment': 1 },
        },
      );
      await this.models.ComplaintPhoto.deleteMany({ complaintCode: doc.code });
      await this.models.Delivery.updateMany({ complaintCode: doc.code }, { $unset: { note: 1 } });
    }
    this.logger.info({ channel, complaints: docs.length }, 'citizen data forgotten');
    return docs.length;
  }
}

function invalid(message: string): ActionResult {
  return { ok: false, error: 'invalid_input', message };
}

function sameParams(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => String(a[k]) === String(b[k]));
}

/** One counter per citizen and Vietnamese calendar day. */
function citizenDayKey(channel: ChannelName, userId: string, now: Date): string {
  return `${channel}:${userId}:${localDateKey(now)}`;
}
