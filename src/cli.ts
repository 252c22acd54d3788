import 'reflect-metadata';
import type { LoggerService } from '@nestjs/common';
import { parseArgs } from 'node:util';
import pino from 'pino';
import type { AppConfig } from './config/app-config';
import { createLogger } from './common/logging';

// The application's modules are loaded only once the command line is understood (import() in run()),
// so that a typo or --help answers at once.

const COMMANDS = ['create-admin', 'seed-demo', 'migrate', 'import-sacct', 'rebuild-snapshots'] as const;
type Command = (typeof COMMANDS)[number];

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  create-admin --email <e-mail> [--name <display name>] [--password-stdin]
                   create an admin (the first one on a fresh server database). The password is
                   asked for twice, without echo, on the terminal; with --password-stdin it is read
                   from standard input instead (one line: printf '%s' "$PASSWORD" | … --password-stdin)
  seed-demo [--no-history]
                   load the demo accounts, the demo catalogue and a year of demo history (idempotent;
                   refused when NODE_ENV=production); --no-history leaves the history out
  migrate          apply pending migrations and exit
  import-sacct --facility <id> --cluster <name> <file>
                   import sacct --parsable2 output (as POST /api/v1/usage/imports does):
                   progress on stderr, the JSON summary on stdout (log lines go to stderr)
  rebuild-snapshots --from <YYYY-MM-DD> --to <YYYY-MM-DD>
                   rebuild the daily report snapshots of the finished days in [from, to)
                   (Asia/Shanghai dates; waits for a snapshot job running in another instance):
                   a progress bar on stderr, the JSON summary on stdout (log lines go to stderr)

Uses DATABASE_URL when set, otherwise the embedded PostgreSQL under DATA_DIR (./.data).
Log lines are JSON on standard output; errors are plain text on standard error.
Exit status: 0 done, 1 failed (bad input, refused, database), 2 wrong usage.`;

const HINT = 'Run "npm run cli -- --help" for the commands and their options.';

/** A mistake in the command line: exit status 2 with a hint. */
class UsageError extends Error {}

/**
 * The CLI's log: JSON lines with the same fields as the server's pino lines
 * (`level, time, pid, hostname, service, context, msg`), no colours, written synchronously so that
 * nothing is lost when the process exits (the server's logger factory, with a synchronous destination).
 */
export function cliLog(level: string, fd: 1 | 2 = 1): pino.Logger {
  return createLogger(level, pino.destination({ dest: fd, sync: true }));
}

/** Nest's own start-up chatter (module initialised, …) is debug level here. */
const NEST_INTERNALS = new Set(['NestFactory', 'InstanceLoader', 'NestApplicationContext']);

/** Nest's LoggerService over a pino logger: the last string parameter is the context (Nest's convention). */
export function nestLogger(log: pino.Logger): LoggerService {
  const write = (level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace', message: unknown, params: unknown[]) => {
    const rest = [...params];
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : 'cli';
    const lvl = NEST_INTERNALS.has(context) && (level === 'info' || level === 'debug') ? 'debug' : level;
    const fields: Record<string, unknown> = { context };
    let msg: string;
    if (message instanceof Error) {
      fields.err = { type: message.name, message: message.message, stack: message.stack };
      msg = message.message;
    } else if (message !== null && typeof message === 'object') {
      Object.assign(fields, message);
      msg = typeof rest[0] === 'string' ? (rest.shift() as string) : '';
    } else {
      msg = String(message);
    }
    if (level === 'error' && typeof rest[0] === 'string') fields.stack = rest[0];
    log[lvl](fields, msg);
  };
  return {
    log: (m, ...p) => write('info', m, p),
    error: (m, ...p) => write('error', m, p),
    warn: (m, ...p) => write('warn', m, p),
    debug: (m, ...p) => write('debug', m, p),
    verbose: (m, ...p) => write('trace', m, p),
    fatal: (m, ...p) => write('fatal', m, p),
  };
}

function parseCommandLine(argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        email: { type: 'string' },
        name: { type: 'string' },
        'password-stdin': { type: 'boolean' },
        facility: { type: 'string' },
        cluster: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        // Refused with an explanation (see below) rather than as an unknown option.
        password: { type: 'string' },
        'no-history': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    // ERR_PARSE_ARGS_UNKNOWN_OPTION, ERR_PARSE_ARGS_INVALID_OPTION_VALUE, …
    const unknown = (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && /'([^']+)'/.exec((e as Error).message);
    throw new UsageError(unknown ? `unknown option "${unknown[1]}"` : e instanceof Error ? e.message.split('\n')[0] : String(e));
  }
  const { positionals, values } = parsed;
  if (values.help) return { help: true as const };
  const command = positionals[0];
  if (!command) throw new UsageError(`no command given\n\n${USAGE}`);
  if (!(COMMANDS as readonly string[]).includes(command)) {
    const near = COMMANDS.find((c) => editDistance(c, command) <= 2);
    throw new UsageError(`unknown command "${command}"${near ? ` (did you mean "${near}"?)` : ''}`);
  }
  if (command === 'import-sacct') {
    if (!values.facility || !values.cluster || positionals.length !== 2) throw new UsageError('import-sacct needs --facility <id> --cluster <name> <file>');
  } else if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
  if (command === 'rebuild-snapshots' && (!values.from || !values.to)) throw new UsageError('rebuild-snapshots needs --from <YYYY-MM-DD> --to <YYYY-MM-DD>');
  if (command !== 'rebuild-snapshots' && (values.from !== undefined || values.to !== undefined))
    throw new UsageError('--from and --to belong to rebuild-snapshots');
  if (command !== 'import-sacct' && (values.facility !== undefined || values.cluster !== undefined)) {
    throw new UsageError('--facility and --cluster belong to import-sacct');
  }
  if (command !== 'seed-demo' && values['no-history']) throw new UsageError('--no-history belongs to seed-demo');
  if (values.password !== undefined) {
    throw new UsageError(
      '--password is not accepted: a password on the command line is seen by every user of the machine (ps) and kept in the shell history. ' +
        'Leave it out to be asked for it, or pipe it in with --password-stdin',
    );
  }
  if (command !== 'create-admin' && (values.email !== undefined || values.name !== undefined || values['password-stdin'])) {
    throw new UsageError(`${command} takes no --email, --name or --password-stdin`);
  }
  return {
    help: false as const,
    command: command as Command,
    email: values.email,
    name: values.name,
    passwordStdin: values['password-stdin'] === true,
    noHistory: values['no-history'] === true,
    facility: values.facility,
    cluster: values.cluster,
    from: values.from,
    to: values.to,
    file: positionals[1],
  };
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length][b.length];
}

/** All of standard input, less one trailing newline; it must be one line. */
async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (/[\r\n]/.test(text)) throw new UsageError('--password-stdin: standard input must hold the password on one line');
  return text;
}

/** Asks on the terminal with echo off (raw mode); Ctrl-C aborts. */
function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolvePassword, reject) => {
    let typed = '';
    const done = (error?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (error) reject(error);
      else resolvePassword(typed);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003' || ch === '\u0004') return done(new Error('cancelled'));
        if (ch === '\u007f' || ch === '\b') typed = [...typed].slice(0, -1).join('');
        else if (ch >= ' ') typed += ch;
      }
    };
    process.stderr.write(prompt);
    stdin.setEncoding('utf8');
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

/** From standard input (--password-stdin), or asked twice on the terminal. */
async function readPassword(passwordStdin: boolean): Promise<string> {
  if (passwordStdin) return readPasswordFromStdin();
  if (!process.stdin.isTTY) {
    throw new UsageError(
      'no terminal to ask for the password on: pipe it in with --password-stdin (printf \'%s\' "$PASSWORD" | npm run cli -- create-admin --email … --password-stdin)',
    );
  }
  const first = await promptHidden('Password: ');
  const second = await promptHidden('Repeat password: ');
  if (first !== second) throw new Error('the two passwords differ; nothing was created');
  return first;
}

async function run(
  command: Command,
  options: {
    email?: string;
    name?: string;
    passwordStdin: boolean;
    noHistory?: boolean;
    facility?: string;
    cluster?: string;
    file?: string;
    from?: string;
    to?: string;
  },
  config: AppConfig,
  logger: LoggerService,
): Promise<number> {
  const { Logger } = await import('@nestjs/common');
  const { NestFactory } = await import('@nestjs/core');
  const { AppModule } = await import('./app.module');
  const { prepareDatabase } = await import('./database/database-target');
  const { DemoDataRefusedError, DemoSeeder } = await import('./database/seed/demo-seeder');
  const { UsersService } = await import('./organisations/users.service');
  const { createValidationPipe } = await import('./common/validation/validation-pipe');
  const { CreateUserDto } = await import('./organisations/organisations.dto');
  Logger.overrideLogger(logger);
  // Nothing scheduled in the CLI: no JobsModule, and JOBS_ENABLED is off whatever the environment says.
  const cliConfig: AppConfig = { ...config, jobs: { ...config.jobs, enabled: false } };
  if (command === 'seed-demo' && config.nodeEnv === 'production') throw new DemoDataRefusedError('seed-demo');
  // Ask for the password before touching the database.
  const password = command === 'create-admin' ? await readPassword(options.passwordStdin) : undefined;
  const log = new Logger('cli');
  const database = await prepareDatabase(cliConfig, (m) => log.log(m));
  try {
    if (command === 'migrate') return 0;
    const ctx = await NestFactory.createApplicationContext(AppModule.forRoot({ ...cliConfig, databaseUrl: database.url }, { jobs: false }), { logger });
    try {
      if (command === 'seed-demo') {
        await ctx.get(DemoSeeder).seed({ history: !options.noHistory });
        return 0;
      }
      if (command === 'import-sacct') return await importSacct(ctx, options as Required<typeof options>, createValidationPipe);
      if (command === 'rebuild-snapshots') return await rebuildSnapshots(ctx, options as Required<typeof options>);
      // create-admin: the same validation as the API's.
      const dto = (await createValidationPipe().transform(
        { email: options.email, password, displayName: options.name ?? 'Administrator', role: 'admin' },
        { type: 'body', metatype: CreateUserDto },
      )) as InstanceType<typeof CreateUserDto>;
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

/** import-sacct: the same validation and service as POST /api/v1/usage/imports; progress on stderr, summary on stdout. */
async function importSacct(
  ctx: { get<T>(type: new (...args: never[]) => T): T },
  options: { facility: string; cluster: string; file: string },
  createValidationPipe: () => import('@nestjs/common').ValidationPipe,
): Promise<number> {
  const path = await import('node:path');
  const { existsSync } = await import('node:fs');
  const { SacctImportService } = await import('./usage/sacct-import.service');
  const { SacctImportDto } = await import('./usage/usage.dto');
  await createValidationPipe().transform({ facilityId: options.facility, cluster: options.cluster }, { type: 'body', metatype: SacctImportDto });
  const file = path.resolve(options.file);
  if (!existsSync(file)) throw new Error(`no such file: ${file}`);
  const summary = await ctx
    .get(SacctImportService)
    .importFile(
      { kind: 'system', label: 'cli:import-sacct' },
      null,
      { facilityId: options.facility, cluster: options.cluster, fileName: path.basename(file), path: file },
      (lines) => process.stderr.write(`\rimport-sacct: ${lines} lines read`),
    );
  process.stderr.write(`\nimport-sacct: ${summary.imported} imported, ${summary.duplicates} duplicates, ${summary.rejected} rejected\n`);
  process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  return 0;
}

/** rebuild-snapshots: ReportSnapshotsService.rebuild over [from, to) with a progress bar on stderr, the summary on stdout. */
async function rebuildSnapshots(ctx: { get<T>(type: new (...args: never[]) => T): T }, options: { from: string; to: string }): Promise<number> {
  const { SingleBar, Presets } = await import('cli-progress');
  const { ReportSnapshotsService } = await import('./reports/report-snapshots.service');
  const started = Date.now();
  const bar = new SingleBar(
    {
      stream: process.stderr,
      format: 'rebuild-snapshots [{bar}] {percentage}% | {value}/{total} days | {day} | eta {eta_formatted}',
      noTTYOutput: true,
      notTTYSchedule: 2000,
    },
    Presets.shades_classic,
  );
  let startedBar = false;
  try {
    const run = await ctx.get(ReportSnapshotsService).rebuild(options.from, options.to, (done, total, day) => {
      if (!startedBar) {
        bar.start(total, 0, { day });
        startedBar = true;
      }
      bar.update(done, { day });
    });
    if (startedBar) bar.stop();
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    process.stderr.write(`rebuild-snapshots: ${run.days.length} days, ${run.factRows} fact rows in ${seconds} s\n`);
    const summary = {
      from: options.from,
      to: options.to,
      days: run.days.length,
      first: run.days[0] ?? null,
      last: run.days.at(-1) ?? null,
      factRows: run.factRows,
      seconds,
    };
    process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
    if (run.days.length === 0) process.stderr.write('rebuild-snapshots: no finished day in that range (today and later days are always computed live)\n');
    return 0;
  } finally {
    if (startedBar) bar.stop();
  }
}

async function main(argv: string[]): Promise<number> {
  const args = parseCommandLine(argv);
  if (args.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const { loadAppConfig } = await import('./config/app-config');
  const config = loadAppConfig();
  // import-sacct and rebuild-snapshots keep standard output for their JSON summary: its log lines go to standard error.
  return run(args.command, args, config, nestLogger(cliLog(config.logLevel, args.command === 'import-sacct' || args.command === 'rebuild-snapshots' ? 2 : 1)));
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  async (err) => {
    if (err instanceof UsageError) {
      process.stderr.write(`error: ${err.message}\n${HINT}\n`);
      process.exit(2);
    }
    const { DomainError } = await import('./common/errors/domain-error');
    if (err instanceof DomainError) {
      const fields = err.errors?.map((e) => `\n  - ${e.field}: ${e.message}`).join('') ?? '';
      process.stderr.write(`error: ${err.message}${fields}\n`);
    } else {
      process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    }
    process.exit(1);
  },
);
