import 'reflect-metadata';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { ConfigError, loadAppConfig } from './config/app-config';
import { startApplication } from './bootstrap';

async function main() {
  // Start-up lines (database, migrations) as JSON too, like the request log that follows.
  Logger.overrideLogger(new ConsoleLogger({ json: true, colors: false }));
  const config = loadAppConfig();
  const running = await startApplication(config);
  let stopping = false;
  // Graceful shutdown: stop taking requests, finish those in flight, close the pool, stop PostgreSQL.
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${JSON.stringify({ level: 30, time: Date.now(), msg: `${signal} received, shutting down` })}\n`);
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
