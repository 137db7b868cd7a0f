/**
 * What the complaint use cases need from the world, as small interfaces. MongoDB
 * implements them in src/storage/mongo; tests may use the same implementations against
 * FerretDB. Nothing here knows a database or a messenger.
 */
import type { ChannelName } from '../../core/messages';
import type { Directory } from '../directory/directory';
import type { Complaint, ComplaintChange, ComplaintStatus, PhotoRef } from '../domain/complaint';
import type { DeliveryRecord } from '../domain/agency-delivery-plan';
import type { CitizenNotice } from '../domain/complaint-events';

/** Where the current directory comes from; it may be reloaded while the process runs. */
export interface DirectorySource {
  current(): Directory;
}

export type InsertOutcome = 'inserted' | 'code_taken' | 'duplicate_submission';
export type UpdateOutcome = 'updated' | 'conflict';

/** The complaints, keyed by tracking code. Every method says in its implementation which key or index it reads by. */
export interface ComplaintRepository {
  /** Stores a new complaint (version 0); refuses a taken code or an already stored submission. */
  insert(complaint: Complaint): Promise<InsertOutcome>;
  findByCode(code: string): Promise<Complaint | undefined>;
  /** Only the agency a complaint is routed to: the same small read whether or not the caller may see it. */
  agencyOf(code: string): Promise<string | undefined>;
  findBySubmissionKey(key: string): Promise<Complaint | undefined>;
  /**
   * Applies `change` to `current` if nobody changed the complaint since `current` was read
   * (its `version`); `conflict` otherwise. Exactly one writer wins each version.
   */
  update(current: Complaint, change: ComplaintChange): Promise<UpdateOutcome>;
  /** Replaces the photo references (after the downloads); not a rule change, so not versioned. */
  setPhotos(code: string, photos: readonly PhotoRef[]): Promise<void>;
  listForCitizen(channel: ChannelName, userId: string, limit: number): Promise<Complaint[]>;
  listForAgency(agencyId: string | undefined, filter: AgencyComplaintQuery): Promise<Complaint[]>;
  /** Complaints whose deliveries a crash left unplanned, oldest first. */
  listUnplanned(limit: number): Promise<Complaint[]>;
  /** Open complaints due after `from` and at or before `to`. */
  listOpenDueBetween(from: Date, to: Date): Promise<Complaint[]>;
  /** Open complaints due before `before`. */
  listOpenOverdue(before: Date): Promise<Complaint[]>;
  listByCitizen(channel: ChannelName, userId: string): Promise<Complaint[]>;
  /** Resolved or closed complaints unchanged since before `before` whose personal data is still there (the retention job). */
  listFinishedUnchangedSince(before: Date, limit: number): Promise<Complaint[]>;
  /** Deletes stored photo bytes of a complaint. */
  deletePhotos(code: string): Promise<void>;
}

/** An agency's (or every agency's) complaints, newest first. */
export interface AgencyComplaintQuery {
  readonly status?: ComplaintStatus;
  readonly sector?: string;
  /** Only open complaints due before this instant. */
  readonly dueBefore?: Date;
  readonly limit: number;
}

/**
 * Complaints filed per citizen per calendar day, for the daily cap. Taking a unit must be
 * atomic across processes: N parallel submits from one citizen get at most `limit` units.
 */
export interface DailyCounter {
  /** Units of `key` taken so far, counted up to the first free one (a unit given back leaves a gap, which the next take fills). */
  count(key: string): Promise<number>;
  /** Takes one of the `limit` units of `key`; its id, or undefined when all are taken. `day` lets a sweep delete old units. */
  take(key: string, day: string, limit: number): Promise<string | undefined>;
  /** Gives a unit back (the submission turned out to be a duplicate). */
  release(unit: string): Promise<void>;
}

export type NotificationOutcome = 'added' | 'same' | 'different';

/** The two outboxes, as the complaint rules fill them. */
export interface ComplaintOutbox {
  /** Inserts the deliveries; existing keys are left alone. Returns how many were new. */
  addDeliveries(records: readonly DeliveryRecord[]): Promise<number>;
  /**
   * Inserts the notification under `key`: `same` when the key holds the same notification
   * already (a retry), `different` when another notification took the key (a race).
   */
  addNotification(key: string, notice: CitizenNotice): Promise<NotificationOutcome>;
  /** Removes what a citizen wrote from their complaints' queued messages, and their notifications. */
  forgetCitizen(channel: ChannelName, userId: string, codes: readonly string[]): Promise<void>;
  /** Removes the notifications of these complaints and what citizens wrote from their queued agency messages. */
  forgetComplaints(codes: readonly string[]): Promise<void>;
}

/**
 * Told what happened to complaints, as it happens (metrics count it; a deadline past the
 * holiday calendar is shown on `/readyz`). Optional: the use cases work without one.
 */
export interface ComplaintObserver {
  submitted(complaint: Pick<Complaint, 'channel' | 'sector' | 'agencyId'>): void;
  statusChanged(from: ComplaintStatus, to: ComplaintStatus): void;
  /** A deadline was counted across years the holiday calendar does not know (weekends only skipped there). */
  deadlineBeyondCalendar(years: readonly number[]): void;
}

/** Stored photo bytes. */
export interface PhotoStore {
  save(code: string, photo: { bytes: Buffer; contentType: string }): Promise<string>;
}

/** Failed secret attempts, counted durably and shared between processes. */
export interface AttemptCounter {
  /** Current failure counts of `keys`, in order. */
  failures(keys: readonly string[]): Promise<number[]>;
  /** One more failure for each key (`day` lets a sweep delete old counters). */
  recordFailure(keys: readonly string[], day: string): Promise<void>;
}

/** Deletes the conversation state of a citizen (consent withdrawn). */
export interface ConversationEraser {
  delete(key: string): Promise<void>;
}
