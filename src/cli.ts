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

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  create-admin --email <e-mail> --password <password> [--name <display name>]
                   create an admin (the first one on a fresh server database)
  seed-demo        load the demo accounts (idempotent)
  migrate          apply pending migrations and exit

Uses DATABASE_URL when set, otherwise the embedded PostgreSQL under DATA_DIR (./.data).`;

async function main(argv: string[]) {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const command = positionals[0];
  if (!command || values.help || !['create-admin', 'seed-demo', 'migrate'].includes(command)) {
    process.stdout.write(USAGE + '\n');
    return command && !values.help ? 2 : 0;
  }
  const log = new Logger('cli');
  const config = loadAppConfig();
  const database = await prepareDatabase(config, (m) => log.log(m));
  try {
    if (command === 'migrate') return 0;
    const ctx = await NestFactory.createApplicationContext(AppModule.forRoot({ ...config, databaseUrl: database.url }), {
      logger: ['log', 'warn', 'error'],
    });
    try {
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
