import { Body, Controller, Get, Headers, HttpCode, Post, Query, Res } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Auth, Authenticated } from '../common/auth/auth.decorators';
import type { AuthUser } from '../common/auth/auth-user';
import { badRequest } from '../common/errors/domain-error';
import { BookingQueryDto, CheckInDto, CheckOutDto, CreateBookingDto, DecisionDto, IDEMPOTENCY_KEY } from './bookings.dto';
import { BookingsService } from './bookings.service';
import { ApiProblems } from '../common/openapi/api-problems';
import { BookingDto, BookingPageDto } from './bookings.responses';
import { UuidParam } from '../common/validation/uuid-param';

@ApiTags('bookings')
@Controller('bookings')
export class BookingsController {
  constructor(private readonly bookings: BookingsService) {}

  /**
   * An SME requests a window (pending, or approved at once where the resource needs no approval). An operator
   * books a resource of its own facilities for its own use (internal use: approved at once, never priced, no
   * fair-use limits); another operator's resource is 403 `not_your_facility`.
   * Retry safely with the same `Idempotency-Key`: the first answer is returned again.
   */
  @Post()
  @ApiCreatedResponse({
    type: BookingDto,
    description: 'The booking, with its state and price in fen (a replay with the same Idempotency-Key answers the first answer again).',
  })
  @ApiProblems([404, 'No such resource.'])
  @Authenticated('enterprise', 'operator')
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Up to 255 of A–Z a–z 0–9 . _ : -; kept 48 hours per organisation.',
    schema: { type: 'string', minLength: 1, maxLength: 255, pattern: IDEMPOTENCY_KEY.source, example: 'req-2026-12-01-0001' },
  })
  @ApiConflictResponse({ description: '`slot_taken` / `insufficient_capacity`, with the conflicting windows (no organisation names).' })
  @ApiUnprocessableEntityResponse({
    description:
      'A rule of the resource: outside_opening_hours, in_maintenance, too_short, too_long, in_the_past, lead_time, beyond_horizon, capacity_exceeded, inactive_resource, quota_exceeded, service_category_not_offered (compute on a resource that is not a compute resource, or another category on a compute one); or unknown_project, idempotency_key_reused.',
  })
  async create(
    @Auth() auth: AuthUser,
    @Body() dto: CreateBookingDto,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
      throw badRequest('validation_failed', 'Idempotency-Key must be 1–255 characters of A–Z a–z 0–9 . _ : -', [
        { field: 'Idempotency-Key', message: 'invalid format' },
      ]);
    }
    const result = await this.bookings.request(auth, dto, key);
    res.status(result.status);
    if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
    return result.body;
  }

  /** Bookings the caller may see: an SME its organisation's, an operator its facilities', officials and admins all. */
  @Get()
  @ApiOkResponse({ type: BookingPageDto })
  @Authenticated()
  list(@Auth() auth: AuthUser, @Query() query: BookingQueryDto) {
    return this.bookings.list(auth, query);
  }

  /** One booking (another tenant's is 404). */
  @Get(':id')
  @ApiOkResponse({ type: BookingDto })
  @Authenticated()
  @ApiNotFoundResponse({ description: 'Unknown, or not visible to you.' })
  get(@Auth() auth: AuthUser, @UuidParam() id: string) {
    return this.bookings.get(auth, id);
  }

  /** The facility's operator approves a pending request. */
  @Post(':id/approve')
  @ApiOkResponse({ type: BookingDto, description: 'The booking, now approved.' })
  @HttpCode(200)
  @Authenticated('operator')
  @ApiConflictResponse({ description: '`wrong_state`, with the current state.' })
  approve(@Auth() auth: AuthUser, @UuidParam() id: string, @Body() dto: DecisionDto) {
    return this.bookings.approve(auth, id, dto);
  }

  /** The facility's operator rejects a pending request (a reason is required). */
  @Post(':id/reject')
  @ApiOkResponse({ type: BookingDto, description: 'The booking, now rejected.' })
  @HttpCode(200)
  @Authenticated('operator')
  @ApiConflictResponse({ description: '`wrong_state`, with the current state.' })
  reject(@Auth() auth: AuthUser, @UuidParam() id: string, @Body() dto: DecisionDto) {
    return this.bookings.reject(auth, id, dto);
  }

  /** The booking enterprise (before the start) or the facility's operator cancels. */
  @Post(':id/cancel')
  @ApiOkResponse({ type: BookingDto, description: 'The booking, now cancelled.' })
  @HttpCode(200)
  @Authenticated('enterprise', 'operator')
  @ApiConflictResponse({ description: '`wrong_state` or `booking_started`.' })
  cancel(@Auth() auth: AuthUser, @UuidParam() id: string, @Body() dto: DecisionDto) {
    return this.bookings.cancel(auth, id, dto);
  }

  /** The facility's operator checks the user in (approved → in_use). */
  @Post(':id/check-in')
  @ApiOkResponse({ type: BookingDto, description: 'The booking, now in use.' })
  @HttpCode(200)
  @Authenticated('operator')
  @ApiConflictResponse({ description: '`wrong_state`, `too_early_to_check_in` (before start − CHECK_IN_EARLY_MINUTES) or `booking_over`.' })
  checkIn(@Auth() auth: AuthUser, @UuidParam() id: string, @Body() dto: CheckInDto) {
    return this.bookings.checkIn(auth, id, dto);
  }

  /** The facility's operator checks the user out (in_use → completed). */
  @Post(':id/check-out')
  @ApiOkResponse({ type: BookingDto, description: 'The booking, now completed.' })
  @HttpCode(200)
  @Authenticated('operator')
  @ApiConflictResponse({ description: '`wrong_state` (only after check-in) or `not_started`.' })
  @ApiProblems([422, '`units_used_exceed_booked`: more units used than the booking holds.'])
  checkOut(@Auth() auth: AuthUser, @UuidParam() id: string, @Body() dto: CheckOutDto) {
    return this.bookings.checkOut(auth, id, dto);
  }
}
