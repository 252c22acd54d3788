import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { AppConfig, listenHost } from './config/app-config';
import { DatabaseTarget, prepareDatabase } from './database/database-target';
import { DemoSeeder } from './database/seed/demo-seeder';

export interface RunningApp {
  app: NestExpressApplication;
  database: DatabaseTarget;
  /** Closes the HTTP server and the pool, then stops the embedded database. */
  close(): Promise<void>;
}

/** Builds the app on a prepared database (server or embedded). */
export async function createApp(config: AppConfig, database: DatabaseTarget): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot({ ...config, databaseUrl: database.url }), {
    bodyParser: false,
    bufferLogs: true,
  });
  configureApp(app);
  // The pino logger is in place: write what was buffered while the modules were built. listen() would
  // do it too, but an app that never listens (tests, the CLI) would otherwise buffer every line for ever.
  app.flushLogs();
  return app;
}

/** The whole start-up: database, migrations, demo data on an empty embedded database, HTTP. */
export async function startApplication(config: AppConfig, listen = true): Promise<RunningApp> {
  const log = new NestLogger('Bootstrap');
  const database = await prepareDatabase(config, (m) => log.log(m));
  let app: NestExpressApplication;
  try {
    app = await createApp(config, database);
    await app.init();
    const seeder = app.get(DemoSeeder);
    if (database.embedded && config.demoData) {
      if (config.nodeEnv === 'production') log.warn('demo data not loaded: NODE_ENV=production (its accounts have a published password)');
      else await seeder.seedIfEmpty();
    }
    if (listen) {
      const demo = config.host === undefined && (await seeder.demoAccountsPresent());
      const host = listenHost(config.host, demo);
      if (demo)
        log.warn('HOST is unset and the demo accounts (published password) exist: listening on 127.0.0.1 only; set HOST=0.0.0.0 to listen on every interface');
      await app.listen(config.port, host);
      const url = `http://localhost:${config.port}`;
      log.log(`listening on ${host}:${config.port} — console at ${url}/, API docs at ${url}/docs, health at ${url}/health`);
    }
  } catch (e) {
    await database.stop();
    throw e;
  }
  return {
    app,
    database,
    close: async () => {
      await app.close();
      await database.stop();
    },
  };
}
