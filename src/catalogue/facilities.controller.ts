import { Body, Controller, Get, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Auth, Authenticated, PublicWithOptionalAuth } from '../common/auth/auth.decorators';
import type { AuthUser } from '../common/auth/auth-user';
import { CreateFacilityDto, FacilityDetailDto, FacilityPageDto, FacilityQueryDto, UpdateFacilityDto } from './facilities.dto';
import { FacilitiesService } from './facilities.service';
import { ApiProblems } from '../common/openapi/api-problems';
import { UuidParam } from '../common/validation/uuid-param';

@ApiTags('catalogue')
@Controller('facilities')
export class FacilitiesController {
  constructor(private readonly facilities: FacilitiesService) {}

  /** Operators publish a facility of their own organisation; admins name the operator (`operatorId`). */
  @Post()
  @ApiProblems([404, 'Admins: no such operator organisation (`operatorId`).'])
  @Authenticated('operator', 'admin')
  @ApiCreatedResponse({ type: FacilityDetailDto })
  create(@Auth() auth: AuthUser, @Body() dto: CreateFacilityDto) {
    return this.facilities.create(auth, dto);
  }

  /** Search active facilities (no login needed) by kind, city, direction, stage and text in Chinese or English. */
  @Get()
  @ApiProblems([403, '`includeInactive=true` as an enterprise or official.'])
  @PublicWithOptionalAuth()
  @ApiOkResponse({ type: FacilityPageDto })
  search(@Auth() auth: AuthUser | undefined, @Query() query: FacilityQueryDto) {
    return this.facilities.search(auth, query);
  }

  /** One facility with its resources. Inactive facilities are shown only to their operator and admins (404 otherwise). */
  @Get(':id')
  @PublicWithOptionalAuth()
  @ApiOkResponse({ type: FacilityDetailDto })
  @ApiNotFoundResponse({ description: 'Unknown, or inactive and not yours.' })
  get(@Auth() auth: AuthUser | undefined, @UuidParam() id: string) {
    return this.facilities.get(auth, id);
  }

  /** Change any fields of your facility (admins: any facility); `active: false` hides it from search. */
  @Patch(':id')
  @Authenticated('operator', 'admin')
  @ApiOkResponse({ type: FacilityDetailDto })
  @ApiNotFoundResponse({ description: 'No such facility.' })
  update(@Auth() auth: AuthUser, @UuidParam() id: string, @Body() dto: UpdateFacilityDto) {
    return this.facilities.update(auth, id, dto);
  }
}
