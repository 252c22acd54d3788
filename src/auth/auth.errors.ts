import { badRequest, conflict, DomainError } from '../common/errors/domain-error';

/** Wrong e-mail, wrong password, inactive account: one answer for all, so none of them can be told apart. */
export const invalidCredentials = () => new DomainError(401, 'invalid_credentials', 'The e-mail address or the password is wrong.');

/** Login throttling and account lockout: the same answer whether or not the account exists. */
export const tooManyAttempts = (retryAfterSeconds: number) =>
  new DomainError(429, 'too_many_attempts', `Too many failed sign-in attempts. Try again in ${retryAfterSeconds} seconds.`, { retryAfterSeconds });

export const tooManyRegistrations = (retryAfterSeconds: number) =>
  new DomainError(429, 'too_many_requests', `Too many registrations from your network. Try again in ${retryAfterSeconds} seconds.`, { retryAfterSeconds });

export const invalidRefreshToken = () => new DomainError(401, 'invalid_refresh_token', 'The refresh token is invalid, expired or revoked; log in again.');

export const passwordChangeRequired = () =>
  new DomainError(403, 'password_change_required', 'Your password was reset by an administrator: set a new one with POST /api/v1/me/password first.');

export const currentPasswordWrong = () =>
  badRequest('current_password_wrong', 'The current password is wrong.', [{ field: 'currentPassword', message: 'currentPassword is wrong' }]);

export const passwordUnchanged = () =>
  badRequest('validation_failed', 'The request has 1 invalid field: newPassword.', [
    { field: 'newPassword', message: 'newPassword must differ from the current password' },
  ]);

export const lastAdmin = () => conflict('last_admin', 'This is the last active admin: make another user admin (or reactivate one) first.');
