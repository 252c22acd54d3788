import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, loadAppConfig } from './config/app-config';
import { startApplication } from './bootstrap';
import { createNestLogger } from './common/logging';

async function main() {
  const config = loadAppConfig();
  // Start-up lines (database, migrations) in the same pino JSON shape as everything after them.
  Logger.overrideLogger(createNestLogger(config.logLevel));
  const log = new Logger('Main');
  const running = await startApplication(config);
  let stopping = false;
  // Graceful shutdown: stop taking requests, finish those in flight, close the pool, stop PostgreSQL.
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.log(`${signal} received, shutting down`);
    const timer = setTimeout(() => process.exit(1), 15_000);
    timer.unref();
    await running.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  const message = err instanceof ConfigError || err instanceof Error ? err.message : String(err);
  process.stderr.write(`pilot-booking could not start:\n${message}\n`);
  process.exit(1);
});
