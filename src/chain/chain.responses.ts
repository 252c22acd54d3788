import { ApiProperty } from '@nestjs/swagger';
import { CHAIN_STAGES, ChainStage, Direction, DIRECTIONS } from '../catalogue/catalogue.constants';

/** The enterprise that owns a project. */
export class ProjectOrganisationResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() nameZh: string;
  @ApiProperty({ type: String, nullable: true }) nameEn: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'GB/T 2260 city code of the enterprise.' }) cityCode: string | null;
  @ApiProperty({ type: String, nullable: true }) cityNameZh: string | null;
  @ApiProperty({ type: String, nullable: true }) cityNameEn: string | null;
}

/** One stay of the project in a stage: how it was entered (start, advance with evidence, revert with a reason), and when it was left. */
export class ProjectHistoryEntryResponse {
  @ApiProperty({ enum: CHAIN_STAGES }) stage: ChainStage;
  @ApiProperty({ format: 'date', example: '2030-01-08' }) enteredOn: string;
  @ApiProperty({ type: String, format: 'date', nullable: true, description: 'Null while the project is in this stage.' }) leftOn: string | null;
  @ApiProperty({ enum: ['start', 'advance', 'revert'] }) move: 'start' | 'advance' | 'revert';
  @ApiProperty({ type: String, nullable: true, description: 'For an advance.' }) evidence: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'For a revert.' }) reason: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The user who made the move (null: the demo seed).' }) by: string | null;
  @ApiProperty({ format: 'date-time' }) at: string;
}

/** A chain project as lists show it. */
export class ProjectResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() titleZh: string;
  @ApiProperty({ type: String, nullable: true }) titleEn: string | null;
  @ApiProperty() description: string;
  @ApiProperty({ enum: DIRECTIONS }) direction: Direction;
  @ApiProperty({ enum: CHAIN_STAGES, description: 'The current stage.' }) stage: ChainStage;
  @ApiProperty({ format: 'date', description: 'When the current stage was entered.' }) stageEnteredOn: string;
  @ApiProperty({ format: 'date' }) startedOn: string;
  @ApiProperty({ type: ProjectOrganisationResponse }) organisation: ProjectOrganisationResponse;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) createdBy: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

/** A project with its whole stage history, oldest first. */
export class ProjectDetailResponse extends ProjectResponse {
  @ApiProperty({ type: [ProjectHistoryEntryResponse] }) history: ProjectHistoryEntryResponse[];
}

export class ProjectPageResponse {
  @ApiProperty({ type: [ProjectResponse] }) items: ProjectResponse[];
  @ApiProperty() total: number;
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
}

/** Figures over a set of the project's bookings. */
export class ChainFiguresResponse {
  @ApiProperty({ description: 'Bookings counted (approved, in_use, completed, no_show).' }) bookings: number;
  @ApiProperty({ description: 'Σ units × booked hours of those bookings.' }) bookedUnitHours: number;
  @ApiProperty({ description: 'Σ unit-hours actually used (completed bookings: units × hours from check-in to check-out).' }) usedUnitHours: number;
  @ApiProperty({ description: 'Σ price of the completed bookings, in fen.' }) costFen: number;
}

export class ChainResourceResponse extends ChainFiguresResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() nameZh: string;
  @ApiProperty() nameEn: string;
  @ApiProperty({ enum: ['hour', 'gpu_hour', 'core_hour', 'run'] }) unit: string;
}

export class ChainFacilityResponse extends ChainFiguresResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() nameZh: string;
  @ApiProperty() nameEn: string;
  @ApiProperty() kind: string;
  @ApiProperty() cityCode: string;
  @ApiProperty({ type: [ChainResourceResponse] }) resources: ChainResourceResponse[];
}

export class ChainPeriodResponse {
  @ApiProperty({ format: 'date' }) enteredOn: string;
  @ApiProperty({ type: String, format: 'date', nullable: true }) leftOn: string | null;
}

/** One stage of the chain: when the project was in it, and the bookings made for it (by the booking's stage). */
export class ChainStageResponse extends ChainFiguresResponse {
  @ApiProperty({ enum: CHAIN_STAGES }) stage: ChainStage;
  @ApiProperty({ description: 'Whether this is the project’s current stage.' }) current: boolean;
  @ApiProperty({ type: String, format: 'date', nullable: true, description: 'First entered (null: never).' }) enteredOn: string | null;
  @ApiProperty({ type: String, format: 'date', nullable: true, description: 'Last left (null: never entered, or the current stage).' }) leftOn: string | null;
  @ApiProperty({ type: [ChainPeriodResponse], description: 'Every stay in this stage (several after a revert).' }) periods: ChainPeriodResponse[];
  @ApiProperty({ type: [ChainFacilityResponse] }) facilities: ChainFacilityResponse[];
}

export class ChainTotalsResponse extends ChainFiguresResponse {
  @ApiProperty({ description: 'Distinct facilities used.' }) facilities: number;
  @ApiProperty({ description: 'Distinct resources used.' }) resources: number;
}

/** The project along the lab → pilot → industry chain. */
export class ChainViewResponse {
  @ApiProperty({ type: ProjectResponse }) project: ProjectResponse;
  @ApiProperty({ type: [ChainStageResponse], description: 'Always the three stages, in chain order.' }) stages: ChainStageResponse[];
  @ApiProperty({ type: ChainTotalsResponse }) totals: ChainTotalsResponse;
}
