/**
 * Imports a province's export of its procedure list (CSV or JSON) as procedure files:
 * all or nothing. Every row is mapped (columns in docs/procedure-catalog.md), the new
 * files are written beside a copy of the catalog and the whole content is validated
 * there; only when everything is valid are the files put into `procedures/`. Imported
 * facts are marked `unconfirmed` (the bot says so and links the official page) until an
 * admin reviews them against the legal texts.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { stringify } from 'yaml';
import { formatContentError, type ContentError } from './content-error';
import { loadProcedureFiles } from './procedure-files';
import { NATIONAL_CODE } from '../catalog/procedure-schema';
import { foldDiacritics } from '../text/vietnamese';

/** Column names accepted for each part of a procedure (compared without case and diacritics). */
const COLUMN_NAMES = {
  code: ['ma thu tuc', 'ma tthc', 'code'],
  name: ['ten thu tuc', 'ten tthc', 'name'],
  nameEn: ['ten tieng anh', 'name en', 'english name'],
  aliases: ['ten goi khac', 'aliases'],
  field: ['linh vuc', 'field'],
  authority: ['co quan thuc hien', 'co quan giai quyet', 'authority'],
  level: ['cap thuc hien', 'level'],
  timeLimit: ['thoi han giai quyet', 'time limit'],
  fee: ['phi le phi', 'le phi', 'fee'],
  documents: ['thanh phan ho so', 'documents'],
  legalBasis: ['can cu phap ly', 'legal basis'],
  online: ['muc do', 'dich vu cong truc tuyen', 'online'],
  link: ['duong dan', 'link', 'url'],
} as const;
type Column = keyof typeof COLUMN_NAMES;
type Row = Partial<Record<Column, string>>;

export interface ImportOptions {
  /** The field of rows whose "Lĩnh vực" is missing or unknown. */
  readonly defaultField?: string;
  /** Report only; write nothing. */
  readonly dryRun?: boolean;
  /** Validates the whole content with the catalog at `proceduresDir`; returns every problem. */
  readonly validate: (proceduresDir: string) => Promise<readonly ContentError[]>;
  readonly today?: string;
}

export interface ImportReport {
  readonly ok: boolean;
  /** What to show the admin, line by line. */
  readonly lines: readonly string[];
  /** The files written (none unless ok and not a dry run). */
  readonly written: readonly string[];
}

const LEVELS: readonly [RegExp, string][] = [
  [/\bcong an\b/, 'police'],
  [/\bbao hiem xa hoi\b|\bbhxh\b/, 'social_insurance'],
  [/\bthue\b/, 'tax'],
  [/\btoa an\b/, 'court'],
  [/\bxa\b|\bphuong\b|\bdac khu\b/, 'commune'],
  [/\btinh\b|\bso\b/, 'province'],
  [/\bbo\b|\btrung uong\b/, 'ministry'],
];

export async function importProcedures(file: string, proceduresDir: string, options: ImportOptions): Promise<ImportReport> {
  const lines: string[] = [];
  const fail = (problems: string[]): ImportReport => ({ ok: false, lines: [...lines, ...problems, 'Nothing was imported.'], written: [] });
  let rows: Row[];
  try {
    rows = readRows(await readFile(file, 'utf8'), extname(file).toLowerCase());
  } catch (err) {
    return fail([`${basename(file)}: ${(err as Error).message}`]);
  }
  const current = await loadProcedureFiles(proceduresDir);
  if (!current.ok) return fail(['The catalog itself has problems; fix them first:', ...current.errors.map(formatContentError)]);
  const fieldIds = new Map(current.value.fields.flatMap((f) => [[fold(f.vi), f.id] as const, [f.id, f.id] as const]));
  const ids = new Set(current.value.procedures.map((p) => p.id));
  const codes = new Map(current.value.procedures.filter((p) => p.code).map((p) => [p.code!, p.file]));
  const today = options.today ?? new Date().toISOString().slice(0, 10);

  const problems: string[] = [];
  const files: { path: string; text: string }[] = [];
  rows.forEach((row, i) => {
    const where = `${basename(file)} row ${i + 1}`;
    const name = row.name?.trim();
    if (!name) return problems.push(`${where}: no procedure name (column "Tên thủ tục")`);
    const code = row.code?.trim() || undefined;
    if (code && !NATIONAL_CODE.test(code)) return problems.push(`${where}: "${code}" is not a national procedure code like 1.001193`);
    if (code && codes.has(code)) return problems.push(`${where}: code ${code} is already in the catalog (${codes.get(code)})`);
    const field = fieldIds.get(fold(row.field ?? '')) ?? options.defaultField;
    if (!field || !fieldIds.has(field))
      return problems.push(`${where}: field "${row.field ?? ''}" is not in procedures/_fields.yaml (give --field)`);
    const id = slug(name);
    if (ids.has(id)) return problems.push(`${where}: a procedure with the id '${id}' already exists`);
    ids.add(id);
    if (code) codes.set(code, where);
    const link =
      row.link?.trim() ||
      (code ? `https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=${code}` : undefined);
    if (!link) return problems.push(`${where}: no link (column "Đường dẫn") and no code to build it from`);
    files.push({
      path: join(field, `${id}.yaml`),
      text: stringify(procedureOf(row, { id, code, field, link, file, today }), { lineWidth: 0 }),
    });
  });
  if (problems.length) return fail(problems);
  if (files.length === 0) return fail([`${basename(file)}: no rows`]);

  // Validate the whole content with the new files in a copy of the catalog.
  const staging = await mkdtemp(join(tmpdir(), 'catalog-import-'));
  try {
    await cp(proceduresDir, staging, { recursive: true });
    for (const f of files) await writeFile(join(staging, f.path), f.text, { flag: 'wx' });
    const errors = await options.validate(staging);
    if (errors.length)
      return fail(errors.map((e) => formatContentError({ ...e, file: e.file.replace(/^.*catalog-import-[^/]+/, 'procedures') })));
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  lines.push(`${files.length} procedure(s) valid: ${files.map((f) => f.path).join(', ')}`);
  if (options.dryRun) return { ok: true, lines: [...lines, 'Dry run: nothing was written.'], written: [] };
  const written: string[] = [];
  try {
    for (const f of files) {
      await writeFile(join(proceduresDir, f.path), f.text, { flag: 'wx' });
      written.push(f.path);
    }
  } catch (err) {
    // All or nothing: take back what was written before the failure.
    for (const path of written) await rm(join(proceduresDir, path), { force: true });
    return fail([`writing failed: ${(err as Error).message}`]);
  }
  lines.push('Imported. Their facts are marked unconfirmed: review them against the legal texts (docs/procedure-catalog.md).');
  return { ok: true, lines, written };
}

function readRows(text: string, extension: string): Row[] {
  const records: Record<string, unknown>[] =
    extension === '.json'
      ? jsonRecords(text)
      : parseCsv(text.replace(/^\uFEFF/, ''), { columns: true, skip_empty_lines: true, trim: true, relax_column_count: true });
  return records.map((record) => {
    const row: Row = {};
    for (const [key, value] of Object.entries(record)) {
      const name = fold(key).replace(/_/g, ' ');
      const column = (Object.keys(COLUMN_NAMES) as Column[]).find((c) => (COLUMN_NAMES[c] as readonly string[]).includes(name));
      const text = cellText(value);
      if (column && text) row[column] = text;
    }
    return row;
  });
}

/** A cell as text: strings and numbers as written, a JSON list joined by lines (documents, legal texts). */
function cellText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string').join('\n') || undefined;
  return undefined;
}

function jsonRecords(text: string): Record<string, unknown>[] {
  const value: unknown = JSON.parse(text);
  const list = Array.isArray(value) ? value : (value as { procedures?: unknown })?.procedures;
  if (!Array.isArray(list) || !list.every((r) => typeof r === 'object' && r !== null))
    throw new Error('JSON must be a list of objects (or {"procedures": [...]})');
  return list as Record<string, unknown>[];
}

interface Identity {
  id: string;
  code?: string;
  field: string;
  link: string;
  file: string;
  today: string;
}

/** A procedure file's content from one row; texts without an English version say so in English. */
function procedureOf(row: Row, who: Identity): Record<string, unknown> {
  const name = row.name!.trim();
  const english = (vi: string): string => `(in Vietnamese) ${vi}`;
  const fact = (vi: string) => ({ vi, en: english(vi), certainty: 'unconfirmed' });
  const list = (text: string | undefined): string[] =>
    (text ?? '')
      .split(/\r?\n|;/)
      .map((s) => s.trim())
      .filter(Boolean);
  const aliases = [...new Set([name.toLowerCase(), foldDiacritics(name.toLowerCase()), ...list(row.aliases)])];
  const authority = row.authority?.trim() || 'Xem trang thủ tục chính thức';
  const online = fold(row.online ?? '');
  const documents = list(row.documents);
  return {
    id: who.id,
    ...(who.code ? { code: who.code } : {}),
    field: who.field,
    name: { vi: name, en: row.nameEn?.trim() || english(name) },
    aliases: { vi: aliases.length >= 2 ? aliases : [...aliases, `thủ tục ${name.toLowerCase()}`], en: [row.nameEn?.trim() || name] },
    authority: { level: levelOf(`${row.level ?? ''} ${authority}`), vi: authority, en: english(authority) },
    submit: {
      counter: true,
      post: false,
      online: /toan trinh|muc do 4|\b4\b/.test(online) ? 'toan-trinh' : /mot phan|muc do 3|\b3\b/.test(online) ? 'mot-phan' : 'khong',
      portals: /toan trinh|mot phan|muc do [34]|\b[34]\b/.test(online) ? ['dichvucong.gov.vn'] : [],
      vi: 'Nộp tại Bộ phận một cửa của cơ quan giải quyết; xem cách nộp trực tuyến trên trang thủ tục chính thức.',
      en: 'At the one-stop desk of the office that handles it; see the official procedure page for online submission.',
    },
    ...(documents.length ? { documents: { vi: documents, en: documents.map(english) } } : {}),
    ...(row.timeLimit?.trim() ? { time_limit: fact(row.timeLimit.trim()) } : {}),
    ...(row.fee?.trim() ? { fee: fact(row.fee.trim()) } : {}),
    legal_basis: list(row.legalBasis).length ? list(row.legalBasis) : ['Xem căn cứ pháp lý trên trang thủ tục chính thức'],
    link: who.link,
    review: {
      checked: who.today,
      notes: `Imported from ${basename(who.file)} on ${who.today}: facts unconfirmed until reviewed; add English texts and the names citizens use.`,
    },
  };
}

function levelOf(text: string): string {
  const folded = fold(text);
  return LEVELS.find(([re]) => re.test(folded))?.[1] ?? 'other';
}

/** Lower case, no diacritics, punctuation to spaces: how column names and field labels are compared. */
function fold(text: string): string {
  return foldDiacritics(text.toLowerCase())
    .replace(/[^a-z0-9_]+/g, ' ')
    .trim();
}

/** "Cấp giấy phép khai thác gỗ" → "cap-giay-phep-khai-thac-go" (at most 10 words). */
function slug(name: string): string {
  return fold(name).replace(/_/g, ' ').split(' ').filter(Boolean).slice(0, 10).join('-');
}
