import { ApiProperty } from '@nestjs/swagger';
import { FeedTokenDto } from './calendar.dto';

export class FeedTokenPageDto {
  items: FeedTokenDto[];
  @ApiProperty({ type: 'integer', minimum: 0 }) total: number;
  @ApiProperty({ type: 'integer' }) limit: number;
  @ApiProperty({ type: 'integer' }) offset: number;
}
