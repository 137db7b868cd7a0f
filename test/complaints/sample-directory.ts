/** Test helpers: the shipped sample directory, and a small directory text to break on purpose. */
import { join } from 'node:path';
import { loadDirectory } from '../../src/complaints/directory/directory-loader';
import type { Directory } from '../../src/complaints/directory/directory';
import { SECTORS } from '../../src/complaints/sectors';
import { loadSectorFile, type SectorTable } from '../../src/content/sector-file';

export const SAMPLE_DIRECTORY_PATH = join(__dirname, '..', '..', 'config', 'directory', 'kontum-2021.yaml');

/** Loads config/directory/kontum-2021.yaml or fails the test with every error listed. */
export async function loadSampleDirectory(): Promise<Directory> {
  const result = await loadDirectory(SAMPLE_DIRECTORY_PATH);
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.file}:${e.line}: ${e.message}`).join('\n'));
  return result.value;
}

export const SAMPLE_SECTORS_PATH = join(__dirname, '..', '..', 'config', 'sectors.yaml');

/** Loads config/sectors.yaml (labels and keywords of the sectors) or fails the test. */
export async function loadSampleSectors(): Promise<SectorTable> {
  const result = await loadSectorFile(SAMPLE_SECTORS_PATH, 'config/sectors.yaml', SECTORS);
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.file}:${e.line}: ${e.message}`).join('\n'));
  return result.value;
}

/** A small valid directory; line numbers matter to the tests (see comments). */
export const SMALL_DIRECTORY = `version: 1
name: test
localities:
  - id: huyen-a
    kind: district
    name: { vi: Huyện A }
    agency: ubnd-a
    aliases: [Đăk A]
  - id: xa-b
    kind: commune
    name: { vi: Xã B }
    parent: huyen-a
    agency: ubnd-b
    aliases: [Hà B]
agencies:
  - id: so-noi-vu
    name: { vi: Sở Nội vụ, en: Home Affairs }
    kind: department
    coordinator: true
    deadlineWorkingDays: 10
    delivery: { email: snv@test.example }
  - id: ubnd-a
    name: { vi: UBND huyện A, en: A }
    kind: district
    deadlineWorkingDays: 7
    delivery: { telegramChatId: "-1001" }
  - id: ubnd-b
    name: { vi: UBND xã B, en: B }
    kind: commune
    deadlineWorkingDays: 5
    delivery: { telegramChatId: "-1002" }
rules:
  - sector: land
    agency: $district
  - sector: other
    agency: ubnd-a
defaultAgency: so-noi-vu
`;

/** 1-based line number of the first line of `text` containing `needle`. */
export function lineOf(text: string, needle: string, from = 0): number {
  const lines = text.split('\n');
  const index = lines.findIndex((l, i) => i >= from && l.includes(needle));
  if (index < 0) throw new Error(`'${needle}' not in text`);
  return index + 1;
}
