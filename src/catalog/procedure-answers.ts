/**
 * The catalog's answers, composed from a procedure's fields for the aspect asked — in the
 * conversation's language, naming the legal source, and saying plainly when a figure
 * varies or is not confirmed (with the official page). Texts around the facts live in
 * locales/*.json (`catalog.*`); the facts themselves only in the procedure files.
 */
import type { Locale } from '../i18n/locale';
import type { Aspect } from './aspects';
import type { ProcedureEntry } from './procedure';
import { CERTAINTY } from './procedure-schema';

/** A reply as the core sends it (the same shape as core/messages' OutgoingMessage). */
export interface CatalogMessage {
  readonly text: string;
  readonly quickReplies?: readonly { readonly label: string; readonly payload: string }[];
}

export type Translate = (key: string, vars?: Record<string, string>) => string;

/** `#proc:<id>:<aspect>`: a button that asks one aspect of one procedure (`all` for everything). */
export const PROCEDURE_PAYLOAD = /^#proc:([a-z0-9]+(?:-[a-z0-9]+)*):([a-z_]+)$/;
export type AnswerPart = Aspect | 'all';

function procedurePayload(id: string, part: AnswerPart): string {
  return `#proc:${id}:${part}`;
}

/** Locale keys the answers use. */
export const CATALOG_TEXT_KEYS = [
  'catalog.source',
  'catalog.link',
  'catalog.missing',
  'catalog.choice',
  'catalog.related',
  'catalog.unknown',
  'catalog.maybe',
  'catalog.button.more',
  'catalog.heading.authority',
  'catalog.heading.submit',
  'catalog.heading.documents',
  'catalog.heading.steps',
  'catalog.heading.time_limit',
  'catalog.heading.fee',
  'catalog.heading.eligibility',
  'catalog.heading.penalty',
  'catalog.heading.legal_basis',
  'catalog.online.toan-trinh',
  'catalog.online.mot-phan',
  'catalog.online.khong',
  'catalog.kind.court',
  'catalog.kind.not_administrative',
  ...CERTAINTY.filter((c) => c !== 'confirmed').map((c) => `catalog.certainty.${c}`),
  'catalog.button.documents',
  'catalog.button.fee',
  'catalog.button.time_limit',
  'catalog.button.where',
  'catalog.button.online',
] as const;

/** The aspects offered as buttons under an answer (besides "more"). */
const FOLLOW_UP_BUTTONS: readonly Aspect[] = ['documents', 'fee', 'time_limit', 'where', 'online'];
const MAX_BUTTONS = 3;

type Fact = NonNullable<ProcedureEntry['fee']>;

/**
 * The answer to one aspect of a procedure (or to all of it), with buttons for the rest. The
 * `related` procedures (the ranker's close runner-ups) come right after "more", before the
 * other aspects: when the bot may have picked the wrong procedure, the right one matters more.
 */
export function procedureAnswer(
  p: ProcedureEntry,
  part: AnswerPart,
  locale: Locale,
  t: Translate,
  related: readonly ProcedureEntry[] = [],
): CatalogMessage {
  const lines = [`${p.name[locale]}${p.code ? ` (${p.code})` : ''}`];
  if (p.kind !== 'administrative') lines.push(t(`catalog.kind.${p.kind}`));
  const sections = part === 'all' ? allSections(p, locale, t) : sectionsFor(p, part, locale, t);
  lines.push(...sections, t('catalog.link', { link: p.link }));
  const buttons = [
    ...(part === 'all' ? [] : [{ label: t('catalog.button.more'), payload: procedurePayload(p.id, 'all') }]),
    ...relatedButtons(related, part, locale),
    ...FOLLOW_UP_BUTTONS.filter((a) => a !== part && part !== 'all' && (part !== 'overview' || (a !== 'where' && a !== 'online'))).map(
      (a) => ({
        label: t(`catalog.button.${a}`),
        payload: procedurePayload(p.id, a),
      }),
    ),
  ].slice(0, MAX_BUTTONS);
  return buttons.length ? { text: lines.join('\n\n'), quickReplies: buttons } : { text: lines.join('\n\n') };
}

/** A short choice between procedures that fit about equally well. */
export function procedureChoice(procedures: readonly ProcedureEntry[], aspect: Aspect, locale: Locale, t: Translate): CatalogMessage {
  return {
    text: t('catalog.choice'),
    quickReplies: relatedButtons(procedures, aspect, locale),
  };
}

/** Procedures a message named, offered under an intent's answer ("or did you mean the procedure…"). */
export function relatedProcedures(procedures: readonly ProcedureEntry[], locale: Locale, t: Translate): CatalogMessage {
  return { text: t('catalog.related'), quickReplies: relatedButtons(procedures, 'overview', locale) };
}

function relatedButtons(procedures: readonly ProcedureEntry[], part: AnswerPart, locale: Locale): { label: string; payload: string }[] {
  return procedures.map((r) => ({ label: r.name[locale], payload: procedurePayload(r.id, part) }));
}

/**
 * No procedure of the catalog fits: say so, with the national search and the hotline — never a
 * guess. The ranker's likeliest procedures, when it has some evidence (`related`), are offered as
 * buttons for the citizen to choose, said to be uncertain.
 */
export function unknownProcedure(
  t: Translate,
  related: readonly ProcedureEntry[] = [],
  aspect: Aspect = 'overview',
  locale: Locale = 'vi',
): CatalogMessage {
  if (related.length === 0) return { text: t('catalog.unknown') };
  return { text: `${t('catalog.unknown')}\n\n${t('catalog.maybe')}`, quickReplies: relatedButtons(related, aspect, locale) };
}

function sectionsFor(p: ProcedureEntry, aspect: Aspect, locale: Locale, t: Translate): string[] {
  const missing = (): string[] => [t('catalog.missing', { what: t(`catalog.heading.${aspect}`) })];
  switch (aspect) {
    case 'overview':
      return [authority(p, locale, t), submit(p, locale, t), ...(p.time_limit ? [fact(p.time_limit, 'time_limit', locale, t)] : [])];
    case 'where':
      return [authority(p, locale, t)];
    case 'online':
      return [submit(p, locale, t)];
    case 'documents':
      return p.documents ? [documents(p, locale, t)] : missing();
    case 'legal_basis':
      return [`${t('catalog.heading.legal_basis')}:\n${p.legal_basis.map((l) => `• ${l}`).join('\n')}`];
    case 'fee':
    case 'time_limit':
    case 'eligibility':
    case 'penalty': {
      const f = p[aspect];
      return f ? [fact(f, aspect, locale, t)] : missing();
    }
  }
}

function allSections(p: ProcedureEntry, locale: Locale, t: Translate): string[] {
  return [
    authority(p, locale, t),
    submit(p, locale, t),
    ...(p.documents ? [documents(p, locale, t)] : []),
    ...(p.steps ? [`${t('catalog.heading.steps')}:\n${p.steps[locale].map((s, i) => `${i + 1}. ${s}`).join('\n')}`] : []),
    ...(['time_limit', 'fee', 'eligibility', 'penalty'] as const).flatMap((a) => (p[a] ? [fact(p[a], a, locale, t)] : [])),
    `${t('catalog.heading.legal_basis')}:\n${p.legal_basis.map((l) => `• ${l}`).join('\n')}`,
  ];
}

function authority(p: ProcedureEntry, locale: Locale, t: Translate): string {
  return `${t('catalog.heading.authority')}: ${p.authority[locale]}`;
}

function submit(p: ProcedureEntry, locale: Locale, t: Translate): string {
  return `${t('catalog.heading.submit')} (${t(`catalog.online.${p.submit.online}`)}): ${p.submit[locale]}`;
}

function documents(p: ProcedureEntry, locale: Locale, t: Translate): string {
  const d = p.documents!;
  const list = d[locale].map((item) => `• ${item}`).join('\n');
  return `${t('catalog.heading.documents')}:\n${list}${d.source ? `\n${t('catalog.source', { source: d.source })}` : ''}`;
}

function fact(f: Fact, heading: 'fee' | 'time_limit' | 'eligibility' | 'penalty', locale: Locale, t: Translate): string {
  const parts = [`${t(`catalog.heading.${heading}`)}: ${f[locale]}`];
  if (f.source) parts.push(t('catalog.source', { source: f.source }));
  if (f.certainty !== 'confirmed') parts.push(t(`catalog.certainty.${f.certainty}`));
  return parts.join('\n');
}
