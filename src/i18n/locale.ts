/**
 * The languages the bot speaks and the shape of a loaded translation table. Kept apart
 * from the file loader so the translator and the conversation core need not know files.
 */
export const SUPPORTED_LOCALES = ['vi', 'en'] as const;
export type Locale = (typeof SUPPORTED_LOCALES)[number];
export const REFERENCE_LOCALE: Locale = 'vi';

/** Flat view of one language: "intent.hotline.answer" → text. */
export type Catalog = ReadonlyMap<string, string>;
export type LocaleCatalogs = ReadonlyMap<Locale, Catalog>;
