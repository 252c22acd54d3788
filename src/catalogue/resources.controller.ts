import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Auth, Authenticated, PublicWithOptionalAuth } from '../common/auth/auth.decorators';
import type { AuthUser } from '../common/auth/auth-user';
import { ResourceScheduleService } from './resource-schedule.service';
import {
  CreateMaintenanceDto,
  CreateResourceDto,
  MaintenancePageDto,
  MaintenanceQueryDto,
  MaintenanceWindowDto,
  OpeningHoursDto,
  ReplaceOpeningHoursDto,
  ResourceDetailDto,
  ResourcePageDto,
  ResourceQueryDto,
  UpdateResourceDto,
} from './resources.dto';
import { ResourcesService } from './resources.service';
import { ApiProblems } from '../common/openapi/api-problems';
import { UuidParam } from '../common/validation/uuid-param';

@ApiTags('catalogue')
@Controller('resources')
export class ResourcesController {
  constructor(
    private readonly resources: ResourcesService,
    private readonly schedule: ResourceScheduleService,
  ) {}

  /** Publish a resource at your facility (admins: any), optionally with its weekly opening hours. */
  @Post()
  @Authenticated('operator', 'admin')
  @ApiCreatedResponse({ type: ResourceDetailDto })
  @ApiNotFoundResponse({ description: 'No such facility.' })
  create(@Auth() auth: AuthUser, @Body() dto: CreateResourceDto) {
    return this.resources.create(auth, dto);
  }

  /** Search active resources of active facilities (no login needed); each carries its facility in brief and its opening hours. */
  @Get()
  @ApiProblems([403, '`includeInactive=true` as an enterprise or official.'])
  @PublicWithOptionalAuth()
  @ApiOkResponse({ type: ResourcePageDto })
  search(@Auth() auth: AuthUser | undefined, @Query() query: ResourceQueryDto) {
    return this.resources.search(auth, query);
  }

  /** One resource with its rules, opening hours, upcoming maintenance and facility. */
  @Get(':id')
  @PublicWithOptionalAuth()
  @ApiOkResponse({ type: ResourceDetailDto })
  @ApiNotFoundResponse({ description: 'Unknown, or inactive and not yours.' })
  get(@Auth() auth: AuthUser | undefined, @UuidParam() id: string) {
    return this.resources.get(auth, id);
  }

  /** Change any fields of your resource (admins: any); `active: false` hides it from search. */
  @Patch(':id')
  @ApiProblems([409, '`resource_mode_in_use` / `capacity_below_holds`: bookings still to come would no longer fit.'])
  @Authenticated('operator', 'admin')
  @ApiOkResponse({ type: ResourceDetailDto })
  @ApiNotFoundResponse({ description: 'No such resource.' })
  update(@Auth() auth: AuthUser, @UuidParam() id: string, @Body() dto: UpdateResourceDto) {
    return this.resources.update(auth, id, dto);
  }

  /** The weekly opening hours, local time of the facility's zone. */
  @Get(':id/opening-hours')
  @PublicWithOptionalAuth()
  @ApiOkResponse({ type: OpeningHoursDto })
  getOpeningHours(@Auth() auth: AuthUser | undefined, @UuidParam() id: string) {
    return this.schedule.getOpeningHours(auth, id);
  }

  /** Replace the weekly opening hours (400 naming e.g. `intervals[2]` for a malformed or overlapping interval). */
  @Put(':id/opening-hours')
  @Authenticated('operator', 'admin')
  @ApiOkResponse({ type: OpeningHoursDto })
  replaceOpeningHours(@Auth() auth: AuthUser, @UuidParam() id: string, @Body() dto: ReplaceOpeningHoursDto) {
    return this.schedule.replaceOpeningHours(auth, id, dto);
  }

  /** Add a maintenance window `[startsAt, endsAt)` in which the resource cannot be booked. */
  @Post(':id/maintenance')
  @ApiProblems([409, '`maintenance_overlaps_bookings`: bookings hold the resource in this window (listed in `bookings`).'])
  @Authenticated('operator', 'admin')
  @ApiCreatedResponse({ type: MaintenanceWindowDto })
  addMaintenance(@Auth() auth: AuthUser, @UuidParam() id: string, @Body() dto: CreateMaintenanceDto) {
    return this.schedule.addMaintenance(auth, id, dto);
  }

  /** Maintenance windows overlapping `[from, to)` (default: those not ended yet), earliest first. */
  @Get(':id/maintenance')
  @PublicWithOptionalAuth()
  @ApiOkResponse({ type: MaintenancePageDto })
  listMaintenance(@Auth() auth: AuthUser | undefined, @UuidParam() id: string, @Query() query: MaintenanceQueryDto) {
    return this.schedule.listMaintenance(auth, id, query);
  }

  /** Remove a maintenance window. */
  @Delete(':id/maintenance/:maintenanceId')
  @Authenticated('operator', 'admin')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Removed.' })
  removeMaintenance(@Auth() auth: AuthUser, @UuidParam() id: string, @UuidParam('maintenanceId') maintenanceId: string) {
    return this.schedule.removeMaintenance(auth, id, maintenanceId);
  }
}
