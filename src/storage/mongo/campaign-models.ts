/**
 * The campaign's collections: subscriptions, news items, broadcasts (news and survey
 * invitations fanned out), their recipient batches and receipts, survey campaigns and
 * answers. Written for FerretDB v1's costs (docs/architecture.md): the big collections
 * (receipts, answers) are insert-only and read by `_id`; updates touch only the small
 * ones (batches, broadcasts, campaigns) and subscriptions (one citizen at a time).
 */
import { Schema } from 'mongoose';

export const subscriberSchema = new Schema(
  {
    /** `<channel>:<userId>`. */
    _id: { type: String, required: true },
    channel: { type: String, required: true },
    userId: { type: String, required: true },
    topics: { type: [String], default: [] },
    localityIds: { type: [String], default: [] },
    locale: { type: String, required: true, default: 'vi' },
    subscribedAt: { type: Date, required: true },
  },
  { timestamps: true, collection: 'subscribers', versionKey: false },
);
subscriberSchema.index({ topics: 1 });

export const newsSchema = new Schema(
  {
    _id: { type: String, required: true },
    title: { type: String, required: true },
    summary: { type: String, required: true },
    link: { type: String, required: true },
    image: { type: String },
    en: { title: String, summary: String },
    topics: { type: [String], default: [] },
    localityIds: { type: [String], default: [] },
    publishedAt: { type: Date, required: true },
    publishedBy: { type: String, required: true },
  },
  { collection: 'news', versionKey: false },
);
newsSchema.index({ publishedAt: -1 });

/** A message fanned out to an audience (`news:<id>`, `survey:<campaign>`); `finishedAt` once every recipient has a receipt. */
export const broadcastSchema = new Schema(
  {
    _id: { type: String, required: true },
    audience: { type: Schema.Types.Mixed, required: true },
    finishedAt: { type: Date },
  },
  { timestamps: true, collection: 'broadcasts', versionKey: false, minimize: false },
);
broadcastSchema.index({ finishedAt: 1, createdAt: 1 });

const recipientSchema = new Schema(
  { id: { type: String, required: true }, channel: String, userId: String, locale: String, agencyId: String },
  { _id: false },
);

export const broadcastBatchSchema = new Schema(
  {
    /** `<broadcast>#<seq>`: a replayed page lands on the same id. */
    _id: { type: String, required: true },
    broadcastId: { type: String, required: true },
    seq: { type: Number, required: true },
    recipients: { type: [recipientSchema], default: [] },
    next: { type: String },
    last: { type: Boolean, required: true },
    done: { type: Boolean, required: true, default: false },
  },
  { collection: 'broadcast_batches', versionKey: false },
);
broadcastBatchSchema.index({ broadcastId: 1, seq: 1 });

/** The outcome for one person (`<broadcast>|<channel>:<user>`): inserted once, never updated. */
export const broadcastReceiptSchema = new Schema(
  {
    _id: { type: String, required: true },
    broadcastId: { type: String, required: true },
    recipientId: { type: String, required: true },
    channel: { type: String, required: true },
    outcome: { type: String, required: true, enum: ['sent', 'not_allowed', 'skipped', 'failed', 'uncertain'] },
    attempts: { type: Number, required: true },
    at: { type: Date, required: true },
    agencyId: { type: String },
    reason: { type: String },
  },
  { collection: 'broadcast_receipts', versionKey: false },
);
broadcastReceiptSchema.index({ broadcastId: 1, channel: 1, outcome: 1 });
broadcastReceiptSchema.index({ recipientId: 1 });

export const surveyCampaignSchema = new Schema(
  {
    _id: { type: String, required: true },
    surveyId: { type: String, required: true },
    name: { type: String, required: true },
    audience: { type: Schema.Types.Mixed, required: true },
    state: { type: String, required: true, enum: ['draft', 'launched', 'closed'] },
    createdBy: { type: String, required: true },
    launchedAt: { type: Date },
    closesAt: { type: Date },
  },
  { timestamps: true, collection: 'survey_campaigns', versionKey: false, minimize: false },
);

/**
 * One person's completed survey: `<campaign>|<respondent>`, where the respondent is a keyed
 * hash of the channel and user (no platform id): the unique `_id` is "one answer per person".
 */
export const surveyResponseSchema = new Schema(
  {
    _id: { type: String, required: true },
    campaignId: { type: String, required: true },
    respondent: { type: String, required: true },
    agencyId: { type: String },
    at: { type: Date, required: true },
  },
  { collection: 'survey_responses', versionKey: false },
);
surveyResponseSchema.index({ respondent: 1 });

/** One answer to one question; a text answer is reported without who wrote it. */
export const surveyAnswerSchema = new Schema(
  {
    _id: { type: String, required: true },
    campaignId: { type: String, required: true },
    respondent: { type: String, required: true },
    agencyId: { type: String },
    questionId: { type: String, required: true },
    kind: { type: String, required: true, enum: ['likert', 'choice', 'text'] },
    score: { type: Number },
    choice: { type: String },
    text: { type: String, maxlength: 1000 },
  },
  { collection: 'survey_answers', versionKey: false },
);
surveyAnswerSchema.index({ campaignId: 1, agencyId: 1, questionId: 1 });
surveyAnswerSchema.index({ respondent: 1 });
