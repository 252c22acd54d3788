import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const SESSION_REVOKED_REASONS = ['logout', 'logout_all', 'refresh_token_reused', 'password_changed', 'password_reset', 'deactivated'] as const;
export type SessionRevokedReason = (typeof SESSION_REVOKED_REASONS)[number];

/**
 * One login: the family of refresh tokens rotated from it. Access tokens carry its id (`sid`), and the
 * auth guard accepts them only while the session is not revoked, so logout and revocation bite at once.
 */
@Entity('auth_sessions')
export class AuthSession {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'last_refreshed_at', type: 'timestamptz', nullable: true })
  lastRefreshedAt: Date | null;

  /** When the newest refresh token of the family expires. */
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ name: 'revoked_reason', type: 'text', nullable: true })
  revokedReason: SessionRevokedReason | null;

  @Column({ type: 'text', nullable: true })
  ip: string | null;

  @Column({ name: 'user_agent', type: 'text', nullable: true })
  userAgent: string | null;
}
