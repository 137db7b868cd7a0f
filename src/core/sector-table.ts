/**
 * The complaint sectors as the conversation core uses them: labels per language and the
 * keywords that reveal a sector in a citizen's text (loaded from config/sectors.yaml).
 */
import type { Locale } from '../i18n/locale';

interface SectorDefinition {
  readonly id: string;
  readonly label: Readonly<Record<Locale, string>>;
  /** Phrases written with diacritics; a leading "!" means "only when typed with these exact marks". */
  readonly keywords: readonly string[];
}

export interface SectorTable {
  /** In menu order; the order also breaks ties between sectors (see complaints/sectors.ts). */
  readonly sectors: readonly SectorDefinition[];
  /** Phrases that contain a keyword but mean something else ("điện thoại" is not electricity). */
  readonly falseFriends: readonly string[];
}
