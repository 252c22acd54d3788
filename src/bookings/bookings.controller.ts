import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import {
  ApiConflictResponse, ApiCreatedResponse, ApiHeader, ApiNotFoundResponse, ApiOkResponse, ApiTags, ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Auth, Authenticated } from '../common/auth/auth.decorators';
import type { AuthUser } from '../common/auth/auth-user';
import { badRequest } from '../common/errors/domain-error';
import { BookingQueryDto, CheckInDto, CheckOutDto, CreateBookingDto, DecisionDto, IDEMPOTENCY_KEY } from './bookings.dto';
import { BookingsService } from './bookings.service';

@ApiTags('bookings')
@Controller('bookings')
export class BookingsController {
  constructor(private readonly bookings: BookingsService) {}

  /**
   * An SME requests a window (pending, or approved at once where the resource needs no approval).
   * Retry safely with the same `Idempotency-Key`: the first answer is returned again.
   */
  @Post()
  @Authenticated('enterprise')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Up to 255 of A–Z a–z 0–9 . _ : -; kept 48 hours per organisation.' })
  @ApiCreatedResponse({ description: 'The booking, with its state and price in fen.' })
  @ApiConflictResponse({ description: '`slot_taken` / `insufficient_capacity`, with the conflicting windows (no organisation names).' })
  @ApiUnprocessableEntityResponse({
    description:
      'A rule of the resource: outside_opening_hours, in_maintenance, too_short, too_long, in_the_past, lead_time, beyond_horizon, capacity_exceeded, inactive_resource, quota_exceeded; or idempotency_key_reused.',
  })
  async create(
    @Auth() auth: AuthUser,
    @Body() dto: CreateBookingDto,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
      throw badRequest('validation_failed', 'Idempotency-Key must be 1–255 characters of A–Z a–z 0–9 . _ : -', [{ field: 'Idempotency-Key', message: 'invalid format' }]);
    }
    const result = await this.bookings.request(auth, dto, key);
    res.status(result.status);
    if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
    return result.body;
  }

  /** Bookings the caller may see: an SME its organisation's, an operator its facilities', officials and admins all. */
  @Get()
  @Authenticated()
  list(@Auth() auth: AuthUser, @Query() query: BookingQueryDto) {
    return this.bookings.list(auth, query);
  }

  /** One booking (another tenant's is 404). */
  @Get(':id')
  @Authenticated()
  @ApiNotFoundResponse({ description: 'Unknown, or not visible to you.' })
  get(@Auth() auth: AuthUser, @Param('id', ParseUUIDPipe) id: string) {
    return this.bookings.get(auth, id);
  }

  /** The facility's operator approves a pending request. */
  @Post(':id/approve')
  @HttpCode(200)
  @Authenticated('operator')
  @ApiOkResponse({ description: 'The booking, now approved.' })
  @ApiConflictResponse({ description: '`wrong_state`, with the current state.' })
  approve(@Auth() auth: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() dto: DecisionDto) {
    return this.bookings.approve(auth, id, dto);
  }

  /** The facility's operator rejects a pending request (a reason is required). */
  @Post(':id/reject')
  @HttpCode(200)
  @Authenticated('operator')
  @ApiConflictResponse({ description: '`wrong_state`, with the current state.' })
  reject(@Auth() auth: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() dto: DecisionDto) {
    return this.bookings.reject(auth, id, dto);
  }

  /** The booking enterprise (before the start) or the facility's operator cancels. */
  @Post(':id/cancel')
  @HttpCode(200)
  @Authenticated('enterprise', 'operator')
  @ApiConflictResponse({ description: '`wrong_state` or `booking_started`.' })
  cancel(@Auth() auth: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() dto: DecisionDto) {
    return this.bookings.cancel(auth, id, dto);
  }

  /** The facility's operator checks the user in (approved → in_use). */
  @Post(':id/check-in')
  @HttpCode(200)
  @Authenticated('operator')
  @ApiConflictResponse({ description: '`wrong_state`, `too_early_to_check_in` (before start − CHECK_IN_EARLY_MINUTES) or `booking_over`.' })
  checkIn(@Auth() auth: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() dto: CheckInDto) {
    return this.bookings.checkIn(auth, id, dto);
  }

  /** The facility's operator checks the user out (in_use → completed). */
  @Post(':id/check-out')
  @HttpCode(200)
  @Authenticated('operator')
  @ApiConflictResponse({ description: '`wrong_state` (only after check-in) or `not_started`.' })
  checkOut(@Auth() auth: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() dto: CheckOutDto) {
    return this.bookings.checkOut(auth, id, dto);
  }
}
