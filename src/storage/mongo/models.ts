/**
 * Every durable thing, as mongoose schemas with their indexes. Types are inferred from
 * the schemas (InferSchemaType) and mongoose stays inside src/storage: the rest of the
 * code gets plain objects through the repositories.
 *
 * Only what both MongoDB and FerretDB v1 support is used: single-document atomic
 * updates, unique indexes, upserts, $push without modifiers. No transactions, no TTL
 * indexes (expiry is done by queries), no positional array updates.
 */
import { Schema, type Connection } from 'mongoose';
import {
  broadcastBatchSchema,
  broadcastReceiptSchema,
  broadcastSchema,
  newsSchema,
  subscriberSchema,
  surveyAnswerSchema,
  surveyCampaignSchema,
  surveyResponseSchema,
} from './campaign-models';

const actorSchema = new Schema(
  {
    kind: { type: String, required: true, enum: ['citizen', 'officer', 'agency_api', 'system'] },
    /** Officer's Telegram id, API key label, … — never a citizen's personal data. */
    id: { type: String },
    agencyId: { type: String },
  },
  { _id: false },
);

const historyEntrySchema = new Schema(
  {
    at: { type: Date, required: true },
    action: { type: String, required: true },
    actor: { type: actorSchema, required: true },
    agencyId: { type: String },
    /** Free text of the action (an answer, a transfer reason). */
    note: { type: String },
  },
  { _id: false },
);

const photoSchema = new Schema(
  {
    /** Id of the stored bytes in complaint_photos, once downloaded. */
    photoId: { type: String },
    /** Where the channel said the photo is (expires on Zalo). */
    sourceRef: { type: String, required: true },
    contentType: { type: String },
    size: { type: Number },
  },
  { _id: false },
);

/** A complaint's `_id` is its tracking code. */
function codeAsId(this: { code?: string }): string | undefined {
  return this.code;
}

export const complaintSchema = new Schema(
  {
    /**
     * The tracking code. FerretDB v1 uses its primary key only for a filter that is
     * exactly `{_id: …}` (measured; docs/architecture.md), so every read of one complaint
     * is by `_id` and says so at its call site in mongo-complaint-repository.ts.
     */
    _id: { type: String, required: true, default: codeAsId },
    code: { type: String, required: true },
    /** Hash of (channel, user, text, sector, locality): the same submission twice makes one complaint. */
    submissionKey: { type: String, required: true, unique: true },
    channel: { type: String, required: true },
    userId: { type: String, required: true },
    locale: { type: String, required: true, default: 'vi' },
    text: { type: String, maxlength: 5000, default: '' },
    sector: { type: String, required: true },
    localityId: { type: String },
    agencyId: { type: String, required: true },
    routingReason: { type: String },
    contact: { name: String, phone: String },
    photos: { type: [photoSchema], default: [] },
    status: { type: String, required: true, enum: ['received', 'forwarded', 'acknowledged', 'answered', 'resolved', 'reopened', 'closed'] },
    history: { type: [historyEntrySchema], default: [] },
    /** True once every delivery of the last routing action is planned in the outbox. */
    deliveriesPlanned: { type: Boolean, required: true, default: false },
    dueAt: { type: Date, required: true },
    reminderSentAt: { type: Date },
    overdueNotifiedAt: { type: Date },
    rating: { score: Number, comment: String, at: Date },
    /** The agency's first answer, resolution or closing, and whether it met the deadline then in force (reports). */
    firstResponseAt: { type: Date },
    respondedOnTime: { type: Boolean },
    /** SHA-256 of code + PIN: the secret for status look-ups from another device. */
    pinHash: { type: String },
    /** Changes applied since the insert; each change claims `complaint:<code>@<version>` first. */
    version: { type: Number, required: true, default: 0 },
    /** Telegram message id of the card in the agency's group, to recognise officers' replies. */
    telegramCard: { chatId: String, messageId: Number },
    /** When the citizen's personal data was erased (on request, or by the retention job after closure). */
    personalDataErasedAt: { type: Date },
  },
  { timestamps: true, collection: 'complaints' },
);
complaintSchema.index({ channel: 1, userId: 1, createdAt: -1 });
complaintSchema.index({ agencyId: 1, status: 1 });
complaintSchema.index({ deliveriesPlanned: 1, createdAt: 1 });
complaintSchema.index({ status: 1, dueAt: 1 });
complaintSchema.index({ status: 1, updatedAt: 1 });
complaintSchema.index({ 'telegramCard.chatId': 1, 'telegramCard.messageId': 1 });
// The reports: complaints of a period (optionally of one agency), ratings of a period.
complaintSchema.index({ createdAt: 1, agencyId: 1 });
complaintSchema.index({ 'rating.at': 1 });

export const complaintPhotoSchema = new Schema(
  {
    complaintCode: { type: String, required: true, index: true },
    contentType: { type: String, required: true },
    data: { type: Buffer, required: true },
    size: { type: Number, required: true },
  },
  { timestamps: true, collection: 'complaint_photos' },
);

const noticeSchema = new Schema(
  {
    /** Locale key of a system text for the agency (`agency.note.reminder`), rendered at send time. */
    key: { type: String, required: true },
    params: { type: Schema.Types.Mixed, default: {} },
  },
  { _id: false, minimize: false },
);

const resendSchema = new Schema({ at: { type: Date, required: true }, by: { type: String, required: true } }, { _id: false });

/** The outbox key doubles as `_id`: a delivery is read, claimed and updated by primary key. */
function keyAsId(this: { idempotencyKey?: string }): string | undefined {
  return this.idempotencyKey;
}

/** One delivery of one message to one agency over one transport (FixMyStreet: delivery state ≠ complaint status). */
export const deliverySchema = new Schema(
  {
    _id: { type: String, default: keyAsId },
    idempotencyKey: { type: String, required: true, unique: true },
    complaintCode: { type: String, required: true },
    agencyId: { type: String, required: true },
    transport: { type: String, required: true, enum: ['email', 'webhook', 'telegram'] },
    event: { type: String, required: true },
    /** What a person wrote for the agency (a transfer reason). */
    note: { type: String },
    /** On a new complaint's deliveries (stored before the complaint): whose submission they belong to. */
    submissionKey: { type: String },
    notices: { type: [noticeSchema], default: [] },
    state: { type: String, required: true, enum: ['pending', 'sending', 'sent', 'dead'], default: 'pending' },
    attempts: { type: Number, required: true, default: 0 },
    /** `attempts` when an operator last re-sent the dead delivery: the retry budget counts from here. */
    attemptBase: { type: Number, required: true, default: 0 },
    resends: { type: [resendSchema], default: [] },
    nextAttemptAt: { type: Date, required: true },
    leaseOwner: { type: String },
    leaseUntil: { type: Date },
    lastError: { type: String },
    receipt: { type: String },
    sentAt: { type: Date },
  },
  { timestamps: true, collection: 'deliveries' },
);
deliverySchema.index({ state: 1, nextAttemptAt: 1 });
deliverySchema.index({ complaintCode: 1 });
deliverySchema.index({ agencyId: 1, state: 1 });

/** A message to a citizen (an answer, a status change, the rating question): never lost, sent once. */
export const notificationSchema = new Schema(
  {
    _id: { type: String, default: keyAsId },
    idempotencyKey: { type: String, required: true, unique: true },
    complaintCode: { type: String },
    channel: { type: String, required: true },
    userId: { type: String, required: true },
    kind: { type: String, required: true },
    /** Data to render the text in the citizen's language at send time. */
    params: { type: Schema.Types.Mixed, default: {} },
    /** `held`: the channel refused because the citizen is outside its messaging window (Zalo's 7 days). */
    state: { type: String, required: true, enum: ['pending', 'sending', 'sent', 'held', 'dead'], default: 'pending' },
    attempts: { type: Number, required: true, default: 0 },
    attemptBase: { type: Number, required: true, default: 0 },
    nextAttemptAt: { type: Date, required: true },
    leaseOwner: { type: String },
    leaseUntil: { type: Date },
    lastError: { type: String },
    sentAt: { type: Date },
  },
  { timestamps: true, collection: 'notifications' },
);
notificationSchema.index({ state: 1, nextAttemptAt: 1 });
notificationSchema.index({ channel: 1, userId: 1, state: 1 });

export const conversationSchema = new Schema(
  {
    _id: { type: String, required: true },
    locale: { type: String, required: true },
    flow: { type: Schema.Types.Mixed },
    suspended: { type: Schema.Types.Mixed },
    offer: { type: String },
    lastSeenAt: { type: Date },
    /** The procedure last answered ({ id, at }), for follow-up questions. */
    procedure: { type: Schema.Types.Mixed },
    /** Raised by every write: the engine writes with a compare-and-set on it (absent on documents older than it: version 0). */
    version: { type: Number },
  },
  { timestamps: true, collection: 'conversations', minimize: false },
);

/** Ids of channel messages/updates already handled: a redelivery is recognised and ignored. */
export const processedMessageSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** When the record may be deleted (a sweep does it: FerretDB v1 has no TTL indexes). */
    expiresAt: { type: Date, required: true, index: true },
  },
  { collection: 'processed_messages', versionKey: false },
);

/**
 * The daily complaint cap's units: `_id` = `<channel>:<requester>:<day>#<i>`, i < the cap.
 * A complaint takes a unit by inserting the smallest free one — a unique insert, which
 * FerretDB v1 makes exactly once (its `$inc` is not atomic: a counter let parallel
 * submits through), so the cap holds across parallel submits and processes.
 */
export const citizenDayUnitSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** `<channel>:<requester>:<day>`: what the day's units are counted by. */
    key: { type: String, required: true, index: true },
    /** Day (Vietnam time) of the unit; a sweep deletes past days. */
    day: { type: String, required: true, index: true },
  },
  { collection: 'citizen_day_units', versionKey: false },
);

/** Wrong status secrets per code or requester per day: read and counted by `_id`, shared by every process. */
export const lookupFailureSchema = new Schema(
  {
    _id: { type: String, required: true },
    count: { type: Number, required: true, default: 0 },
    day: { type: String, required: true, index: true },
  },
  { collection: 'lookup_failures', versionKey: false },
);

/** Small key → value documents (the Zalo token pair). */
export const settingSchema = new Schema(
  {
    _id: { type: String, required: true },
    value: { type: Schema.Types.Mixed, required: true },
  },
  { timestamps: true, collection: 'settings', minimize: false },
);

/**
 * What citizens ask, for the reports (questions per topic, what the bot could not answer).
 * Privacy by construction: no user, session or message id; the text only for fallbacks,
 * normalised, digits masked and truncated (src/core/question-record.ts). Deleted after
 * QUESTION_LOG_RETENTION_DAYS by the pruning job.
 */
export const questionLogSchema = new Schema(
  {
    at: { type: Date, required: true },
    /** ISO week in Vietnam time ("2026-W48"), stored because FerretDB's aggregation has no date operators. */
    week: { type: String, required: true },
    channel: { type: String, required: true },
    locale: { type: String, required: true },
    /** The intent answered (`proc_*` are procedures), or `fallback`. */
    intent: { type: String, required: true },
    fallback: { type: Boolean, required: true },
    /** Fallbacks only: the normalised question, digits masked, at most 160 characters. */
    text: { type: String },
    /** Fallbacks only: the text without diacritics, for grouping the same question typed differently. */
    textKey: { type: String },
  },
  { collection: 'question_log', versionKey: false },
);
questionLogSchema.index({ at: 1, intent: 1 });
questionLogSchema.index({ fallback: 1, at: 1 });

const CONSOLE_ROLES = ['officer', 'coordinator', 'editor', 'admin'];

/** A console account: `_id` is the user name (lower case). */
export const consoleAccountSchema = new Schema(
  {
    _id: { type: String, required: true },
    displayName: { type: String, required: true },
    role: { type: String, required: true, enum: CONSOLE_ROLES },
    /** Officers: the agency they work for. */
    agencyId: { type: String },
    /** argon2id PHC string. */
    passwordHash: { type: String, required: true },
    disabled: { type: Boolean, required: true, default: false },
  },
  { timestamps: true, collection: 'console_accounts' },
);

/** Console sessions (@fastify/session's store), read by `_id`; expired ones are pruned hourly. */
export const consoleSessionSchema = new Schema(
  {
    _id: { type: String, required: true },
    data: { type: Schema.Types.Mixed, required: true },
    expiresAt: { type: Date, required: true, index: true },
  },
  { collection: 'console_sessions', versionKey: false, minimize: false },
);

/** Every console action, allowed or refused: who, what, on what, from where (a keyed hash of the address). */
export const auditEntrySchema = new Schema(
  {
    at: { type: Date, required: true },
    /** Account name, or the name tried at a failed login. */
    actor: { type: String, required: true },
    role: { type: String },
    action: { type: String, required: true },
    /** A complaint code, a delivery key, an account name, a report id. */
    target: { type: String },
    outcome: { type: String, required: true, enum: ['ok', 'refused', 'failed'] },
    /** Short reason or parameters; never a complaint's text or a citizen's contact. */
    detail: { type: String },
    address: { type: String },
  },
  { collection: 'console_audit', versionKey: false },
);
auditEntrySchema.index({ at: -1 });
auditEntrySchema.index({ actor: 1, at: -1 });

/** Registers the models on a connection (one per database, so tests can use several). */
export function createModels(connection: Connection) {
  return {
    Complaint: connection.model('Complaint', complaintSchema),
    ComplaintPhoto: connection.model('ComplaintPhoto', complaintPhotoSchema),
    Delivery: connection.model('Delivery', deliverySchema),
    Notification: connection.model('Notification', notificationSchema),
    Conversation: connection.model('Conversation', conversationSchema),
    ProcessedMessage: connection.model('ProcessedMessage', processedMessageSchema),
    Setting: connection.model('Setting', settingSchema),
    CitizenDayUnit: connection.model('CitizenDayUnit', citizenDayUnitSchema),
    LookupFailure: connection.model('LookupFailure', lookupFailureSchema),
    QuestionLog: connection.model('QuestionLog', questionLogSchema),
    ConsoleAccount: connection.model('ConsoleAccount', consoleAccountSchema),
    ConsoleSession: connection.model('ConsoleSession', consoleSessionSchema),
    AuditEntry: connection.model('AuditEntry', auditEntrySchema),
    Subscriber: connection.model('Subscriber', subscriberSchema),
    News: connection.model('News', newsSchema),
    Broadcast: connection.model('Broadcast', broadcastSchema),
    BroadcastBatch: connection.model('BroadcastBatch', broadcastBatchSchema),
    BroadcastReceipt: connection.model('BroadcastReceipt', broadcastReceiptSchema),
    SurveyCampaign: connection.model('SurveyCampaign', surveyCampaignSchema),
    SurveyResponse: connection.model('SurveyResponse', surveyResponseSchema),
    SurveyAnswer: connection.model('SurveyAnswer', surveyAnswerSchema),
  };
}

export type Models = ReturnType<typeof createModels>;

/** Creates the declared indexes (unique ones are what make outbox claims and dedupe safe). */
export async function ensureIndexes(connection: Connection): Promise<void> {
  for (const model of Object.values(connection.models)) {
    await model.createCollection().catch(() => undefined);
    await model.syncIndexes();
  }
}
