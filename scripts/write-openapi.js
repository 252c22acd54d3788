#!/usr/bin/env node
/**
 * Writes the OpenAPI document of the built app (dist/, made by `nest build` with the swagger plugin)
 * to a file, without a database: the TypeORM data source is replaced by one that never connects,
 * and the app is not initialised (no module hooks run), so only the routes and their metadata count.
 * Usage: node scripts/write-openapi.js [out.json]   (default: stdout)
 */
const { mkdirSync, writeFileSync } = require('node:fs');
const { dirname, resolve } = require('node:path');
const dist = (p) => require(resolve(__dirname, '..', 'dist', p));

async function main() {
  const { Test } = require('@nestjs/testing');
  const { getDataSourceToken } = require('@nestjs/typeorm');
  const { DataSource } = require('typeorm');
  const { AppModule } = dist('app.module');
  const { configureApp, openApiDocumentOf } = dist('app.setup');
  const { loadAppConfig } = dist('config/app-config');
  const { dataSourceOptions } = dist('database/data-source-options');
  const url = 'postgres://openapi@127.0.0.1:1/none';
  const config = loadAppConfig({ NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(40), LOG_LEVEL: 'silent', DATABASE_URL: url, JOBS_ENABLED: 'false' });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot({ ...config, databaseUrl: url })] })
    .overrideProvider(getDataSourceToken())
    .useValue(new DataSource(dataSourceOptions(url)))
    .compile();
  const app = moduleRef.createNestApplication({ bodyParser: false });
  configureApp(app);
  const document = openApiDocumentOf(app);
  const json = JSON.stringify(document, null, 2) + '\n';
  if (process.argv[2]) {
    mkdirSync(dirname(process.argv[2]), { recursive: true });
    writeFileSync(process.argv[2], json);
  } else process.stdout.write(json);
  process.exit(0);
}

main().catch((e) => {
  process.stderr.write(`could not write the OpenAPI document: ${e.stack ?? e}\n`);
  process.exit(1);
});
