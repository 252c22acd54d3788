import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../common/auth/auth.decorators';
import { AuditQueryDto } from './audit.dto';
import { AuditService } from './audit.service';
import { AuditPageDto, AuditVerifyDto } from './audit.responses';

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /** The audit trail, newest first (officials and admins). */
  @Get()
  @ApiOkResponse({ type: AuditPageDto })
  @Authenticated('official', 'admin')
  list(@Query() query: AuditQueryDto) {
    return this.audit.list(query);
  }

  /** Recomputes the hash chain over every entry and reports the first broken link, if any. */
  @Get('verify')
  @Authenticated('official', 'admin')
  @ApiOkResponse({ type: AuditVerifyDto })
  verify() {
    return this.audit.verify();
  }
}
