import { Injectable } from '@nestjs/common';
import { DataSource, QueryFailedError } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { ResourcesService } from '../catalogue/resources.service';
import { AccessService } from '../common/access/access.service';
import { actorOf, AuthUser } from '../common/auth/auth-user';
import { Clock } from '../common/clock';
import { badRequest, conflict, notFound, unprocessable } from '../common/errors/domain-error';
import { CreateSlurmMappingDto, SlurmMappingQueryDto } from './usage.dto';
import { SlurmMappingPageResponse, SlurmMappingResponse } from './usage.responses';

interface MappingRow {
  id: string;
  facility_id: string;
  cluster: string;
  kind: 'account' | 'partition';
  name: string;
  organisation_id: string | null;
  resource_id: string | null;
  created_at: Date;
}

/** The resource units a Slurm job can be counted in: GPU-hours from gres/gpu, core-hours from cpu. */
export const IMPORTABLE_UNITS = ['gpu_hour', 'core_hour'] as const;

const view = (r: MappingRow): SlurmMappingResponse => ({
  id: r.id,
  facilityId: r.facility_id,
  cluster: r.cluster,
  kind: r.kind,
  name: r.name,
  organisationId: r.organisation_id,
  resourceId: r.resource_id,
  createdAt: new Date(r.created_at).toISOString(),
});

/** A facility's Slurm cluster names: account → enterprise, partition → resource. Its operator keeps them. */
@Injectable()
export class SlurmMappingsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly resources: ResourcesService,
    private readonly audit: AuditService,
    private readonly access: AccessService,
    private readonly clock: Clock,
  ) {}

  async list(auth: AuthUser, q: SlurmMappingQueryDto): Promise<SlurmMappingPageResponse> {
    const scope = this.access.scope(auth, 'usage.record', 1);
    const params = [...scope.params];
    const where = [scope.sql];
    if (q.facilityId) where.push(`m.facility_id = $${params.push(q.facilityId)}`);
    if (q.cluster) where.push(`m.cluster = $${params.push(q.cluster)}`);
    const from = `FROM slurm_mappings m JOIN facilities f ON f.id = m.facility_id WHERE ${where.join(' AND ')}`;
    const [{ total }] = await this.dataSource.query<Array<{ total: number }>>(`SELECT count(*)::int AS total ${from}`, params);
    const limit = q.limit ?? 20;
    const offset = q.offset ?? 0;
    const rows: MappingRow[] = await this.dataSource.query(
      `SELECT m.* ${from} ORDER BY m.facility_id, m.cluster, m.kind, m.name, m.id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, limit, offset],
    );
    return { items: rows.map(view), total, limit, offset };
  }

  async create(auth: AuthUser, dto: CreateSlurmMappingDto): Promise<SlurmMappingResponse> {
    return this.dataSource.transaction(async (em) => {
      await this.access.requireAccess(auth, 'usage.record', [dto.facilityId], { em });
      if (dto.kind === 'account') {
        if (!dto.organisationId || dto.resourceId) {
          throw badRequest('validation_failed', 'An account mapping names an organisationId (and no resourceId).', [
            { field: 'organisationId', message: 'organisationId is required for an account mapping' },
          ]);
        }
        const [org] = await em.query<Array<{ kind: string }>>(`SELECT kind FROM organisations WHERE id = $1`, [dto.organisationId]);
        if (!org) throw notFound('Organisation');
        if (org.kind !== 'enterprise') throw unprocessable('not_an_enterprise', 'A Slurm account maps to an enterprise organisation.');
      } else {
        if (!dto.resourceId || dto.organisationId) {
          throw badRequest('validation_failed', 'A partition mapping names a resourceId (and no organisationId).', [
            { field: 'resourceId', message: 'resourceId is required for a partition mapping' },
          ]);
        }
        const resource = await this.resources.findResourceForBooking(em, dto.resourceId);
        if (!resource || resource.facilityId !== dto.facilityId) throw unprocessable('resource_not_in_facility', 'The resource is not one of this facility.');
        if (!(IMPORTABLE_UNITS as readonly string[]).includes(resource.unit)) {
          throw unprocessable('unit_not_importable', `A partition maps to a resource counted in gpu_hour or core_hour; this one is in ${resource.unit}.`, {
            unit: resource.unit,
          });
        }
      }
      const now = this.clock.now();
      let row: MappingRow;
      try {
        [row] = await em.query(
          `INSERT INTO slurm_mappings (facility_id, cluster, kind, name, organisation_id, resource_id, created_by, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
          [dto.facilityId, dto.cluster, dto.kind, dto.name, dto.organisationId ?? null, dto.resourceId ?? null, auth.userId, now],
        );
      } catch (e) {
        if (e instanceof QueryFailedError && (e as QueryFailedError & { code?: string }).code === '23505') {
          throw conflict('mapping_exists', `The ${dto.kind} ${dto.name} of cluster ${dto.cluster} is already mapped for this facility.`);
        }
        throw e;
      }
      await this.audit.record(
        em,
        actorOf(auth),
        {
          action: 'slurm_mapping.created',
          entityType: 'slurm_mapping',
          entityId: row.id,
          data: {
            facilityId: row.facility_id,
            cluster: row.cluster,
            kind: row.kind,
            name: row.name,
            organisationId: row.organisation_id,
            resourceId: row.resource_id,
          },
        },
        now,
      );
      return view(row);
    });
  }

  /** Removes a mapping (records already imported stay). Another operator's mapping is 404. */
  async remove(auth: AuthUser, id: string): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      const scope = this.access.scope(auth, 'usage.record', 2);
      const [row]: MappingRow[] = await em.query(
        `SELECT m.* FROM slurm_mappings m JOIN facilities f ON f.id = m.facility_id WHERE m.id = $1 AND ${scope.sql} FOR UPDATE OF m`,
        [id, ...scope.params],
      );
      if (!row) throw notFound('Slurm mapping');
      await em.query(`DELETE FROM slurm_mappings WHERE id = $1`, [id]);
      const now = this.clock.now();
      await this.audit.record(
        em,
        actorOf(auth),
        {
          action: 'slurm_mapping.deleted',
          entityType: 'slurm_mapping',
          entityId: id,
          data: { facilityId: row.facility_id, cluster: row.cluster, kind: row.kind, name: row.name },
        },
        now,
      );
    });
  }
}
