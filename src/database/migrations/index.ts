import { Foundation1764086400000 } from './1764086400000-Foundation';

/** Listed explicitly so the same list works from TypeScript (tests) and from dist/ (the app). */
export const MIGRATIONS = [Foundation1764086400000];
