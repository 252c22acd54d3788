import { Transform } from 'class-transformer';
import { IsOptional, IsString, Length } from 'class-validator';
import { trim } from '../common/validation/trim';

export class CreateFeedTokenDto {
  /** Your name for the token, to tell your subscriptions apart, e.g. "Outlook 办公室电脑" (1–100 characters). */
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  label?: string;
}

/** A feed token as listed: never the token itself. */
export class FeedTokenDto {
  id: string;
  label: string | null;
  createdAt: string;
  /** When a calendar client last fetched the feed (updated at most every 5 minutes); null if never. */
  lastUsedAt: string | null;
}

/** A new feed token: `token` and `url` are shown this once; only the token's sha256 is stored. */
export class FeedTokenCreatedDto extends FeedTokenDto {
  /** The secret (256 random bits, base64url). Anyone with it can read the feed: keep it like a password. */
  token: string;
  /** The feed's path under this server, e.g. `/api/v1/calendar/feeds/<token>.ics`. */
  url: string;
}
