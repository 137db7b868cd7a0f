/**
 * The shape of the agency and locality directory file (config/directory/*.yaml).
 *
 * Why a data file: who handles what changes with every reorganisation (Kon Tum joined
 * Quảng Ngãi on 1 July 2025 and the district level disappeared), and the people who
 * know the answer are administrators, not programmers. The schemas are strict: an
 * unknown key is a typo, and a typo in routing data silently misroutes complaints.
 *
 * Cross-references (ids that must exist, one coordinator, unique aliases…) are checked
 * by directory-loader.ts, which can point at the offending line.
 */
import { z } from 'zod';
import { SECTORS } from '../sectors';

/** Ids are kebab-case so they read well in logs, URLs and rules: "ubnd-huyen-dak-ha". */
export const DirectoryId = z
  .string()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be kebab-case: lower-case letters a-z, digits and single dashes');

/** Administrative levels, from the widest to the narrowest. Communes include wards (phường) and towns (thị trấn). */
export const LOCALITY_KINDS = ['province', 'district', 'commune'] as const;
export type LocalityKind = (typeof LOCALITY_KINDS)[number];
export const LocalityKindSchema = z.enum(LOCALITY_KINDS);

/** What an agency is; used for display and for reports, not for routing. */
export const AGENCY_KINDS = ['department', 'district', 'commune', 'centre', 'office'] as const;

/** Rule targets that are resolved per complaint instead of naming one agency. */
export const LOCALITY_AGENCY = '$locality';
export const DISTRICT_AGENCY = '$district';

const SectorSchema = z.enum(SECTORS);

/** One value or a list of values; lists keep routing rules short. */
function oneOrMany<T extends z.ZodType>(item: T) {
  return z.union([item, z.array(item).min(1)]);
}

export const LocalitySchema = z.strictObject({
  /** Stable id, referenced by `parent`, by rules and by stored complaints. */
  id: DirectoryId,
  /** province, district (huyện/thành phố/thị xã) or commune (xã/phường/thị trấn). */
  kind: LocalityKindSchema,
  /** Official name; `vi` is also matched as an alias. */
  name: z.strictObject({ vi: z.string().min(1), en: z.string().min(1).optional() }),
  /** Id of the locality that contains this one (a commune's district, a district's province). */
  parent: DirectoryId.optional(),
  /** Id of the agency that is this locality's People's Committee (UBND); used by `$locality`/`$district`. */
  agency: DirectoryId.optional(),
  /** Names citizens type for this place; matched ignoring case and diacritics, on whole words. */
  aliases: z.array(z.string().min(1)).default([]),
  /** Free text for admins and for the bot's answer: which post-2025 unit this place now belongs to. */
  since2025: z.string().min(1).optional(),
});

export const WebhookDeliverySchema = z.strictObject({
  /** HTTPS (or, for tests and intranets, HTTP) address that receives signed JSON POSTs. */
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  /** NAME of the environment variable holding the HMAC secret; the secret itself is never in this file. */
  secretEnv: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'must be an environment variable name such as WEBHOOK_SECRET_SO_XAY_DUNG'),
});

export const DeliverySchema = z
  .strictObject({
    /** Telegram group/channel id where new complaints are posted, as a string ("-1001234567890"). */
    telegramChatId: z
      .string()
      .regex(/^-?\d+$/, 'must be a numeric Telegram chat id written as text, e.g. "-1001234567890"')
      .optional(),
    /** Mailbox that receives complaints by e-mail. */
    email: z.email('must be an e-mail address').optional(),
    /** Agency system that receives complaints as signed webhooks. */
    webhook: WebhookDeliverySchema.optional(),
  })
  .refine((d) => d.telegramChatId !== undefined || d.email !== undefined || d.webhook !== undefined, {
    message: 'needs at least one of telegramChatId, email, webhook',
  });

export const AgencySchema = z.strictObject({
  /** Stable id, referenced by rules, by localities and by stored complaints. */
  id: DirectoryId,
  /** Display names; `vi` is what citizens see. */
  name: z.strictObject({ vi: z.string().min(1), en: z.string().min(1) }),
  /** department, district, commune, centre or office. */
  kind: z.enum(AGENCY_KINDS),
  /** The one agency that receives dead-delivery and overdue alerts (Sở Nội vụ in the sample). */
  coordinator: z.boolean().default(false),
  /** Working days the agency has to answer; set by the province. */
  deadlineWorkingDays: z.number().int().min(1).max(90),
  /** Where complaints for this agency are sent; several channels may be listed. */
  delivery: DeliverySchema,
  /** Telegram user ids allowed to act for the agency in its chat; absent = every member of the chat. */
  officerTelegramIds: z.array(z.string().regex(/^\d+$/, 'must be a numeric Telegram user id written as text')).optional(),
  /** SHA-256 (hex) of each API key the agency's system uses to call our API; keys are never stored. */
  apiKeyHashes: z.array(z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex characters (sha256 of the key)')).default([]),
});

export const RoutingRuleSchema = z.strictObject({
  /** Sector id(s) this rule applies to; absent = every sector. */
  sector: oneOrMany(SectorSchema).optional(),
  /** Locality id: the rule applies to complaints in this place or anywhere inside it. */
  locality: DirectoryId.optional(),
  /** Kind(s) of the complaint's locality (province, district, commune). */
  localityKind: oneOrMany(LocalityKindSchema).optional(),
  /** Agency id, or "$locality" (UBND of the complaint's place) or "$district" (UBND of its district). */
  agency: z.union([DirectoryId, z.literal(LOCALITY_AGENCY), z.literal(DISTRICT_AGENCY)]),
  /** Why this rule exists, in words; shown in logs and to staff when they ask why a complaint went where it did. */
  description: z.string().min(1).optional(),
});

export const DirectoryFileSchema = z.strictObject({
  /** File format version; only 1 exists. */
  version: z.literal(1),
  /** A title for the directory, shown in logs and admin tools. */
  name: z.string().min(1),
  /** Places citizens mention. */
  localities: z.array(LocalitySchema).min(1),
  /** Agencies that receive complaints. */
  agencies: z.array(AgencySchema).min(1),
  /** Ordered routing rules: the first one that matches decides. */
  rules: z.array(RoutingRuleSchema).default([]),
  /** Agency that receives complaints no rule matches. */
  defaultAgency: DirectoryId,
});

export type DirectoryFile = z.output<typeof DirectoryFileSchema>;
export type Locality = z.output<typeof LocalitySchema>;
/** An agency as the directory describes it; transports receive this type. */
export type Agency = z.output<typeof AgencySchema>;
export type RawRoutingRule = z.output<typeof RoutingRuleSchema>;
