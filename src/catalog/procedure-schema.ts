/**
 * The shape of a procedure file (`procedures/<field>/<id>.yaml`), the catalog admins edit.
 * One file per administrative procedure; every fact a citizen is told carries its legal
 * source, or says plainly that it varies or is not confirmed and points to the official
 * page. See docs/procedure-catalog.md for the admins' guide.
 */
import { z } from 'zod';

/** Readable ids: `dang-ky-khai-sinh`. The file name is the id. */
export const PROCEDURE_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** National procedure codes as the national database prints them: "1.001193", "2.000908". */
export const NATIONAL_CODE = /^[0-9]\.[0-9]{6}(?:\.[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z0-9]+)?$/;
/** Legacy intent ids (proc_birth_registration…) that stay valid evaluation labels. */
const INTENT_ID = /^[a-z][a-z0-9_]*$/;

const text = (what: string) => z.string().trim().min(1, `${what} must not be empty`);

/** A text in both languages; Vietnamese first, English for foreign residents and investors. */
const Bilingual = z.strictObject({ vi: text('vi'), en: text('en') });

/** A list of texts in both languages (documents, steps). */
const BilingualList = z.strictObject({
  vi: z.array(text('an item')).min(1, 'at least one item'),
  en: z.array(text('an item')).min(1, 'at least one item'),
});

/**
 * How sure we are of a fact:
 * - `confirmed`: stated by the cited legal text (source required);
 * - `varies`: set by each province or case (the answer says so and links the official page);
 * - `unconfirmed`: believed true but not checked against the text in force (the answer says so).
 */
export const CERTAINTY = ['confirmed', 'varies', 'unconfirmed'] as const;

/** A fact told to citizens: the text, its legal source, and how sure we are. */
const Fact = z
  .strictObject({
    vi: text('vi'),
    en: text('en'),
    /** Law/decree/circular and article: "Luật Hộ tịch 2014, Điều 16". */
    source: text('source').optional(),
    certainty: z.enum(CERTAINTY).default('confirmed'),
  })
  .refine((f) => f.certainty !== 'confirmed' || f.source !== undefined, {
    message: "a confirmed fact needs a 'source' (law and article); otherwise set certainty: varies or unconfirmed",
    path: ['source'],
  });

/** Who decides: after 1 July 2025 there is no district level. */
export const AUTHORITY_LEVELS = [
  'commune', // UBND cấp xã / phường / đặc khu
  'province', // a provincial department, the provincial People's Committee, the Public Administration Service Centre
  'police', // Công an: residence, identity, passports, vehicles, driving licences
  'social_insurance', // BHXH
  'tax', // cơ quan thuế
  'court', // Tòa án: not an administrative procedure
  'ministry', // a central body
  'other', // notaries, universities, enterprises…
] as const;

export const ONLINE_LEVELS = ['toan-trinh', 'mot-phan', 'khong'] as const;
export const PORTALS = [
  'dichvucong.gov.vn',
  'vneid',
  'dangkykinhdoanh.gov.vn',
  'thuedientu.gdt.gov.vn',
  'baohiemxahoi.gov.vn',
  'provincial',
  'other',
] as const;

export const ProcedureFileSchema = z.strictObject({
  id: z.string().regex(PROCEDURE_ID, 'id must be lower-case words joined by hyphens, like dang-ky-khai-sinh'),
  /** The national procedure code, only when known for sure. */
  code: z.string().regex(NATIONAL_CODE, 'code must look like 1.001193').optional(),
  /** Field id, one of procedures/_fields.yaml. */
  field: z.string().regex(PROCEDURE_ID, 'field must be a field id from procedures/_fields.yaml'),
  /** Intent ids from the intent catalog this procedure answers for (evaluation labels such as proc_birth_registration). */
  intents: z.array(z.string().regex(INTENT_ID, 'an intent id')).optional(),
  /** The official name. */
  name: Bilingual,
  /** Names citizens use, as they type them: with and without diacritics, teencode, abbreviations. */
  aliases: z.strictObject({
    vi: z.array(text('an alias')).min(2, 'give at least 2 Vietnamese names citizens use'),
    en: z.array(text('an alias')).min(1, 'give at least 1 English name'),
  }),
  /**
   * Names citizens use for a family of procedures rather than for this one ("mở công ty" for
   * every form of company): listed in each member, they make the ranker hesitate between the
   * members, so the citizen gets a short choice instead of one member picked silently.
   */
  shared_aliases: z
    .strictObject({
      vi: z.array(text('a shared name')).default([]),
      en: z.array(text('a shared name')).default([]),
    })
    .optional(),
  /** `administrative` unless it is a court matter or a service that is not an administrative procedure. */
  kind: z.enum(['administrative', 'court', 'not_administrative']).default('administrative'),
  /** Who handles it. */
  authority: z.strictObject({ level: z.enum(AUTHORITY_LEVELS), vi: text('vi'), en: text('en') }),
  /** How to submit. */
  submit: z.strictObject({
    counter: z.boolean(),
    post: z.boolean(),
    online: z.enum(ONLINE_LEVELS),
    portals: z.array(z.enum(PORTALS)).default([]),
    vi: text('vi'),
    en: text('en'),
  }),
  documents: BilingualList.extend({ source: text('source').optional() }).optional(),
  /** Steps, when the order matters. */
  steps: BilingualList.optional(),
  time_limit: Fact.optional(),
  fee: Fact.optional(),
  eligibility: Fact.optional(),
  /** Penalties for doing it late or not at all. */
  penalty: Fact.optional(),
  /** The legal texts in force (2026) this entry relies on. */
  legal_basis: z.array(text('a legal text')).min(1, 'name at least one legal text in force'),
  /** The official procedure page (national portal, a ministry's page) — never a guess. */
  link: z.url({ message: 'link must be a full https:// address' }),
  /** Notes for admins (not shown to citizens): what to check, when it was reviewed. */
  review: z.strictObject({ checked: z.iso.date({ message: 'checked must be a date like 2026-11-28' }), notes: z.string().optional() }),
});

export type ProcedureFile = z.output<typeof ProcedureFileSchema>;

/** `procedures/_fields.yaml`: the fields (lĩnh vực), their labels and the subscription topic they belong to. */
export const FieldsFileSchema = z.strictObject({
  fields: z
    .array(
      z.strictObject({
        id: z.string().regex(PROCEDURE_ID, 'field id must be lower-case words joined by hyphens'),
        vi: text('vi'),
        en: text('en'),
      }),
    )
    .min(1),
});

export type FieldsFile = z.output<typeof FieldsFileSchema>;
