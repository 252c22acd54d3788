import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ChainStore } from './chain-store';
import { ChainController } from './chain.controller';
import { ChainService } from './chain.service';

/**
 * Chain projects (lab → pilot → industry) and their stage history. The booking engine imports this
 * module for `ChainService.resolveForBooking`; the chain view reads bookings in SQL (like a report),
 * so this module does not depend on BookingsModule (no cycle).
 */
@Module({
  imports: [AuditModule],
  controllers: [ChainController],
  providers: [ChainService, ChainStore],
  exports: [ChainService],
})
export class ChainModule {}
