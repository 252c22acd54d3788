import { Body, Controller, Delete, Get, HttpCode, Post, Query, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import {
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diskStorage } from 'multer';
import { Auth, Authenticated } from '../common/auth/auth.decorators';
import { actorOf, type AuthUser } from '../common/auth/auth-user';
import { badRequest } from '../common/errors/domain-error';
import { createValidationPipe } from '../common/validation/validation-pipe';
import { UuidParam } from '../common/validation/uuid-param';
import { SACCT_MAX_BYTES, SacctImportService } from './sacct-import.service';

/** Uploads wait here (created by multer) while they are streamed into the database; removed after each request. */
export const SACCT_UPLOAD_DIR = join(tmpdir(), 'pilot-booking-uploads');
import { SlurmMappingsService } from './slurm-mappings.service';
import { CorrectUsageDto, CreateSlurmMappingDto, CreateUsageDto, SacctImportDto, SlurmMappingQueryDto, UsageImportQueryDto, UsageQueryDto } from './usage.dto';
import {
  SacctImportPageResponse,
  SacctImportResponse,
  SlurmMappingPageResponse,
  SlurmMappingResponse,
  UsagePageResponse,
  UsageRecordResponse,
} from './usage.responses';
import { UsageService } from './usage.service';

@ApiTags('usage')
@Controller('usage')
export class UsageController {
  constructor(
    private readonly usage: UsageService,
    private readonly mappings: SlurmMappingsService,
    private readonly imports: SacctImportService,
  ) {}

  /** Usage records the caller may read (SME: its own; operator: its facilities'; officials, admins: all), with totals by unit. */
  @Get()
  @Authenticated()
  @ApiOkResponse({ type: UsagePageResponse })
  list(@Auth() auth: AuthUser, @Query() q: UsageQueryDto) {
    return this.usage.list(auth, q);
  }

  /** The facility's operator records use by hand. */
  @Post()
  @Authenticated('operator')
  @ApiCreatedResponse({ type: UsageRecordResponse })
  @ApiNotFoundResponse({ description: 'Unknown resource.' })
  @ApiUnprocessableEntityResponse({ description: '`booking_mismatch`, `not_an_enterprise`, `capacity_exceeded`.' })
  add(@Auth() auth: AuthUser, @Body() dto: CreateUsageDto) {
    return this.usage.add(auth, dto);
  }

  /** The facility's Slurm mappings (account → enterprise, partition → resource). */
  @Get('mappings')
  @Authenticated('operator')
  @ApiOkResponse({ type: SlurmMappingPageResponse })
  listMappings(@Auth() auth: AuthUser, @Query() q: SlurmMappingQueryDto) {
    return this.mappings.list(auth, q);
  }

  /** The facility's operator maps a Slurm account to an enterprise, or a partition to a resource. */
  @Post('mappings')
  @Authenticated('operator')
  @ApiNotFoundResponse({ description: 'Unknown facility, enterprise or resource (or not yours).' })
  @ApiCreatedResponse({ type: SlurmMappingResponse })
  @ApiConflictResponse({ description: '`mapping_exists`.' })
  @ApiUnprocessableEntityResponse({ description: '`not_an_enterprise`, `resource_not_in_facility`, `unit_not_importable`.' })
  createMapping(@Auth() auth: AuthUser, @Body() dto: CreateSlurmMappingDto) {
    return this.mappings.create(auth, dto);
  }

  /** The facility's operator removes a mapping (records already imported stay). */
  @Delete('mappings/:id')
  @HttpCode(204)
  @Authenticated('operator')
  @ApiNoContentResponse({ description: 'Removed (imported records stay).' })
  @ApiNotFoundResponse({ description: 'Unknown, or another operator’s.' })
  async deleteMapping(@Auth() auth: AuthUser, @UuidParam() id: string) {
    await this.mappings.remove(auth, id);
  }

  /** Stored Slurm imports: the operator its facilities', officials and admins all; newest first. */
  @Get('imports')
  @Authenticated('operator', 'official', 'admin')
  @ApiOkResponse({ type: SacctImportPageResponse })
  listImports(@Auth() auth: AuthUser, @Query() q: UsageImportQueryDto) {
    return this.imports.list(auth, q);
  }

  /**
   * Imports `sacct --parsable2 --format=JobID,User,Account,Partition,Start,End,ElapsedRaw,AllocTRES,State` output
   * (multipart: `file`, `facilityId`, `cluster`; at most 256 MiB). Streamed from a temp file.
   */
  @Post('imports')
  @ApiNotFoundResponse({ description: 'Unknown facility (or not yours).' })
  @Authenticated('operator')
  @UseInterceptors(
    FileInterceptor('file', {
      storage: diskStorage({ destination: SACCT_UPLOAD_DIR }),
      limits: { fileSize: SACCT_MAX_BYTES, files: 1, fields: 10, fieldSize: 4096 },
    }),
  )
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file', 'facilityId', 'cluster'],
      properties: { file: { type: 'string', format: 'binary' }, facilityId: { type: 'string', format: 'uuid' }, cluster: { type: 'string' } },
    },
  })
  @ApiCreatedResponse({ type: SacctImportResponse })
  @ApiPayloadTooLargeResponse({ description: 'The file is larger than 256 MiB.' })
  async importSacct(@Auth() auth: AuthUser, @Body() body: Record<string, unknown>, @UploadedFile() file: Express.Multer.File | undefined) {
    try {
      // Validated here, not by the global pipe, so that the temp file is removed whatever the answer.
      const dto = (await createValidationPipe().transform(body ?? {}, { type: 'body', metatype: SacctImportDto })) as SacctImportDto;
      if (!file)
        throw badRequest('validation_failed', 'The multipart field `file` (sacct output) is required.', [{ field: 'file', message: 'file is required' }]);
      return await this.imports.importFile(actorOf(auth), auth, {
        facilityId: dto.facilityId,
        cluster: dto.cluster,
        fileName: file.originalname,
        path: file.path,
      });
    } finally {
      if (file?.path) await unlink(file.path).catch(() => undefined);
    }
  }

  /** One record (another tenant's is 404). */
  @Get(':id')
  @Authenticated()
  @ApiOkResponse({ type: UsageRecordResponse })
  @ApiNotFoundResponse({ description: 'Unknown, or not visible to you.' })
  get(@Auth() auth: AuthUser, @UuidParam() id: string) {
    return this.usage.get(auth, id);
  }

  /** The facility's operator corrects a record: a new record supersedes it (both kept; only the newest counts). */
  @Post('corrections/:id')
  @Authenticated('operator')
  @ApiCreatedResponse({ type: UsageRecordResponse })
  @ApiNotFoundResponse({ description: 'Unknown, or not visible to you.' })
  @ApiConflictResponse({ description: '`already_superseded`: correct the newest record.' })
  correct(@Auth() auth: AuthUser, @UuidParam() id: string, @Body() dto: CorrectUsageDto) {
    return this.usage.correct(auth, id, dto);
  }
}
