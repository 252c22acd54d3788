import { admin } from './admin';
import { common } from './common';
import { official } from './official';
import { operator } from './operator';
import { sme } from './sme';
import { vocabulary } from './vocabulary';
import { Language } from './language';

/**
 * The message catalogue of one language: one part per area of the console, so that each area's texts stay
 * beside each other. The Chinese texts define the keys; the English part must have exactly the same ones
 * (the compiler checks it).
 */
const PARTS = { common, vocabulary, sme, operator, official, admin } as const;

export type Messages = { [K in keyof typeof PARTS]: (typeof PARTS)[K][Language] };

const cache = new Map<Language, Messages>();
export function messagesFor(language: Language): Messages {
  let m = cache.get(language);
  if (!m) {
    m = Object.fromEntries(Object.entries(PARTS).map(([k, part]) => [k, part[language]])) as Messages;
    cache.set(language, m);
  }
  return m;
}
