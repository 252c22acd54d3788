export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'zh-CN';
export const isLanguage = (value: unknown): value is Language => (LANGUAGES as readonly unknown[]).includes(value);

/** A catalogue part: the Chinese texts define the keys, the English ones must have exactly the same keys and shapes. */
export type Texts<T> = { [K in keyof T]: T[K] extends (...args: infer A) => string ? (...args: A) => string : string };
export const catalogue = <T extends Record<string, string | ((...args: never[]) => string)>>(zh: T, en: Texts<T>): Record<Language, Texts<T>> => ({
  'zh-CN': zh as unknown as Texts<T>,
  en,
});
