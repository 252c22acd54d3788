import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, listenHost, loadAppConfig, parseDuration, parseTrustProxy } from './app-config';

const base = () => ({ NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(40), DATA_DIR: mkdtempSync(join(tmpdir(), 'pb-config-')) });

describe('security settings', () => {
  it('has safe defaults: 15-minute access tokens, 14-day refresh tokens, no CORS, loopback proxy', () => {
    const config = loadAppConfig(base());
    expect(config.accessTokenTtlSeconds).toBe(900);
    expect(config.refreshTokenTtlSeconds).toBe(14 * 86_400);
    expect(config.corsOrigins).toEqual([]);
    expect(config.trustProxy).toBe('loopback');
    expect(config.throttle).toEqual({
      loginIpLimit: 50,
      loginIpWindowMs: 15 * 60_000,
      lockoutThreshold: 5,
      lockoutDurationMs: 15 * 60_000,
      registerIpLimit: 20,
      registerIpWindowMs: 3_600_000,
    });
  });

  it('reads durations, limits and the CORS allow-list', () => {
    const config = loadAppConfig({
      ...base(),
      ACCESS_TOKEN_TTL: '5m',
      REFRESH_TOKEN_TTL: '30d',
      CORS_ORIGINS: 'https://booking.example.cn, http://localhost:5173',
      LOGIN_LOCKOUT_THRESHOLD: '3',
      LOGIN_LOCKOUT_DURATION: '1h',
      TRUST_PROXY: '2',
    });
    expect(config.accessTokenTtlSeconds).toBe(300);
    expect(config.refreshTokenTtlSeconds).toBe(30 * 86_400);
    expect(config.corsOrigins).toEqual(['https://booking.example.cn', 'http://localhost:5173']);
    expect(config.throttle.lockoutThreshold).toBe(3);
    expect(config.throttle.lockoutDurationMs).toBe(3_600_000);
    expect(config.trustProxy).toBe(2);
  });

  it.each([
    ['ACCESS_TOKEN_TTL', 'soon', /ACCESS_TOKEN_TTL must be a duration/],
    ['REFRESH_TOKEN_TTL', '0s', /REFRESH_TOKEN_TTL must be at least one second/],
    ['CORS_ORIGINS', '*', /CORS_ORIGINS: "\*" is not an origin/],
    ['CORS_ORIGINS', 'https://ok.example.cn,https://bad.example.cn/path', /bad\.example\.cn\/path/],
    ['LOGIN_LOCKOUT_THRESHOLD', '0', /LOGIN_LOCKOUT_THRESHOLD must not be less than 1/],
    ['LOGIN_IP_LIMIT', 'many', /LOGIN_IP_LIMIT must be an integer/],
  ])('refuses %s=%s', (name, value, message) => {
    expect(() => loadAppConfig({ ...base(), [name]: value })).toThrow(ConfigError);
    expect(() => loadAppConfig({ ...base(), [name]: value })).toThrow(message);
  });

  it('parses durations and trust-proxy settings', () => {
    expect(parseDuration('900')).toBe(900_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(() => parseDuration('2 weeks')).toThrow();
    expect(parseTrustProxy('false')).toBe(false);
    expect(parseTrustProxy('true')).toBe(true);
    expect(parseTrustProxy('loopback, 10.0.0.0/8')).toBe('loopback, 10.0.0.0/8');
  });
});

describe('booking settings', () => {
  it('sizes the database pool with DATABASE_POOL_SIZE (default 20, 1–200)', () => {
    expect(loadAppConfig(base()).databasePoolSize).toBe(20);
    expect(loadAppConfig({ ...base(), DATABASE_POOL_SIZE: '8' }).databasePoolSize).toBe(8);
    for (const value of ['0', '201', 'many']) expect(() => loadAppConfig({ ...base(), DATABASE_POOL_SIZE: value })).toThrow(/DATABASE_POOL_SIZE/);
  });

  it('opens check-in 30 minutes before the start by default (CHECK_IN_EARLY_MINUTES)', () => {
    expect(loadAppConfig(base()).bookings).toEqual({ checkInEarlyMinutes: 30 });
    expect(loadAppConfig({ ...base(), CHECK_IN_EARLY_MINUTES: '0' }).bookings.checkInEarlyMinutes).toBe(0);
    expect(loadAppConfig({ ...base(), CHECK_IN_EARLY_MINUTES: '120' }).bookings.checkInEarlyMinutes).toBe(120);
  });

  it.each(['-1', '1441', 'early', '1.5'])('refuses CHECK_IN_EARLY_MINUTES=%s', (value) => {
    expect(() => loadAppConfig({ ...base(), CHECK_IN_EARLY_MINUTES: value })).toThrow(/CHECK_IN_EARLY_MINUTES/);
  });
});

describe('the interface to listen on (HOST)', () => {
  it('leaves HOST unset by default, and keeps it when set', () => {
    expect(loadAppConfig(base()).host).toBeUndefined();
    expect(loadAppConfig({ ...base(), HOST: '' }).host).toBeUndefined();
    expect(loadAppConfig({ ...base(), HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
  });

  it('unset: loopback only while the demo accounts exist, every interface otherwise; set: always as set', () => {
    expect(listenHost(undefined, true)).toBe('127.0.0.1');
    expect(listenHost(undefined, false)).toBe('0.0.0.0');
    expect(listenHost('0.0.0.0', true)).toBe('0.0.0.0');
    expect(listenHost('::', true)).toBe('::');
    expect(listenHost('127.0.0.1', false)).toBe('127.0.0.1');
  });
});
