import { Body, Controller, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Auth, Authenticated } from '../common/auth/auth.decorators';
import type { AuthUser } from '../common/auth/auth-user';
import { UuidParam } from '../common/validation/uuid-param';
import { AdvanceProjectDto, CreateProjectDto, ProjectQueryDto, RevertProjectDto, UpdateProjectDto } from './chain.dto';
import { ChainViewResponse, ProjectDetailResponse, ProjectPageResponse } from './chain.responses';
import { ChainService } from './chain.service';

const DATE_RULES = '`in_the_future` (after today in Asia/Shanghai) or `before_stage_entry` (before the current stage was entered).';

@ApiTags('chain projects')
@Controller('projects')
export class ChainController {
  constructor(private readonly chain: ChainService) {}

  /** An enterprise registers a technology project of its own organisation (at lab_validation unless `stage` says otherwise). */
  @Post()
  @Authenticated('enterprise')
  @ApiCreatedResponse({ type: ProjectDetailResponse })
  @ApiUnprocessableEntityResponse({ description: '`in_the_future` or `before_project_start`.' })
  create(@Auth() auth: AuthUser, @Body() dto: CreateProjectDto) {
    return this.chain.create(auth, dto);
  }

  /** Projects the caller may see: an enterprise its own, an operator those that booked its facilities, officials and admins all. Newest first. */
  @Get()
  @Authenticated()
  @ApiOkResponse({ type: ProjectPageResponse })
  list(@Auth() auth: AuthUser, @Query() query: ProjectQueryDto) {
    return this.chain.list(auth, query);
  }

  /** One project with its stage history. */
  @Get(':id')
  @Authenticated()
  @ApiOkResponse({ type: ProjectDetailResponse })
  @ApiNotFoundResponse({ description: 'Unknown, or not visible to you.' })
  get(@Auth() auth: AuthUser, @UuidParam() id: string) {
    return this.chain.get(auth, id);
  }

  /** The project along the chain: per stage its dates, facilities and resources used, booked and used unit-hours, cost; and totals. */
  @Get(':id/chain')
  @Authenticated()
  @ApiOkResponse({ type: ChainViewResponse })
  @ApiNotFoundResponse({ description: 'Unknown, or not visible to you.' })
  chainView(@Auth() auth: AuthUser, @UuidParam() id: string) {
    return this.chain.chain(auth, id);
  }

  /** The owner changes the title, description or direction. */
  @Patch(':id')
  @Authenticated('enterprise')
  @ApiOkResponse({ type: ProjectDetailResponse })
  @ApiNotFoundResponse({ description: 'Unknown, or another organisation’s.' })
  update(@Auth() auth: AuthUser, @UuidParam() id: string, @Body() dto: UpdateProjectDto) {
    return this.chain.update(auth, id, dto);
  }

  /** The owner moves the project to the next stage, on a date, with evidence. */
  @Post(':id/advance')
  @HttpCode(200)
  @Authenticated('enterprise')
  @ApiOkResponse({ type: ProjectDetailResponse })
  @ApiNotFoundResponse({ description: 'Unknown, or another organisation’s.' })
  @ApiConflictResponse({ description: '`last_stage`: already at industrialisation.' })
  @ApiUnprocessableEntityResponse({ description: DATE_RULES })
  advance(@Auth() auth: AuthUser, @UuidParam() id: string, @Body() dto: AdvanceProjectDto) {
    return this.chain.advance(auth, id, dto);
  }

  /** The owner moves the project back one stage, on a date, with a reason. */
  @Post(':id/revert')
  @HttpCode(200)
  @Authenticated('enterprise')
  @ApiOkResponse({ type: ProjectDetailResponse })
  @ApiNotFoundResponse({ description: 'Unknown, or another organisation’s.' })
  @ApiConflictResponse({ description: '`first_stage`: already at lab_validation.' })
  @ApiUnprocessableEntityResponse({ description: DATE_RULES })
  revert(@Auth() auth: AuthUser, @UuidParam() id: string, @Body() dto: RevertProjectDto) {
    return this.chain.revert(auth, id, dto);
  }
}
