import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { parseArgs } from 'node:util';
import { AppModule } from './app.module';
import { loadAppConfig } from './config/app-config';
import { prepareDatabase } from './database/database-target';
import { DemoSeeder } from './database/seed/demo-seeder';
import { UsersService } from './organisations/users.service';
import { createValidationPipe } from './common/validation/validation-pipe';
import { CreateUserDto } from './organisations/organisations.dto';
import { DomainError } from './common/errors/domain-error';
import { basename, resolve } from 'node:path';
import { SacctImportService } from './usage/sacct-import.service';
import { SacctImportDto } from './usage/usage.dto';
import { existsSync } from 'node:fs';

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  create-admin --email <e-mail> --password <password> [--name <display name>]
                   create an admin (the first one on a fresh server database)
  seed-demo        load the demo accounts (idempotent)
  migrate          apply pending migrations and exit
  import-sacct --facility <id> --cluster <name> <file>
                   import sacct --parsable2 output (as POST /api/v1/usage/imports does):
                   progress on stderr, the JSON summary on stdout

Uses DATABASE_URL when set, otherwise the embedded PostgreSQL under DATA_DIR (./.data).`;

async function main(argv: string[]) {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      facility: { type: 'string' }, cluster: { type: 'string' },
    },
  });
  const command = positionals[0];
  if (!command || values.help || !['create-admin', 'seed-demo', 'migrate', 'import-sacct'].includes(command)) {
    process.stdout.write(USAGE + '\n');
    return command && !values.help ? 2 : 0;
  }
  const log = new Logger('cli');
  // import-sacct keeps stdout for its JSON summary: log lines go to stderr.
  const quiet = command === 'import-sacct';
  if (quiet && (!values.facility || !values.cluster || positionals.length !== 2)) {
    process.stderr.write('import-sacct needs --facility <id> --cluster <name> <file>\n');
    return 2;
  }
  const config = loadAppConfig();
  const database = await prepareDatabase(config, (m) => (quiet ? process.stderr.write(`${m}\n`) : log.log(m)));
  try {
    if (command === 'migrate') return 0;
    // A command is not a server: it never starts the scheduled jobs.
    const ctx = await NestFactory.createApplicationContext(AppModule.forRoot({ ...config, jobs: { ...config.jobs, enabled: false }, databaseUrl: database.url }), {
      logger: quiet ? ['warn', 'error'] : ['log', 'warn', 'error'],
    });
    try {
      if (command === 'import-sacct') {
        const file = resolve(positionals[1]);
        await createValidationPipe().transform({ facilityId: values.facility, cluster: values.cluster }, { type: 'body', metatype: SacctImportDto });
        if (!existsSync(file)) throw new Error(`no such file: ${file}`);
        const summary = await ctx.get(SacctImportService).importFile(
          { kind: 'system', label: 'cli:import-sacct' },
          null,
          { facilityId: values.facility!, cluster: values.cluster!, fileName: basename(file), path: file },
          (lines) => process.stderr.write(`\rimport-sacct: ${lines} lines read`),
        );
        process.stderr.write(`\nimport-sacct: ${summary.imported} imported, ${summary.duplicates} duplicates, ${summary.rejected} rejected\n`);
        process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
        return 0;
      }
      if (command === 'seed-demo') {
        await ctx.get(DemoSeeder).seed();
        return 0;
      }
      // create-admin: the same validation as the API's.
      const dto = (await createValidationPipe().transform(
        { email: values.email, password: values.password, displayName: values.name ?? 'Administrator', role: 'admin' },
        { type: 'body', metatype: CreateUserDto },
      )) as CreateUserDto;
      const user = await ctx.get(UsersService).createFirstAdmin(dto);
      log.log(`admin ${user.email} created (id ${user.id}); log in with POST /api/v1/auth/login`);
      return 0;
    } finally {
      await ctx.close();
    }
  } finally {
    await database.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof DomainError) {
      const fields = err.errors?.map((e) => `\n  - ${e.field}: ${e.message}`).join('') ?? '';
      process.stderr.write(`error: ${err.message}${fields}\n`);
    } else {
      process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    }
    process.exit(1);
  },
);
