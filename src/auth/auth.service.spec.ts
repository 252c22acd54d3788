import * as argon2 from 'argon2';
import { hashPassword } from '../common/auth/password-hasher';
import { needsRehash } from './auth.service';

describe('rehash on login', () => {
  it('keeps hashes made with the current argon2id parameters', async () => {
    expect(needsRehash(await hashPassword('violet-harbour-lantern'))).toBe(false);
  });

  it('redoes hashes with other parameters or another variant', async () => {
    expect(needsRehash(await argon2.hash('violet-harbour-lantern', { type: argon2.argon2id, memoryCost: 4096, timeCost: 1, parallelism: 1 }))).toBe(true);
    expect(needsRehash(await argon2.hash('violet-harbour-lantern', { type: argon2.argon2i, memoryCost: 19_456, timeCost: 2, parallelism: 1 }))).toBe(true);
  });
});
