import { catalogue } from './language';

/** Texts of the admin pages. */
export const admin = catalogue(
  {
    title: 'admin',
  },
  {
    title: 'admin',
  },
);
