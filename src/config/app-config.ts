import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, validateSync } from 'class-validator';

const DURATION = /^\d+(ms|s|m|h|d)?$/;
const DURATION_MESSAGE = (name: string) => `${name} must be a duration such as 30s, 15m, 1h or 14d (a bare number is seconds)`;
const toInt =
  (fallback: number) =>
  ({ value }: { value: unknown }) =>
    value === undefined || value === '' ? fallback : Number(value);
const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/;

/** `15m` → 900000. A bare number is seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) throw new ConfigError(`not a duration: ${text}`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

/** Express' `trust proxy` setting from its text form: `false`, `true`, a hop count, or addresses/subnets/names. */
export function parseTrustProxy(text: string): boolean | number | string {
  const t = text.trim();
  if (t === 'false' || t === '') return false;
  if (t === 'true') return true;
  if (/^\d+$/.test(t)) return Number(t);
  return t;
}

/** The environment the app reads, validated once at start-up (ConfigModule's `validate`). */
export class EnvironmentVariables {
  @IsOptional()
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? 3000 : Number(value)))
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  /**
   * Interface to listen on. Unset: 127.0.0.1 while the database holds active demo accounts
   * (published password), otherwise 0.0.0.0 (see listenHost).
   */
  @IsOptional()
  @IsString()
  HOST?: string;

  /** A PostgreSQL server. Unset: the embedded PostgreSQL under DATA_DIR is used. */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must start with postgres:// or postgresql://' })
  DATABASE_URL?: string;

  /** Connections in the app's database pool (per instance). */
  @IsOptional()
  @Transform(({ value }) => (value === undefined ? 20 : Number(value)))
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE = 20;

  /** Where the embedded database and the generated JWT secret live. */
  @IsOptional()
  @IsString()
  DATA_DIR = './.data';

  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;

  /** Lifetime of a bearer access token: `15m`, `900s`, `900` (seconds), `1h`. */
  @IsOptional()
  @Matches(DURATION, { message: DURATION_MESSAGE('ACCESS_TOKEN_TTL') })
  ACCESS_TOKEN_TTL = '15m';

  /** Lifetime of a refresh token; each refresh issues a new one with this lifetime. */
  @IsOptional()
  @Matches(DURATION, { message: DURATION_MESSAGE('REFRESH_TOKEN_TTL') })
  REFRESH_TOKEN_TTL = '14d';

  /** Browser origins allowed to call the API (CORS), comma-separated, e.g. `https://booking.example.cn`. Empty: none. */
  @IsOptional()
  @IsString()
  CORS_ORIGINS = '';

  /** Express `trust proxy`: which proxies may set X-Forwarded-For (the client address used for throttling). */
  @IsOptional()
  @IsString()
  TRUST_PROXY = 'loopback';

  /** Failed logins allowed from one client address per LOGIN_IP_WINDOW before it gets 429 for the rest of the window. */
  @IsOptional()
  @Transform(toInt(50))
  @IsInt()
  @Min(1)
  LOGIN_IP_LIMIT = 50;

  @IsOptional()
  @Matches(DURATION, { message: DURATION_MESSAGE('LOGIN_IP_WINDOW') })
  LOGIN_IP_WINDOW = '15m';

  /** Failed logins in a row (within LOGIN_LOCKOUT_DURATION) after which an account (an e-mail address) is locked. */
  @IsOptional()
  @Transform(toInt(5))
  @IsInt()
  @Min(1)
  LOGIN_LOCKOUT_THRESHOLD = 5;

  /** How long a locked account stays locked (also the window in which failures are counted). */
  @IsOptional()
  @Matches(DURATION, { message: DURATION_MESSAGE('LOGIN_LOCKOUT_DURATION') })
  LOGIN_LOCKOUT_DURATION = '15m';

  /** Registrations (that pass validation) allowed from one client address per REGISTER_IP_WINDOW. */
  @IsOptional()
  @Transform(toInt(20))
  @IsInt()
  @Min(1)
  REGISTER_IP_LIMIT = 20;

  @IsOptional()
  @Matches(DURATION, { message: DURATION_MESSAGE('REGISTER_IP_WINDOW') })
  REGISTER_IP_WINDOW = '1h';

  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** Set to "false" to skip loading the demo data into an empty embedded database. */
  @IsOptional()
  @IsIn(['true', 'false'])
  DEMO_DATA = 'true';

  /** Set to "false" to run no scheduled jobs in this instance (tests drive them by hand). */
  @IsOptional()
  @IsIn(['true', 'false'])
  JOBS_ENABLED = 'true';

  /** How often each job runs, in seconds. */
  @IsOptional()
  @Transform(({ value }) => (value === undefined ? 60 : Number(value)))
  @IsInt()
  @Min(5)
  @Max(3600)
  JOBS_INTERVAL_SECONDS = 60;

  /** A pending request expires this many hours after it was made (or at the booking's start, if earlier). */
  @IsOptional()
  @Transform(({ value }) => (value === undefined ? 48 : Number(value)))
  @IsInt()
  @Min(1)
  @Max(24 * 60)
  DECISION_DEADLINE_HOURS = 48;

  /** An approved booking not checked in this many minutes after its start becomes a no-show. */
  @IsOptional()
  @Transform(({ value }) => (value === undefined ? 30 : Number(value)))
  @IsInt()
  @Min(0)
  @Max(24 * 60)
  NO_SHOW_GRACE_MINUTES = 30;

  /** Check-in opens this many minutes before a booking starts (and stays open until it ends). */
  @IsOptional()
  @Transform(({ value }) => (value === undefined ? 30 : Number(value)))
  @IsInt()
  @Min(0)
  @Max(24 * 60)
  CHECK_IN_EARLY_MINUTES = 30;

  /** Reminders go out this many hours before an approved booking starts. */
  @IsOptional()
  @Transform(({ value }) => (value === undefined ? 24 : Number(value)))
  @IsInt()
  @Min(1)
  @Max(24 * 14)
  REMINDER_LEAD_HOURS = 24;
}

export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  /** HOST as set; undefined: chosen at start by listenHost(). */
  host?: string;
  databaseUrl?: string;
  /** Connections in the database pool. */
  databasePoolSize: number;
  dataDir: string;
  jwtSecret: string;
  /** Access token lifetime in seconds. */
  accessTokenTtlSeconds: number;
  /** Refresh token lifetime in seconds. */
  refreshTokenTtlSeconds: number;
  /** Origins allowed by CORS; empty: CORS stays off. */
  corsOrigins: string[];
  trustProxy: boolean | number | string;
  throttle: {
    loginIpLimit: number;
    loginIpWindowMs: number;
    lockoutThreshold: number;
    lockoutDurationMs: number;
    registerIpLimit: number;
    registerIpWindowMs: number;
  };
  logLevel: string;
  demoData: boolean;
  jobs: {
    enabled: boolean;
    intervalSeconds: number;
    decisionDeadlineHours: number;
    noShowGraceMinutes: number;
    reminderLeadHours: number;
  };
  bookings: {
    /** Check-in opens this many minutes before the start. */
    checkInEarlyMinutes: number;
  };
}

export class ConfigError extends Error {}

/** Validates the environment; throws one readable error listing every bad variable. */
export function validateEnvironment(env: Record<string, unknown>): EnvironmentVariables {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = plainToInstance(EnvironmentVariables, cleaned, { exposeDefaultValues: true });
  const errors = validateSync(parsed, { skipMissingProperties: false });
  if (parsed.NODE_ENV === 'production' && !parsed.JWT_SECRET) {
    throw new ConfigError('Invalid configuration: JWT_SECRET is required when NODE_ENV=production (at least 32 characters).');
  }
  const lines = errors.flatMap((e) => Object.values(e.constraints ?? {}));
  for (const origin of splitList(parsed.CORS_ORIGINS)) {
    if (!ORIGIN.test(origin))
      lines.push(`CORS_ORIGINS: "${origin}" is not an origin such as https://booking.example.cn (scheme, host, optional port; no path, no *)`);
  }
  for (const name of ['ACCESS_TOKEN_TTL', 'REFRESH_TOKEN_TTL', 'LOGIN_IP_WINDOW', 'LOGIN_LOCKOUT_DURATION', 'REGISTER_IP_WINDOW'] as const) {
    if (DURATION.test(parsed[name]) && parseDuration(parsed[name]) < 1000) lines.push(`${name} must be at least one second`);
  }
  if (lines.length > 0) {
    throw new ConfigError(`Invalid configuration:\n  - ${lines.join('\n  - ')}\nFix the environment variables above and start again.`);
  }
  return parsed;
}

/** The typed settings; outside production a missing JWT secret is generated once and kept under DATA_DIR. */
export function loadAppConfig(env: Record<string, unknown> = process.env): AppConfig {
  const v = validateEnvironment(env);
  const dataDir = resolve(v.DATA_DIR);
  return {
    nodeEnv: v.NODE_ENV,
    port: v.PORT,
    host: v.HOST,
    databaseUrl: v.DATABASE_URL,
    databasePoolSize: v.DATABASE_POOL_SIZE,
    dataDir,
    jwtSecret: v.JWT_SECRET ?? persistentSecret(dataDir),
    accessTokenTtlSeconds: Math.floor(parseDuration(v.ACCESS_TOKEN_TTL) / 1000),
    refreshTokenTtlSeconds: Math.floor(parseDuration(v.REFRESH_TOKEN_TTL) / 1000),
    corsOrigins: splitList(v.CORS_ORIGINS),
    trustProxy: parseTrustProxy(v.TRUST_PROXY),
    throttle: {
      loginIpLimit: v.LOGIN_IP_LIMIT,
      loginIpWindowMs: parseDuration(v.LOGIN_IP_WINDOW),
      lockoutThreshold: v.LOGIN_LOCKOUT_THRESHOLD,
      lockoutDurationMs: parseDuration(v.LOGIN_LOCKOUT_DURATION),
      registerIpLimit: v.REGISTER_IP_LIMIT,
      registerIpWindowMs: parseDuration(v.REGISTER_IP_WINDOW),
    },
    logLevel: v.LOG_LEVEL,
    demoData: v.DEMO_DATA !== 'false',
    jobs: {
      enabled: v.JOBS_ENABLED !== 'false',
      intervalSeconds: v.JOBS_INTERVAL_SECONDS,
      decisionDeadlineHours: v.DECISION_DEADLINE_HOURS,
      noShowGraceMinutes: v.NO_SHOW_GRACE_MINUTES,
      reminderLeadHours: v.REMINDER_LEAD_HOURS,
    },
    bookings: { checkInEarlyMinutes: v.CHECK_IN_EARLY_MINUTES },
  };
}

/**
 * The interface the server listens on: HOST when set; otherwise loopback only (127.0.0.1) while the
 * demo accounts, whose password is published, exist, and every interface (0.0.0.0) when they do not.
 */
export function listenHost(configured: string | undefined, demoAccountsPresent: boolean): string {
  if (configured !== undefined && configured.trim() !== '') return configured.trim();
  return demoAccountsPresent ? '127.0.0.1' : '0.0.0.0';
}

function splitList(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function persistentSecret(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}

export const APP_CONFIG = Symbol('APP_CONFIG');
