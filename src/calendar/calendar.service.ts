import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BookingStore } from '../bookings/booking-store';
import { bookingView } from '../bookings/booking-view';
import { BookingsService } from '../bookings/bookings.service';
import { LIMITS } from '../catalogue/catalogue.constants';
import { ResourcesService } from '../catalogue/resources.service';
import type { AuthUser } from '../common/auth/auth-user';
import { Clock } from '../common/clock';
import { notFound } from '../common/errors/domain-error';
import { DAY_MS } from '../common/time';
import { OrganisationsService } from '../organisations/organisations.service';
import { FeedTokensService } from './feed-tokens.service';
import { Audience, bookingsCalendar, busyCalendar, IcsDocument } from './ics';

/** A private feed: bookings whose window ended at most this long ago, and every later one… */
export const PRIVATE_FEED_PAST_DAYS = 90;
/** …up to this many (the latest by start are kept). */
export const PRIVATE_FEED_MAX_EVENTS = 1000;
/** The public feed: holds from this long ago to the longest booking horizon a resource can have. */
export const PUBLIC_FEED_PAST_DAYS = 30;
export const PUBLIC_FEED_MAX_EVENTS = 2000;

const PRIVATE_CACHE = 'private, max-age=60';
const PUBLIC_CACHE = 'public, max-age=60';

/** The iCalendar views of bookings: a resource's public busy time, a user's private feed, one booking. */
@Injectable()
export class CalendarService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly store: BookingStore,
    private readonly bookings: BookingsService,
    private readonly resources: ResourcesService,
    private readonly organisations: OrganisationsService,
    private readonly tokens: FeedTokensService,
    private readonly clock: Clock,
  ) {}

  /**
   * Public: the times a resource is held (pending → TENTATIVE, approved/in use → CONFIRMED), each as
   * a busy block over its blocked window (changeover buffers included). No organisation, purpose or
   * booking id. A resource the public cannot see (unknown, or it or its facility inactive) is 404.
   */
  async resourceFeed(resourceId: string): Promise<IcsDocument> {
    const resource = await this.resources.findVisible(undefined, resourceId);
    const now = this.clock.now();
    const held = await this.store.heldForResource(
      this.dataSource.manager,
      resource.id,
      new Date(now.getTime() - PUBLIC_FEED_PAST_DAYS * DAY_MS),
      new Date(now.getTime() + (LIMITS.maxHorizonDays + 1) * DAY_MS),
      PUBLIC_FEED_MAX_EVENTS,
    );
    const body = busyCalendar(
      {
        nameZh: resource.nameZh,
        nameEn: resource.nameEn,
        mode: resource.mode,
        unit: resource.unit,
        capacity: resource.capacity,
        facilityNameZh: resource.facility.nameZh,
        facilityNameEn: resource.facility.nameEn,
        address: resource.facility.address,
        timeZone: resource.facility.timeZone,
      },
      held.map((h) => ({
        bookingId: h.id,
        from: new Date(h.blocked_from),
        until: new Date(h.blocked_until),
        units: h.units,
        state: h.state,
        version: h.version,
        updatedAt: new Date(h.updated_at),
      })),
      now,
    );
    return { filename: `resource-${resource.id}.ics`, body, cacheControl: PUBLIC_CACHE };
  }

  /**
   * A private feed, opened by its token: the token owner's bookings as the owner would see them now
   * (an enterprise its organisation's, an operator its facilities' with the booking organisation),
   * every state, cancelled ones as STATUS:CANCELLED. Unknown, revoked or deactivated → 404.
   */
  async privateFeed(token: string): Promise<IcsDocument> {
    const owner = await this.tokens.resolve(token);
    if (!owner) throw notFound('Calendar feed');
    const now = this.clock.now();
    const em = this.dataSource.manager;
    const rows = await this.store.listForFeed(em, owner.user, new Date(now.getTime() - PRIVATE_FEED_PAST_DAYS * DAY_MS), PRIVATE_FEED_MAX_EVENTS);
    const organisation = await this.organisations.findById(owner.user.organisationId!, em);
    const audience = audienceOf(owner.user);
    const body = bookingsCalendar({
      name: `pilot-booking · ${organisation.nameZh}`,
      description:
        audience === 'enterprise'
          ? `${organisation.nameZh}的预约 / bookings of ${organisation.nameEn ?? organisation.nameZh}`
          : `${organisation.nameZh}运营设施的预约 / bookings of the facilities run by ${organisation.nameEn ?? organisation.nameZh}`,
      bookings: rows.map(bookingView),
      audience,
      now,
    });
    return { filename: 'pilot-booking.ics', body, cacheControl: PRIVATE_CACHE };
  }

  /** One booking for a signed-in caller who may see it (another tenant's is 404, as for GET /bookings/:id). */
  async bookingFile(auth: AuthUser, id: string): Promise<IcsDocument> {
    const booking = await this.bookings.get(auth, id);
    const body = bookingsCalendar({
      name: `${booking.resource.nameZh} · ${booking.facility.nameZh}`,
      bookings: [booking],
      audience: audienceOf(auth),
      now: this.clock.now(),
    });
    return { filename: `booking-${booking.id}.ics`, body, cacheControl: PRIVATE_CACHE };
  }
}

/** Enterprises see where they go; the facility side (operators, officials, admins) sees who comes. */
const audienceOf = (user: AuthUser): Audience => (user.role === 'enterprise' ? 'enterprise' : 'operator');
