import { catalogue } from './language';

/** Texts of the operator pages. */
export const operator = catalogue(
  {
    title: 'operator',
  },
  {
    title: 'operator',
  },
);
