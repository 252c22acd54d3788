import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { BookingsModule } from './bookings/bookings.module';
import { CalendarModule } from './calendar/calendar.module';
import { ChainModule } from './chain/chain.module';
import { NotificationsModule } from './notifications/notifications.module';
import { JobsModule } from './jobs/jobs.module';
import { CatalogueModule } from './catalogue/catalogue.module';
import { AppConfig, APP_CONFIG, validateEnvironment } from './config/app-config';
import { dataSourceOptions } from './database/data-source-options';
import { HealthModule } from './health/health.module';
import { loggerOptions } from './common/logging';
import { OrganisationsModule } from './organisations/organisations.module';
import { SeedModule } from './database/seed/seed.module';
import { ClockModule } from './common/clock';
import { AccessModule } from './common/access/access.service';
import { UsageModule } from './usage/usage.module';
import { ReportsModule } from './reports/reports.module';
import { ConsoleModule } from './console/console.module';

/** Makes the typed settings injectable everywhere as APP_CONFIG. */
@Global()
@Module({})
class AppConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: AppConfigModule, providers: [{ provide: APP_CONFIG, useValue: config }], exports: [APP_CONFIG] };
  }
}

/** What to leave out of the application: the CLI builds it without the scheduled jobs. */
export interface AppModuleOptions {
  /** Default true. False: no JobsModule at all (nothing scheduled, JOBS_ENABLED ignored). */
  jobs?: boolean;
}

/**
 * The application. `config.databaseUrl` is already resolved (a server, or the embedded PostgreSQL
 * started by main.ts) and migrated before this module is built.
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig & { databaseUrl: string }, options: AppModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, validate: validateEnvironment }),
        AppConfigModule.forRoot(config),
        ClockModule,
        AccessModule,
        LoggerModule.forRoot(loggerOptions(config)),
        TypeOrmModule.forRoot(dataSourceOptions(config.databaseUrl, {}, config.databasePoolSize)),
        HealthModule,
        AuditModule,
        OrganisationsModule,
        AuthModule,
        CatalogueModule,
        // Before BookingsModule: its routes are registered first, so GET bookings/:id.ics is not taken by bookings/:id.
        CalendarModule,
        BookingsModule,
        ChainModule,
        UsageModule,
        ReportsModule,
        NotificationsModule,
        ConsoleModule,
        ...(options.jobs === false ? [] : [JobsModule]),
        SeedModule,
      ],
    };
  }
}
