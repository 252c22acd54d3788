import { Body, Controller, Get, Param, Put, Query } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiProduces, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { Auth, Authenticated } from '../common/auth/auth.decorators';
import { ApiProblems } from '../common/openapi/api-problems';
import { AnnualReturnQueryDto, IndicatorsQueryDto, PutReferenceDto, ReferenceYearParamDto } from './indicators.dto';
import { AnnualReturn, IndicatorReference, IndicatorReferenceList, IndicatorsReport } from './indicators.responses';
import { IndicatorsService } from './indicators.service';
import type { AuthUser } from '../common/auth/auth-user';
import { ReportPeriodDto, UtilisationQueryDto } from './reports.dto';
import { MyUsageReport, UtilisationReport } from './reports.responses';
import { ReportsService } from './reports.service';

@ApiTags('reports')
@Controller('reports')
@ApiExtraModels(UtilisationReport, IndicatorsReport, AnnualReturn)
export class ReportsController {
  constructor(
    private readonly reports: ReportsService,
    private readonly indicatorsService: IndicatorsService,
  ) {}

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

  /**
   * Official indicators (年有效工作机时, 对外服务机时, 共享率, 服务企业数, 中试服务项数, 服务收入, 核时, 卡时) per resource, flagged
   * against the year's reference values, and per facility, operator, city, kind or direction (operators: their facilities).
   */
  @Get('indicators')
  @Authenticated('operator', 'official', 'admin')
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({
    description: 'The indicators (JSON), or with `format=csv` the rows and a total line as `text/csv; charset=utf-8` (UTF-8 with BOM).',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(IndicatorsReport) } },
      'text/csv': { schema: { type: 'string' } },
    },
  })
  @ApiProblems([422, '`period_missing`: neither `year` nor `from` and `to`; `period_ambiguous`: both; `period_not_begun`: a year still to come.'])
  indicators(@Auth() auth: AuthUser, @Query() q: IndicatorsQueryDto) {
    return this.indicatorsService.indicators(auth, q);
  }

  /** One operator's annual return for a year: per resource the indicators, the totals, and the flagged resources. */
  @Get('annual-return')
  @Authenticated('operator', 'official', 'admin')
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({
    description: 'The return (JSON), or with `format=csv` a line per resource and a total line (UTF-8 with BOM).',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(AnnualReturn) } },
      'text/csv': { schema: { type: 'string' } },
    },
  })
  @ApiProblems(404, [422, '`period_not_begun`: a year still to come.'])
  annualReturn(@Auth() auth: AuthUser, @Query() q: AnnualReturnQueryDto) {
    return this.indicatorsService.annualReturn(auth, q);
  }

  /** The reference values per year (national averages and the full-use line) the indicators are flagged against. */
  @Get('indicator-references')
  @Authenticated('operator', 'official', 'admin')
  @ApiOkResponse({ type: IndicatorReferenceList })
  references(@Auth() auth: AuthUser) {
    return this.indicatorsService.listReferences(auth);
  }

  /** Sets the reference values of a year (admins; audited). They apply from that year until a later year's. */
  @Put('indicator-references/:year')
  @Authenticated('admin')
  @ApiOkResponse({ type: IndicatorReference })
  putReference(@Auth() auth: AuthUser, @Param() p: ReferenceYearParamDto, @Body() dto: PutReferenceDto) {
    return this.indicatorsService.putReference(auth, p.year, dto);
  }
}
