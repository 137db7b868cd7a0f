/**
 * Everything admins edit, validated and compiled into what the core serves with: the
 * trained matcher, the translations and the intent definitions. A new BotContent
 * replaces the old one atomically when edited files validate (see content-reloader).
 */
import type { IntentDefinition } from '../nlu/intent-set';
import type { SectorTable } from './sector-table';
import type { AbbreviationTable } from '../text/normalize';
import type { BilingualMatcher } from '../nlu/bilingual-matcher';
import type { Translator } from '../i18n/translator';
import type { ProcedureCatalog } from '../catalog/procedure-catalog';

export interface BotContent {
  /** One model per language; `match(text, locale)`. */
  readonly matcher: BilingualMatcher;
  /** The procedure catalog, when the deployment has one (`procedures/`). */
  readonly catalog?: ProcedureCatalog;
  /** Intents whose questions the catalog answers (proc_* and procedure_lookup). */
  readonly procedureIntents: ReadonlySet<string>;
  readonly translator: Translator;
  readonly intents: ReadonlyMap<string, IntentDefinition>;
  /** The admins' teencode table: the language guess must not count "thanks" or "hs" as English. */
  readonly abbreviations: AbbreviationTable;
  /** Complaint sectors: labels (also served by the translator) and keywords. */
  readonly sectors: SectorTable;
  /** Short hash of the source files, logged so admins can tell which edit is live. */
  readonly version: string;
}

/** Gives the content in service right now; the core asks for it on every message. */
export interface ContentSource {
  current(): BotContent;
}

/** Locale keys the code itself uses (besides the intents' answers and menu labels). */
export const CORE_TEXT_KEYS = ['fallback.answer', 'fallback.menu_hint'] as const;
