export const ROLES = ['enterprise', 'operator', 'official', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The caller of a request, as the auth guard established it (loaded fresh from the database). */
export interface AuthUser {
  userId: string;
  email: string;
  role: Role;
  /** Null for admins, who belong to no organisation. */
  organisationId: string | null;
}

/** The actor of a change, for the audit log: a user, or a scheduled job / the system. */
export type Actor = { kind: 'user'; userId: string; label: string; role?: Role; organisationId?: string | null } | { kind: 'job' | 'system'; label: string };

export const actorOf = (user: AuthUser): Actor => ({
  kind: 'user',
  userId: user.userId,
  label: user.email,
  role: user.role,
  organisationId: user.organisationId,
});
