import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Auth, Authenticated, Public } from '../common/auth/auth.decorators';
import type { AuthUser } from '../common/auth/auth-user';
import { PageQueryDto } from '../common/pagination';
import { CreateFeedTokenDto, FeedTokenCreatedDto } from './calendar.dto';
import { CalendarService } from './calendar.service';
import { FEED_ROLES, FeedTokensService } from './feed-tokens.service';
import { ICS_CONTENT_TYPE, IcsDocument } from './ics';
import { ApiProblems } from '../common/openapi/api-problems';
import { FeedTokenPageDto } from './calendar.responses';
import { UuidParam } from '../common/validation/uuid-param';

const ICS_OK = {
  description: 'An iCalendar (RFC 5545) document, `text/calendar; charset=utf-8`.',
  content: { 'text/calendar': { schema: { type: 'string' } } },
};

/** Sets the calendar headers and returns the body (errors stay problem+json: these are set only on success). */
function ics(res: Response, doc: IcsDocument): string {
  res.setHeader('Content-Type', ICS_CONTENT_TYPE);
  res.setHeader('Content-Disposition', `inline; filename="${doc.filename}"`);
  res.setHeader('Cache-Control', doc.cacheControl);
  return doc.body;
}

/**
 * iCalendar feeds. Calendar clients cannot send bearer tokens: the public feed needs none, a private
 * feed is opened by the secret token in its URL, and a single booking needs the usual bearer token.
 * (CalendarModule is imported before BookingsModule so that `bookings/:id.ics` is matched before `bookings/:id`.)
 */
@ApiTags('calendar')
@Controller()
export class CalendarFeedsController {
  constructor(private readonly calendar: CalendarService) {}

  /** Public: when a resource is held, as busy blocks (TENTATIVE while pending, CONFIRMED once approved); no names. */
  @Get('calendar/resources/:id.ics')
  @Public()
  @ApiProduces('text/calendar')
  @ApiOkResponse(ICS_OK)
  @ApiNotFoundResponse({ description: 'Unknown resource, or it or its facility is inactive.' })
  async resourceFeed(@UuidParam() id: string, @Res({ passthrough: true }) res: Response) {
    return ics(res, await this.calendar.resourceFeed(id));
  }

  /** A private feed, opened by its token (create one with POST /calendar/tokens): the owner's bookings as it may see them now. */
  @Get('calendar/feeds/:token.ics')
  @Public()
  @ApiParam({ name: 'token', description: 'The feed token (43 characters of A–Z a–z 0–9 _ -).' })
  @ApiProduces('text/calendar')
  @ApiOkResponse(ICS_OK)
  @ApiNotFoundResponse({ description: 'Unknown or revoked token, or its owner is deactivated.' })
  async privateFeed(@Param('token') token: string, @Res({ passthrough: true }) res: Response) {
    return ics(res, await this.calendar.privateFeed(token));
  }

  /** One booking as an .ics file, for a signed-in user who may see it (another tenant's is 404). */
  @Get('bookings/:id.ics')
  @Authenticated()
  @ApiProduces('text/calendar')
  @ApiOkResponse(ICS_OK)
  @ApiNotFoundResponse({ description: 'Unknown, or not visible to you.' })
  async bookingFile(@Auth() auth: AuthUser, @UuidParam() id: string, @Res({ passthrough: true }) res: Response) {
    return ics(res, await this.calendar.bookingFile(auth, id));
  }
}

/** The caller's private feed tokens. */
@ApiTags('calendar')
@Controller('calendar/tokens')
export class CalendarTokensController {
  constructor(private readonly tokens: FeedTokensService) {}

  /** A new private feed token (enterprise and operator users). The token and its URL are shown only in this answer. */
  @Post()
  @ApiProblems([409, '`too_many_feed_tokens`: at most 20 active tokens per user; revoke one first.'])
  @Authenticated(...FEED_ROLES)
  @Header('Cache-Control', 'no-store')
  @ApiCreatedResponse({ type: FeedTokenCreatedDto })
  create(@Auth() auth: AuthUser, @Body() dto: CreateFeedTokenDto) {
    return this.tokens.create(auth, dto);
  }

  /** The caller's active tokens, newest first (labels and dates; never the token values). */
  @Get()
  @ApiOkResponse({ type: FeedTokenPageDto })
  @Authenticated()
  list(@Auth() auth: AuthUser, @Query() query: PageQueryDto) {
    return this.tokens.list(auth, query);
  }

  /** Revokes one of the caller's tokens: its feed is 404 from now on. */
  @Delete(':id')
  @HttpCode(204)
  @Authenticated()
  @ApiNoContentResponse({ description: 'Revoked.' })
  @ApiNotFoundResponse({ description: 'Unknown, already revoked, or not yours.' })
  revoke(@Auth() auth: AuthUser, @UuidParam() id: string) {
    return this.tokens.revoke(auth, id);
  }
}
