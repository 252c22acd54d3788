import { ApiProperty } from '@nestjs/swagger';
import { NOTIFICATION_KINDS } from './notification.entity';

/** One message to the caller, in Chinese and English. */
export class NotificationDto {
  /** A positive integer, as a string (bigint). */
  @ApiProperty({ pattern: '^[1-9][0-9]*$' }) id: string;
  @ApiProperty({ format: 'uuid' }) recipientUserId: string;
  @ApiProperty({ enum: NOTIFICATION_KINDS }) kind: string;
  @ApiProperty({ type: 'string', format: 'uuid', nullable: true }) bookingId: string | null;
  titleZh: string;
  titleEn: string;
  bodyZh: string;
  bodyEn: string;
  createdAt: Date;
  readAt: Date | null;
  deliveredAt: Date | null;
}

export class NotificationPageDto {
  items: NotificationDto[];
  @ApiProperty({ type: 'integer', minimum: 0 }) total: number;
  @ApiProperty({ type: 'integer' }) limit: number;
  @ApiProperty({ type: 'integer' }) offset: number;
}
