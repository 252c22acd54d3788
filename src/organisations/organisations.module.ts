import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { OrganisationsController, UsersController } from './organisations.controller';
import { OrganisationsService } from './organisations.service';
import { UsersService } from './users.service';

@Module({
  imports: [AuditModule],
  controllers: [OrganisationsController, UsersController],
  providers: [OrganisationsService, UsersService],
  exports: [OrganisationsService, UsersService],
})
export class OrganisationsModule {}
