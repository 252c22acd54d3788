import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** `?limit=&offset=` for every list; the answer carries the total so clients can page. */
export class PageQueryDto {
  /** How many items (1–200, default 20). */
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 20, description: 'How many items (1–200, default 20).' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number = 20;

  /** How many items to skip (default 0). */
  @ApiPropertyOptional({ minimum: 0, default: 0, description: 'How many items to skip (default 0).' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  offset?: number = 0;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export const page = <T>(items: T[], total: number, q: PageQueryDto): Page<T> => ({
  items,
  total,
  limit: q.limit ?? 20,
  offset: q.offset ?? 0,
});
