/** The repo's real locale files as a translator, for tests that render texts without loading the whole bot content. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locale } from '../../src/core/messages';
import type { AgencyEventType } from '../../src/complaints/domain/complaint-events';
import { agencyTexts } from '../../src/forwarding/agency-message-builder';
import type { AgencyTexts } from '../../src/forwarding/transport';
import { Translator } from '../../src/i18n/translator';

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix: string, into: Map<string, string>): Map<string, string> {
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') into.set(path, value);
    else flatten(value, path, into);
  }
  return into;
}

let cached: Translator | undefined;

export function localeTranslator(): Translator {
  if (cached) return cached;
  const load = (locale: Locale): Map<string, string> =>
    flatten(JSON.parse(readFileSync(join(__dirname, '..', '..', 'locales', `${locale}.json`), 'utf8')) as Tree, '', new Map());
  cached = new Translator(
    new Map<Locale, Map<string, string>>([
      ['vi', load('vi')],
      ['en', load('en')],
    ]),
    { hotline: '0260 1022' },
  );
  return cached;
}

/** The agencies' words for a message, from the real locale files. */
export function sampleAgencyTexts(
  event: AgencyEventType = 'complaint.forwarded',
  key = 'PA-ABCDEF:forwarded:0:telegram',
  status = 'forwarded',
): AgencyTexts {
  return agencyTexts(localeTranslator(), event, key, status);
}
