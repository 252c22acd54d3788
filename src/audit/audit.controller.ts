import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Auth, Authenticated } from '../common/auth/auth.decorators';
import type { AuthUser } from '../common/auth/auth-user';
import { AuditQueryDto } from './audit.dto';
import { AuditService } from './audit.service';
import { AuditPageDto, AuditSealDto, AuditVerifyDto } from './audit.responses';

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /** The audit trail, newest first: officials and admins all; an operator its own and its facilities' entries; an SME its organisation's. */
  @Get()
  @ApiOkResponse({ type: AuditPageDto })
  @Authenticated('official', 'admin', 'operator', 'enterprise')
  list(@Auth() auth: AuthUser, @Query() query: AuditQueryDto) {
    return this.audit.list(query, auth);
  }

  /** Seals what can be sealed, then recomputes the hash chain over every sealed entry and reports the first broken link, if any. */
  @Get('verify')
  @Authenticated('official', 'admin')
  @ApiOkResponse({ type: AuditVerifyDto })
  verify() {
    return this.audit.verify();
  }

  /** Chains the unsealed entries now (what the `audit-seal` job does every interval); waits briefly for transactions in flight. */
  @Post('seal')
  @HttpCode(200)
  @Authenticated('admin')
  @ApiOkResponse({ type: AuditSealDto })
  seal() {
    return this.audit.seal({ waitMs: 1000 });
  }
}
