/**
 * Looks up localised texts. A missing key cannot happen with validated content (the
 * loader checks every key the code uses), but if it does the citizen sees the
 * Vietnamese text rather than a key name, and the key is returned as a last resort.
 */
import { REFERENCE_LOCALE, type Locale, type LocaleCatalogs } from './locale';

export type TemplateVars = Readonly<Record<string, string | number>>;

/** Locale keys of the hotline clause: with a configured number, and without one. */
export const HOTLINE_TEXT_KEYS = { call: 'hotline.call', find: 'hotline.find' } as const;

/**
 * Looks up texts and fills their `{{placeholders}}`.
 *
 * `{{call_hotline}}` is a clause every text may use: "gọi đường dây nóng 0260 1022" when
 * a hotline number is configured (global `hotline`), and "xem số đường dây nóng trên …"
 * when none is — so no text ever says "call this number" next to a web address.
 */
export class Translator {
  constructor(
    private readonly catalogs: LocaleCatalogs,
    /** Values every text may use, e.g. {{hotline}} (the number, when configured) and {{botName}}. */
    private readonly globals: TemplateVars = {},
  ) {}

  t(locale: Locale, key: string, vars: TemplateVars = {}): string {
    const text = this.raw(locale, key);
    const all = { ...this.globals, ...vars };
    if (!text.includes('call_hotline')) return interpolate(text, all);
    const clause = interpolate(this.raw(locale, 'hotline' in all ? HOTLINE_TEXT_KEYS.call : HOTLINE_TEXT_KEYS.find), all);
    return interpolate(text, { call_hotline: clause, ...all });
  }

  private raw(locale: Locale, key: string): string {
    return this.catalogs.get(locale)?.get(key) ?? this.catalogs.get(REFERENCE_LOCALE)?.get(key) ?? key;
  }

  has(key: string): boolean {
    return this.catalogs.get(REFERENCE_LOCALE)?.has(key) ?? false;
  }
}

/** Replaces `{{name}}`; an unknown name is left visible so the mistake is noticed, not hidden. */
export function interpolate(text: string, vars: TemplateVars): string {
  return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}
