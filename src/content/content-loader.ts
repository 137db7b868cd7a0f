/**
 * Loads and validates everything admins edit — abbreviations, intents, translations —
 * cross-checks them, and trains the matcher: from files to a ready {@link BotContent}.
 * Either everything is valid and a new BotContent is returned, or every problem is
 * reported and nothing is.
 */
import { createHash } from 'node:crypto';
import { access, readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { BotContent } from '../core/bot-content';
import { CORE_TEXT_KEYS } from '../core/bot-content';
import { Translator, type TemplateVars } from '../i18n/translator';
import { BilingualMatcher, labelledExamples } from '../nlu/bilingual-matcher';
import { runCooperatively, runToEnd, type Stepwise } from '../nlu/stepwise';
import { buildCatalogStepwise, catalogIntentExamples, validateCatalog, type ValidatedCatalog } from './catalog-files';
import { PROCEDURE_LOOKUP } from '../catalog/procedure-catalog';
import { type MatcherOptions, DEFAULT_MATCHER_OPTIONS } from '../nlu/intent-matcher';
import { loadAbbreviations } from './abbreviations-file';
import type { Checked, ContentError } from './content-error';
import { readIntentFiles, type IntentSet } from './intent-files';
import { loadLocaleFiles, type LocaleCatalogs } from './locale-files';
import { EMPTY_SECTOR_TABLE, loadSectorFile, sectorLabelEntries, type SectorTable } from './sector-file';
import type { AbbreviationTable } from '../text/normalize';

export interface ContentPaths {
  readonly intentsDir: string;
  readonly localesDir: string;
  readonly abbreviationsFile: string;
  /**
   * The complaint sectors file. When not given, `<root>/config/sectors.yaml` is used if it
   * exists (tools and tests that only check intents may go without it).
   */
  readonly sectorsFile?: string;
  /**
   * The procedure catalog folder. When not given, `<root>/procedures` is used if it
   * exists; without a catalog, no intent may be `answered_by: catalog`.
   */
  readonly proceduresDir?: string;
  /** Base for the file names shown in error messages (the project root). */
  readonly root: string;
}

/** The admin-edited files, parsed and cross-checked, before training. */
export interface ValidatedContent {
  readonly intentSet: IntentSet;
  readonly abbreviations: AbbreviationTable;
  readonly locales: LocaleCatalogs;
  readonly sectors: SectorTable;
  /** The procedure catalog, when there is one. */
  readonly catalog?: ValidatedCatalog;
}

export interface ContentOptions {
  /** Text keys the running code uses besides the intents' own (flows add theirs). */
  readonly requiredTextKeys?: Iterable<string>;
  /** Values every text may use: {{hotline}}, {{botName}}. */
  readonly textGlobals?: TemplateVars;
  readonly matcher?: MatcherOptions;
  /** Sector ids the code knows: the sector file must list exactly these. */
  readonly sectorIds?: readonly string[];
  /**
   * Train between the bot's messages instead of in one go: the running service reloads
   * without freezing its answers (tools and tests train straight through).
   */
  readonly cooperative?: boolean;
}

/** Validates the files without training: what `npm run nlu -- validate` runs. */
export async function validateContentFiles(paths: ContentPaths, options: ContentOptions = {}): Promise<Checked<ValidatedContent>> {
  const errors: ContentError[] = [];
  const abbreviations = await loadAbbreviations(paths.abbreviationsFile, relative(paths.root, paths.abbreviationsFile));
  if (!abbreviations.ok) errors.push(...abbreviations.errors);
  const intents = await readIntentFiles(paths.intentsDir, relative(paths.root, paths.intentsDir));
  errors.push(...intents.errors);
  const keys = new Set<string>([...CORE_TEXT_KEYS, ...(options.requiredTextKeys ?? [])]);
  // The valid intents' keys are checked even when other intent files are broken.
  for (const intent of intents.value.intents) {
    if (intent.answerKey) keys.add(intent.answerKey);
    keys.add(`menu.${intent.id}`);
  }
  const locales = await loadLocaleFiles(paths.localesDir, keys, relative(paths.root, paths.localesDir));
  if (!locales.ok) errors.push(...locales.errors);
  const sectorsFile = await sectorsFileOf(paths);
  const sectors = sectorsFile
    ? await loadSectorFile(sectorsFile, relative(paths.root, sectorsFile), options.sectorIds)
    : { ok: true as const, value: EMPTY_SECTOR_TABLE };
  if (!sectors.ok) errors.push(...sectors.errors);
  const catalog = await validateCatalogOf(paths, intents.value);
  if (!catalog.ok) errors.push(...catalog.errors);
  if (errors.length || !abbreviations.ok || !locales.ok || !sectors.ok || !catalog.ok) return { ok: false, errors };
  return {
    ok: true,
    value: {
      intentSet: intents.value,
      abbreviations: abbreviations.value,
      locales: withSectorLabels(locales.value, sectors.value),
      sectors: sectors.value,
      ...(catalog.value ? { catalog: catalog.value } : {}),
    },
  };
}

/** The catalog of `paths` (or of `<root>/procedures`), validated against the intents; none if there is no folder. */
async function validateCatalogOf(paths: ContentPaths, intents: IntentSet): Promise<Checked<ValidatedCatalog | undefined>> {
  const dir = paths.proceduresDir ?? join(paths.root, 'procedures');
  const exists = await access(dir).then(
    () => true,
    () => false,
  );
  if (exists || paths.proceduresDir) return validateCatalog(dir, relative(paths.root, dir), intents);
  const orphans = intents.intents.filter((i) => i.answeredByCatalog);
  if (orphans.length === 0) return { ok: true, value: undefined };
  return {
    ok: false,
    errors: orphans.map((i) => ({ file: i.file, message: `'${i.id}' is answered by the catalog, but there is no procedures folder` })),
  };
}

async function sectorsFileOf(paths: ContentPaths): Promise<string | undefined> {
  if (paths.sectorsFile) return paths.sectorsFile;
  const conventional = join(paths.root, 'config', 'sectors.yaml');
  return access(conventional).then(
    () => conventional,
    () => undefined,
  );
}

/** Sector labels live in the sector file; the translator serves them as `complaint.sector.<id>`. */
function withSectorLabels(locales: LocaleCatalogs, sectors: SectorTable): LocaleCatalogs {
  const labels = sectorLabelEntries(sectors);
  return new Map([...locales].map(([locale, catalog]) => [locale, new Map([...catalog, ...(labels.get(locale) ?? [])])]));
}

/** Loads, validates and trains. */
export async function loadBotContent(paths: ContentPaths, options: ContentOptions = {}): Promise<Checked<BotContent>> {
  const validated = await validateContentFiles(paths, options);
  if (!validated.ok) return validated;
  const { intentSet, abbreviations, locales, sectors, catalog } = validated.value;
  const run = <T>(steps: Stepwise<T>): Promise<T> => (options.cooperative ? runCooperatively(steps) : Promise.resolve(runToEnd(steps)));
  const examples = [...labelledExamples(intentSet), ...(catalog ? catalogIntentExamples(catalog) : [])];
  const matcher = await run(BilingualMatcher.trainStepwise(examples, abbreviations, options.matcher ?? DEFAULT_MATCHER_OPTIONS));
  const procedureCatalog = catalog ? await run(buildCatalogStepwise(catalog, abbreviations)) : undefined;
  return {
    ok: true,
    value: {
      matcher,
      ...(procedureCatalog ? { catalog: procedureCatalog } : {}),
      procedureIntents: new Set([
        ...intentSet.intents.filter((i) => i.answeredByCatalog).map((i) => i.id),
        ...(procedureCatalog ? [PROCEDURE_LOOKUP] : []),
      ]),
      translator: new Translator(locales, options.textGlobals),
      intents: new Map(intentSet.intents.map((i) => [i.id, i])),
      abbreviations,
      sectors,
      version: await contentVersion(paths),
    },
  };
}

/** A short hash over all content files, so logs say which edit is in service. */
async function contentVersion(paths: ContentPaths): Promise<string> {
  const hash = createHash('sha256');
  const files = [paths.abbreviationsFile, ...(paths.sectorsFile ? [paths.sectorsFile] : [])];
  for (const dir of [paths.intentsDir, paths.localesDir]) {
    for (const name of (await readdir(dir)).sort()) files.push(join(dir, name));
  }
  const procedures = paths.proceduresDir ?? join(paths.root, 'procedures');
  const entries = await readdir(procedures, { recursive: true }).catch(() => [] as string[]);
  for (const name of entries.filter((n) => /\.ya?ml$/.test(n)).sort()) files.push(join(procedures, name));
  for (const file of files) {
    hash.update(file);
    hash.update(await readFile(file).catch(() => Buffer.alloc(0)));
  }
  return hash.digest('hex').slice(0, 12);
}
