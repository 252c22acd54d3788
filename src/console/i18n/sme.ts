import { catalogue } from './language';

/** Texts of the sme pages. */
export const sme = catalogue(
  {
    title: 'sme',
  },
  {
    title: 'sme',
  },
);
