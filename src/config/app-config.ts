import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, validateSync } from 'class-validator';

/** The environment the app reads, validated once at start-up (ConfigModule's `validate`). */
export class EnvironmentVariables {
  @IsOptional() @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @IsOptional() @Transform(({ value }) => (value === undefined || value === '' ? 3000 : Number(value)))
  @IsInt() @Min(0) @Max(65535)
  PORT = 3000;

  /** A PostgreSQL server. Unset: the embedded PostgreSQL under DATA_DIR is used. */
  @IsOptional() @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must start with postgres:// or postgresql://' })
  DATABASE_URL?: string;

  /** Where the embedded database and the generated JWT secret live. */
  @IsOptional() @IsString()
  DATA_DIR = './.data';

  @IsOptional() @IsString() @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;

  @IsOptional() @IsString()
  JWT_EXPIRES_IN = '1h';

  @IsOptional() @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** Set to "false" to skip loading the demo data into an empty embedded database. */
  @IsOptional() @IsIn(['true', 'false'])
  DEMO_DATA = 'true';
}

export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  databaseUrl?: string;
  dataDir: string;
  jwtSecret: string;
  jwtExpiresIn: string;
  logLevel: string;
  demoData: boolean;
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
  if (errors.length > 0) {
    const lines = errors.flatMap((e) => Object.values(e.constraints ?? {}));
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
    databaseUrl: v.DATABASE_URL,
    dataDir,
    jwtSecret: v.JWT_SECRET ?? persistentSecret(dataDir),
    jwtExpiresIn: v.JWT_EXPIRES_IN,
    logLevel: v.LOG_LEVEL,
    demoData: v.DEMO_DATA !== 'false',
  };
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
