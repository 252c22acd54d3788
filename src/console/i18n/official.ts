import { catalogue } from './language';

/** Texts of the official pages. */
export const official = catalogue(
  {
    title: 'official',
  },
  {
    title: 'official',
  },
);
