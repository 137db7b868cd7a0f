/**
 * A directory file for the end-to-end run: the shipped Kon Tum sample with the agency that
 * receives the test complaint pointed at the local fakes (Telegram group, SMTP mailbox,
 * webhook receiver, an API key), and every other agency reduced to a made-up Telegram
 * group, so nothing is ever mailed or POSTed anywhere else.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { hashApiKey } from '../../../src/http/agency-api';
import { loadDirectory } from '../../../src/complaints/directory/directory-loader';
import { LocalityMatcher } from '../../../src/complaints/directory/locality-matcher';
import { routeComplaint } from '../../../src/complaints/directory/routing';
import type { Directory } from '../../../src/complaints/directory/directory';
import { inferSector, SECTORS } from '../../../src/complaints/sectors';
import { loadSectorFile, type SectorTable } from '../../../src/content/sector-file';
import { PROJECT_ROOT } from './service-process';

export const SAMPLE_DIRECTORY = join(PROJECT_ROOT, 'config', 'directory', 'kontum-2021.yaml');

export interface TestAgencyDelivery {
  readonly telegramChatId: string;
  readonly email: string;
  readonly webhookUrl: string;
  readonly webhookSecretEnv: string;
  readonly officerTelegramIds: readonly string[];
  readonly apiKey: string;
}

interface RawAgency {
  id: string;
  delivery: { telegramChatId?: string; email?: string; webhook?: { url: string; secretEnv: string } };
  officerTelegramIds?: string[];
  apiKeyHashes?: string[];
}

/** Which agency the sample routes `complaintText` to (sector inferred, place found as the flow does). */
export async function agencyFor(complaintText: string): Promise<string> {
  const loaded = await loadDirectory(SAMPLE_DIRECTORY);
  if (!loaded.ok) throw new Error('the sample directory does not load');
  return routeFor(loaded.value, await sampleSectors(), complaintText);
}

async function sampleSectors(): Promise<SectorTable> {
  const sectors = await loadSectorFile(join(PROJECT_ROOT, 'config', 'sectors.yaml'), 'config/sectors.yaml', SECTORS);
  if (!sectors.ok) throw new Error('the sector file does not load');
  return sectors.value;
}

function routeFor(directory: Directory, sectors: SectorTable, text: string): string {
  const sector = inferSector(sectors, text);
  if (!sector) throw new Error('no sector inferred from the test complaint');
  const place = new LocalityMatcher(directory).find(text);
  return routeComplaint(directory, { sector, localityId: place?.locality.id }).agency.id;
}

/**
 * Writes the test directory into `dir` and checks it with the service's own loader.
 * Returns its path and the id of the agency wired to the fakes.
 */
export async function writeTestDirectory(
  dir: string,
  complaintText: string,
  target: TestAgencyDelivery,
): Promise<{ path: string; agencyId: string }> {
  const agencyId = await agencyFor(complaintText);
  const raw = parse(await readFile(SAMPLE_DIRECTORY, 'utf8')) as { agencies: RawAgency[] };
  let madeUp = 0;
  for (const agency of raw.agencies) {
    if (agency.id === agencyId) {
      agency.delivery = {
        telegramChatId: target.telegramChatId,
        email: target.email,
        webhook: { url: target.webhookUrl, secretEnv: target.webhookSecretEnv },
      };
      agency.officerTelegramIds = [...target.officerTelegramIds];
      agency.apiKeyHashes = [hashApiKey(target.apiKey)];
    } else {
      // No e-mail, no webhook: a chat id the fake Telegram does not know.
      agency.delivery = { telegramChatId: agency.delivery.telegramChatId ?? `-1009990000${String(++madeUp).padStart(3, '0')}` };
      delete agency.apiKeyHashes;
    }
  }
  const path = join(dir, 'directory.yaml');
  await writeFile(path, stringify(raw), 'utf8');
  const checked = await loadDirectory(path);
  if (!checked.ok) throw new Error(`the test directory is invalid: ${JSON.stringify(checked.errors)}`);
  const routed = routeFor(checked.value, await sampleSectors(), complaintText);
  if (routed !== agencyId) throw new Error(`the test directory routes the complaint to ${routed}, expected ${agencyId}`);
  const others = checked.value.agencies.filter((a) => a.id !== agencyId);
  if (others.some((a) => a.delivery.email || a.delivery.webhook)) throw new Error('another agency still has an e-mail or webhook');
  return { path, agencyId };
}
