/**
 * Families of procedures a citizen names as a whole: "mở công ty", "register a business"
 * (the `shared_aliases` of each member). The softmax ranker cannot say "any of these": trained
 * on the same name under several classes it still leans towards one, and the citizen would
 * get one form of company picked silently. So a message that contains a family's name and
 * no member's own name gets the family, and the bot offers the members to choose from.
 */
import type { Locale } from '../i18n/locale';
import { normalizeText, type AbbreviationTable, type NormalizedText } from '../text/normalize';
import type { ProcedureEntry } from './procedure';

interface Family {
  /** The shared name, folded, between spaces (for a whole-word search in a folded message). */
  readonly phrase: string;
  readonly members: readonly string[];
}

export class ProcedureFamilies {
  private readonly families: Readonly<Record<Locale, readonly Family[]>>;
  /** Each member's own names (official name and aliases), folded, between spaces. */
  private readonly ownNames: Readonly<Record<Locale, ReadonlyMap<string, readonly string[]>>>;

  constructor(procedures: readonly ProcedureEntry[], abbreviations: AbbreviationTable) {
    const fold = (text: string): string => ` ${normalizeText(text, abbreviations).folded} `;
    const build = (locale: Locale) => {
      const byPhrase = new Map<string, string[]>();
      for (const p of procedures)
        for (const name of p.shared_aliases?.[locale] ?? []) {
          const phrase = fold(name);
          byPhrase.set(phrase, [...(byPhrase.get(phrase) ?? []), p.id]);
        }
      const families = [...byPhrase].filter(([, members]) => members.length > 1).map(([phrase, members]) => ({ phrase, members }));
      const members = new Set(families.flatMap((f) => f.members));
      // A member's own names, less the family names it also owns (they name the family, not it).
      const own = new Map(
        procedures
          .filter((p) => members.has(p.id))
          .map((p) => [p.id, [p.name[locale], ...p.aliases[locale]].map(fold).filter((name) => !byPhrase.has(name))] as const),
      );
      return { families, own };
    };
    const vi = build('vi');
    const en = build('en');
    this.families = { vi: vi.families, en: en.families };
    this.ownNames = { vi: vi.own, en: en.own };
  }

  /** The members of the family the message names, in catalog order; none when it names one member itself. */
  named(text: NormalizedText, locale: Locale): readonly string[] {
    const families = this.families[locale];
    if (families.length === 0) return [];
    const message = ` ${text.folded} `;
    const members = new Set(families.filter((f) => message.includes(f.phrase)).flatMap((f) => f.members));
    if (members.size < 2) return [];
    const own = this.ownNames[locale];
    for (const id of members) if (own.get(id)?.some((name) => message.includes(name))) return [];
    return [...members];
  }
}
