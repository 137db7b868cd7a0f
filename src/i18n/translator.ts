/**
 * Looks up localised texts. A missing key cannot happen with validated content (the
 * loader checks every key the code uses), but if it does the citizen sees the
 * Vietnamese text rather than a key name, and the key is returned as a last resort.
 */
import type { Locale, LocaleCatalogs } from '../content/locale-files';
import { REFERENCE_LOCALE } from '../content/locale-files';

export type TemplateVars = Readonly<Record<string, string | number>>;

export class Translator {
  constructor(
    private readonly catalogs: LocaleCatalogs,
    /** Values every text may use, e.g. {{hotline}} from configuration. */
    private readonly globals: TemplateVars = {},
  ) {}

  t(locale: Locale, key: string, vars: TemplateVars = {}): string {
    const text = this.catalogs.get(locale)?.get(key) ?? this.catalogs.get(REFERENCE_LOCALE)?.get(key) ?? key;
    return interpolate(text, { ...this.globals, ...vars });
  }

  has(key: string): boolean {
    return this.catalogs.get(REFERENCE_LOCALE)?.has(key) ?? false;
  }
}

/** Replaces `{{name}}`; an unknown name is left visible so the mistake is noticed, not hidden. */
export function interpolate(text: string, vars: TemplateVars): string {
  return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}
