import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { AuditModule } from '../audit/audit.module';
import { AppConfig, APP_CONFIG } from '../config/app-config';
import { OrganisationsModule } from '../organisations/organisations.module';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { SessionsService } from './sessions.service';
import { ThrottleService } from './throttle.service';
import { UserAdminController } from './user-admin.controller';
import { UserAdminService } from './user-admin.service';

@Module({
  imports: [
    OrganisationsModule,
    AuditModule,
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        secret: config.jwtSecret,
        signOptions: { expiresIn: config.accessTokenTtlSeconds, issuer: 'pilot-booking', audience: 'pilot-booking-api', algorithm: 'HS256' },
        verifyOptions: { issuer: 'pilot-booking', audience: 'pilot-booking-api', algorithms: ['HS256'] },
      }),
    }),
  ],
  controllers: [AuthController, UserAdminController],
  providers: [AuthService, SessionsService, ThrottleService, UserAdminService, AuthGuard, { provide: APP_GUARD, useExisting: AuthGuard }],
  exports: [AuthService, SessionsService, ThrottleService, AuthGuard, UserAdminService],
})
export class AuthModule {}
