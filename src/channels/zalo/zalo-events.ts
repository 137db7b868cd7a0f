/**
 * Turns a (signature-checked) Zalo OA webhook body into one small normalised event.
 *
 * Why: Zalo's bodies vary by event (`sender` vs `follower`, attachments, two layouts of
 * `info`), and ids must stay exact strings. Validating here with zod means the conversation
 * code receives only well-formed events, and a malformed one is rejected with a reason that
 * names the field instead of crashing a handler later.
 */
import { z } from 'zod';
import type { ZaloInboundEvent } from './zalo-types';

/** `parseZaloEvent` result: the event, or why the body is not an acceptable event. */
export type ZaloParseResult = { ok: true; event: ZaloInboundEvent } | { ok: false; reason: string };

const zaloId = z.string({ error: 'must be a string (Zalo ids exceed JS safe integers)' }).min(1, 'must not be empty');
const msgId = z.string({ error: 'must be a string' }).min(1, 'must not be empty');
const timestamp = z.string({ error: 'must be a string of epoch milliseconds' }).regex(/^\d+$/, 'must be digits (epoch milliseconds)');
const party = z.object({ id: zaloId });
const optionalText = z.string().optional();

const envelopeSchema = z.object({ event_name: z.string({ error: 'must be a string' }).min(1, 'must not be empty') });

const textSchema = z.object({
  sender: party,
  message: z.object({ msg_id: msgId, text: z.string({ error: 'must be a string' }) }),
  timestamp,
});

const attachmentSchema = z.object({
  type: z.string(),
  payload: z.looseObject({}).optional(),
});

const imageSchema = z.object({
  sender: party,
  message: z.object({
    msg_id: msgId,
    text: optionalText,
    attachments: z.array(attachmentSchema).min(1, 'must hold at least one attachment'),
  }),
  timestamp,
});

/** Zalo's samples carry coordinates as strings; numbers are accepted too. */
const coordinate = z
  .union([z.number(), z.string().trim().min(1)])
  .transform((value) => Number(value))
  .pipe(z.number({ error: 'must be a number' }));

const coordinatesSchema = z.object({
  latitude: coordinate.pipe(z.number().min(-90).max(90)),
  longitude: coordinate.pipe(z.number().min(-180).max(180)),
});

const locationSchema = z.object({
  sender: party,
  message: z.object({
    msg_id: msgId,
    attachments: z
      .array(z.object({ type: z.string(), payload: z.object({ coordinates: coordinatesSchema }).optional() }))
      .min(1, 'must hold at least one attachment'),
  }),
  timestamp,
});

const followSchema = z.object({ follower: party, timestamp });

const infoSchema = z.object({
  name: optionalText,
  phone: optionalText,
  address: optionalText,
  ward: optionalText,
  district: optionalText,
  city: optionalText,
  full_address: z.object({ user_address: optionalText, user_ward: optionalText, user_city: optionalText }).optional(),
});

const submitInfoSchema = z.object({ sender: party, info: infoSchema.optional(), timestamp });

/**
 * The consent-withdrawal event's literal and layout are not in the sources we could read,
 * so the user is looked for in `sender`, then `follower`, then a flat `user_id`.
 */
const withdrawSchema = z.object({
  sender: party.optional(),
  follower: party.optional(),
  user_id: zaloId.optional(),
  timestamp,
});

/** Loose reading of the ids of events we ignore: never fails, keeps only well-formed ids. */
const otherSchema = z.object({
  sender: party.optional().catch(undefined),
  recipient: party.optional().catch(undefined),
  follower: party.optional().catch(undefined),
  timestamp: timestamp.optional().catch(undefined),
});

/**
 * Validates and normalises one webhook body. Unknown or uninteresting events become
 * `{kind:'other'}`; a known event with a missing or mistyped field is an error.
 */
export function parseZaloEvent(json: unknown): ZaloParseResult {
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) return failure('webhook body', envelope.error);
  const name = envelope.data.event_name;
  switch (name) {
    case 'user_send_text':
      return parseText(json);
    case 'user_send_image':
      return parseImage(json);
    case 'user_send_location':
      return parseLocation(json);
    case 'follow':
    case 'unfollow':
      return parseFollow(json, name);
    case 'user_submit_info':
      return parseSubmitInfo(json);
    case 'user_withdraw':
      return parseWithdraw(json);
    default:
      return parseOther(json, name);
  }
}

function parseText(json: unknown): ZaloParseResult {
  const r = textSchema.safeParse(json);
  if (!r.success) return failure('user_send_text', r.error);
  const { sender, message, timestamp: ts } = r.data;
  return ok({ kind: 'text', userId: sender.id, msgId: message.msg_id, text: message.text, timestamp: ts });
}

function parseImage(json: unknown): ZaloParseResult {
  const r = imageSchema.safeParse(json);
  if (!r.success) return failure('user_send_image', r.error);
  const { sender, message, timestamp: ts } = r.data;
  const urls = message.attachments
    .filter((a) => a.type === 'image')
    .map((a) => a.payload?.url)
    .filter((url): url is string => typeof url === 'string' && url.length > 0);
  if (urls.length === 0) return { ok: false, reason: 'user_send_image: no image attachment with a url' };
  const text = message.text ? message.text : undefined;
  return ok({ kind: 'image', userId: sender.id, msgId: message.msg_id, urls, ...(text ? { text } : {}), timestamp: ts });
}

function parseLocation(json: unknown): ZaloParseResult {
  const r = locationSchema.safeParse(json);
  if (!r.success) return failure('user_send_location', r.error);
  const { sender, message, timestamp: ts } = r.data;
  const found = message.attachments.find((a) => a.type === 'location' && a.payload);
  const coordinates = found?.payload?.coordinates;
  if (!coordinates) return { ok: false, reason: 'user_send_location: no location attachment' };
  return ok({
    kind: 'location',
    userId: sender.id,
    msgId: message.msg_id,
    latitude: coordinates.latitude,
    longitude: coordinates.longitude,
    timestamp: ts,
  });
}

function parseFollow(json: unknown, kind: 'follow' | 'unfollow'): ZaloParseResult {
  const r = followSchema.safeParse(json);
  if (!r.success) return failure(kind, r.error);
  return ok({ kind, userId: r.data.follower.id, timestamp: r.data.timestamp });
}

function parseSubmitInfo(json: unknown): ZaloParseResult {
  const r = submitInfoSchema.safeParse(json);
  if (!r.success) return failure('user_submit_info', r.error);
  const info = r.data.info ?? {};
  const name = nonEmpty(info.name);
  const phone = nonEmpty(info.phone);
  const address = joinAddress(info);
  return ok({
    kind: 'user_submit_info',
    userId: r.data.sender.id,
    ...(name ? { name } : {}),
    ...(phone ? { phone } : {}),
    ...(address ? { address } : {}),
    timestamp: r.data.timestamp,
  });
}

function parseWithdraw(json: unknown): ZaloParseResult {
  const r = withdrawSchema.safeParse(json);
  if (!r.success) return failure('user_withdraw', r.error);
  const userId = r.data.sender?.id ?? r.data.follower?.id ?? r.data.user_id;
  if (!userId) return { ok: false, reason: 'user_withdraw: no user id (sender.id, follower.id or user_id)' };
  return ok({ kind: 'user_withdraw', userId, timestamp: r.data.timestamp });
}

function parseOther(json: unknown, eventName: string): ZaloParseResult {
  const r = otherSchema.safeParse(json);
  const data = r.success ? r.data : {};
  // In OA → user echoes (`oa_send_*`) the citizen is the recipient.
  const userId = eventName.startsWith('oa_send') ? data.recipient?.id : (data.sender?.id ?? data.follower?.id);
  return ok({
    kind: 'other',
    eventName,
    ...(userId ? { userId } : {}),
    ...(data.timestamp ? { timestamp: data.timestamp } : {}),
  });
}

/** Address from either `info` layout: flat `address, ward, district, city` or `full_address`. */
function joinAddress(info: z.infer<typeof infoSchema>): string | undefined {
  const full = info.full_address;
  const parts = [info.address ?? full?.user_address, info.ward ?? full?.user_ward, info.district, info.city ?? full?.user_city];
  return nonEmpty(
    parts
      .map((p) => p?.trim())
      .filter(Boolean)
      .join(', '),
  );
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function ok(event: ZaloInboundEvent): ZaloParseResult {
  return { ok: true, event };
}

/** A reason naming the event and each faulty field path, without echoing any value. */
function failure(context: string, error: z.ZodError): ZaloParseResult {
  const details = error.issues.map((issue) => `${issue.path.join('.') || '(root)'} ${issue.message}`).join('; ');
  return { ok: false, reason: `${context}: ${details}` };
}
