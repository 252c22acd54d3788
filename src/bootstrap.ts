import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { AppConfig } from './config/app-config';
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
    if (database.embedded && config.demoData) await app.get(DemoSeeder).seedIfEmpty();
    if (listen) {
      await app.listen(config.port, config.host);
      const url = `http://localhost:${config.port}`;
      log.log(`listening on ${url} — API docs at ${url}/docs, health at ${url}/health`);
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
