import { Controller, Get, Query } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiProduces, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { Auth, Authenticated } from '../common/auth/auth.decorators';
import type { AuthUser } from '../common/auth/auth-user';
import { ReportPeriodDto, UtilisationQueryDto } from './reports.dto';
import { MyUsageReport, UtilisationReport } from './reports.responses';
import { ReportsService } from './reports.service';

@ApiTags('reports')
@Controller('reports')
@ApiExtraModels(UtilisationReport)
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  /**
   * Utilisation figures per resource, facility, operator, city, kind, direction, stage or month, with a total and drill-down
   * links to the records (operators: their facilities; officials and admins: all). `format=csv` streams the rows as CSV.
   */
  @Get('utilisation')
  @Authenticated('operator', 'official', 'admin')
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({
    description: 'The report (JSON), or with `format=csv` its rows as `text/csv; charset=utf-8` (UTF-8 with BOM, Chinese and English headers).',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(UtilisationReport) } },
      'text/csv': { schema: { type: 'string' } },
    },
  })
  utilisation(@Auth() auth: AuthUser, @Query() q: UtilisationQueryDto) {
    return this.reports.utilisation(auth, q);
  }

  /** The calling enterprise's own bookings, use and spend by resource and stage in `[from, to)`. */
  @Get('my-usage')
  @Authenticated('enterprise')
  @ApiOkResponse({ type: MyUsageReport })
  myUsage(@Auth() auth: AuthUser, @Query() q: ReportPeriodDto) {
    return this.reports.myUsage(auth, q);
  }
}
