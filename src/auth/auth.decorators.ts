import { SetMetadata } from '@nestjs/common';

export const ALLOW_PENDING_PASSWORD_CHANGE = 'auth:allow-pending-password-change';

/**
 * A route a user whose password an admin reset may still call (`me`, `me/password`); every other
 * authenticated route answers 403 `password_change_required` until the password is changed.
 */
export const AllowPendingPasswordChange = () => SetMetadata(ALLOW_PENDING_PASSWORD_CHANGE, true);
