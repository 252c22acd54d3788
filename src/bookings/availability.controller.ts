import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Auth, PublicWithOptionalAuth } from '../common/auth/auth.decorators';
import type { AuthUser } from '../common/auth/auth-user';
import { AvailabilityService } from './availability.service';
import { AvailabilityQueryDto, AvailabilitySearchDto } from './bookings.dto';
import { AvailabilitySearchResultDto, ResourceAvailabilityDto } from './bookings.responses';
import { UuidParam } from '../common/validation/uuid-param';

@ApiTags('availability')
@Controller()
export class AvailabilityController {
  constructor(private readonly availability: AvailabilityService) {}

  /**
   * Free windows of one resource between `from` and `to` (default: the next 14 days): opening hours
   * minus maintenance minus holds and their buffers, within the lead time and horizon. For pooled
   * resources, the windows where at least `units` are free, with the free units in each.
   */
  @Get('resources/:id/availability')
  @ApiOkResponse({ type: ResourceAvailabilityDto })
  @PublicWithOptionalAuth()
  forResource(@Auth() auth: AuthUser | undefined, @UuidParam() id: string, @Query() query: AvailabilityQueryDto) {
    return this.availability.forResource(auth, id, query);
  }

  /** Resources with at least one free window of `minHours`, with their first such windows. */
  @Get('availability')
  @ApiOkResponse({ type: AvailabilitySearchResultDto })
  @PublicWithOptionalAuth()
  search(@Query() query: AvailabilitySearchDto) {
    return this.availability.search(query);
  }
}
