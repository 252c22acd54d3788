import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** One usage record: what was actually used. */
/** The Slurm job an imported usage record comes from. */
export class SlurmJobResponse {
  @ApiProperty({ example: 'lnhpc' }) cluster: string;
  @ApiProperty({ example: '4242_7' }) jobId: string;
  @ApiProperty({ type: String, nullable: true }) user: string | null;
  @ApiProperty() account: string;
  @ApiProperty() partition: string;
  @ApiProperty({ example: 'COMPLETED' }) state: string;
}

export class UsageRecordResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) resourceId: string;
  @ApiProperty({ format: 'uuid' }) facilityId: string;
  @ApiProperty({ format: 'uuid', description: 'The enterprise that used it.' }) organisationId: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'Null for compute jobs.' }) bookingId: string | null;
  @ApiProperty({ format: 'date-time', description: 'Actual start (inclusive), UTC.' }) startsAt: string;
  @ApiProperty({ format: 'date-time', description: 'Actual end (exclusive), UTC.' }) endsAt: string;
  @ApiProperty({ description: 'startsAt in the facility’s zone.' }) localStartsAt: string;
  @ApiProperty({ description: 'endsAt in the facility’s zone.' }) localEndsAt: string;
  @ApiProperty({ enum: ['hour', 'gpu_hour', 'core_hour', 'run'] }) unit: string;
  @ApiProperty({ nullable: true, type: Number, description: 'Units really used (GPUs, cores; 1 for an exclusive resource).' }) unitsUsed: number | null;
  @ApiProperty({ example: 1280.5, description: 'Unit-hours, up to 4 decimals (numeric(14,4)).' }) unitHours: number;
  @ApiProperty({ enum: ['check_out', 'manual', 'import'] }) source: string;
  @ApiProperty({ nullable: true, type: String }) note: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'Null for command-line imports.' }) recordedBy: string | null;
  @ApiProperty({ description: 'E-mail of the recorder, or `cli:import-sacct`.' }) recordedByLabel: string;
  @ApiProperty({ format: 'date-time' }) recordedAt: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The record this one corrects.' }) supersedes: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The record that corrects this one (then it counts in no total).' }) supersededBy:
    string | null;
  @ApiProperty() superseded: boolean;
  @ApiProperty({ description: 'Internal use: the facility’s own operator used its resource (organisationId is the facility’s operator).' }) internal: boolean;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) importId: string | null;
  @ApiProperty({ type: () => SlurmJobResponse, nullable: true, description: 'The Slurm job of an imported record; null otherwise.' })
  slurm: SlurmJobResponse | null;
}

export class UnitHoursTotals {
  @ApiPropertyOptional({ example: 1280.5 }) gpu_hour?: number;
  @ApiPropertyOptional() core_hour?: number;
  @ApiPropertyOptional() hour?: number;
  @ApiPropertyOptional() run?: number;
}

/** The totals of one enterprise (the same filters, superseded records excluded). */
export class UsageOrganisationTotals {
  @ApiProperty({ format: 'uuid' }) organisationId: string;
  @ApiProperty() nameZh: string;
  @ApiProperty({ type: String, nullable: true }) nameEn: string | null;
  @ApiProperty({ type: UnitHoursTotals }) unitHours: UnitHoursTotals;
  @ApiProperty({ type: 'integer' }) records: number;
}

export class UsageTotals {
  @ApiProperty({ type: UnitHoursTotals, description: 'Unit-hours by unit over all matching non-superseded records (not only this page).' })
  unitHours: UnitHoursTotals;
  @ApiProperty({ description: 'How many non-superseded records the totals sum.' }) records: number;
  @ApiProperty({ type: [UsageOrganisationTotals], description: 'The same totals per enterprise, by Chinese name.' })
  byOrganisation: UsageOrganisationTotals[];
}

export class UsagePageResponse {
  @ApiProperty({ type: [UsageRecordResponse] }) items: UsageRecordResponse[];
  @ApiProperty() total: number;
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
  @ApiProperty({ type: UsageTotals }) totals: UsageTotals;
}

export class SlurmMappingResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) facilityId: string;
  @ApiProperty() cluster: string;
  @ApiProperty({ enum: ['account', 'partition'] }) kind: string;
  @ApiProperty() name: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) organisationId: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) resourceId: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class SlurmMappingPageResponse {
  @ApiProperty({ type: [SlurmMappingResponse] }) items: SlurmMappingResponse[];
  @ApiProperty() total: number;
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
}

export class NameCount {
  @ApiProperty() name: string;
  @ApiProperty() jobs: number;
}

export class UnmappedReport {
  @ApiProperty({ description: 'Jobs not imported because their account or partition has no mapping.' }) jobs: number;
  @ApiProperty({ type: [NameCount] }) accounts: NameCount[];
  @ApiProperty({ type: [NameCount] }) partitions: NameCount[];
}

export class RejectedLine {
  @ApiProperty({ description: 'Line number in the file (the header is line 1).' }) line: number;
  @ApiProperty() reason: string;
}

export class SacctImportResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) facilityId: string;
  @ApiProperty() cluster: string;
  @ApiProperty() fileName: string;
  @ApiProperty({ description: 'sha256 of the file as uploaded, hex.' }) sha256: string;
  @ApiProperty() bytes: number;
  @ApiProperty({ description: 'Data lines read (without the header and empty lines).' }) lines: number;
  @ApiProperty({ description: 'New usage records.' }) imported: number;
  @ApiProperty({ description: 'Jobs already imported (same facility, cluster and job id): nothing created.' }) duplicates: number;
  @ApiProperty({ description: 'Job steps (123.batch, 123.extern, 123.0): never counted, the allocation line is.' }) steps: number;
  @ApiProperty({ description: 'Jobs that never started (PENDING, or cancelled before starting).' }) pending: number;
  @ApiProperty({ description: 'Jobs still running (no end): imported by a later file once ended.' }) running: number;
  @ApiProperty({ type: [String], description: 'Their job ids (at most 100).' }) runningJobIds: string[];
  @ApiProperty({ description: 'Jobs that ran 0 s or allocated none of the resource’s unit: contribute 0, not stored.' }) zero: number;
  @ApiProperty({ type: UnmappedReport }) unmapped: UnmappedReport;
  @ApiProperty({ description: 'Lines refused (each with its reason below).' }) rejected: number;
  @ApiProperty({ type: [RejectedLine], description: 'The first 1,000 refused lines.' }) rejectedLines: RejectedLine[];
  @ApiProperty({ type: UnitHoursTotals, description: 'Unit-hours of the records this import created.' }) unitHours: UnitHoursTotals;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) importedBy: string | null;
  @ApiProperty() importedByLabel: string;
  @ApiProperty({ format: 'date-time' }) importedAt: string;
}

export class SacctImportPageResponse {
  @ApiProperty({ type: [SacctImportResponse] }) items: SacctImportResponse[];
  @ApiProperty() total: number;
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
}
