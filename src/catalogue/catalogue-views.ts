import { cityByCode } from '../common/cities';
import type { FacilityDto } from './facilities.dto';
import type { Facility } from './facility.entity';
import { hhmm } from './opening-hours';
import type { OpeningHoursInterval } from './opening-interval.entity';
import type { FacilitySummaryDto, MaintenanceWindowDto, OpeningIntervalViewDto, ResourceDto } from './resources.dto';
import type { Resource } from './resource.entity';

const cityNames = (code: string) => {
  const city = cityByCode(code);
  return { cityNameZh: city?.nameZh ?? '', cityNameEn: city?.nameEn ?? '' };
};

/** A facility as the API shows it; `f.operator` must be loaded. */
export function facilityView(f: Facility): FacilityDto {
  return {
    id: f.id,
    operatorId: f.operatorId,
    operator: { id: f.operatorId, nameZh: f.operator?.nameZh ?? '', nameEn: f.operator?.nameEn ?? null },
    kind: f.kind,
    nameZh: f.nameZh,
    nameEn: f.nameEn,
    cityCode: f.cityCode,
    ...cityNames(f.cityCode),
    address: f.address,
    directions: f.directions,
    stages: f.stages,
    timeZone: f.timeZone,
    description: f.description,
    contact: f.contact,
    active: f.active,
    createdAt: f.createdAt,
    updatedAt: f.updatedAt,
  };
}

/** The facility in brief, as it appears on each resource. */
export function facilitySummary(f: Facility): FacilitySummaryDto {
  return {
    id: f.id,
    operatorId: f.operatorId,
    kind: f.kind,
    nameZh: f.nameZh,
    nameEn: f.nameEn,
    cityCode: f.cityCode,
    ...cityNames(f.cityCode),
    timeZone: f.timeZone,
    directions: f.directions,
    stages: f.stages,
    active: f.active,
  };
}

export const intervalView = (i: Pick<OpeningHoursInterval, 'weekday' | 'opens' | 'closes'>): OpeningIntervalViewDto => ({
  weekday: Number(i.weekday),
  opens: hhmm(i.opens),
  closes: hhmm(i.closes),
});

export function resourceView(r: Resource, f: Facility, openingHours: OpeningIntervalViewDto[]): ResourceDto {
  return {
    id: r.id,
    facilityId: r.facilityId,
    facility: facilitySummary(f),
    nameZh: r.nameZh,
    nameEn: r.nameEn,
    description: r.description,
    mode: r.mode,
    capacity: r.capacity,
    unit: r.unit,
    minDurationMinutes: r.minDurationMinutes,
    maxDurationMinutes: r.maxDurationMinutes,
    leadTimeMinutes: r.leadTimeMinutes,
    horizonDays: r.horizonDays,
    bufferBeforeMinutes: r.bufferBeforeMinutes,
    bufferAfterMinutes: r.bufferAfterMinutes,
    approvalRequired: r.approvalRequired,
    pricePerUnitHourFen: r.pricePerUnitHourFen,
    smeDiscountPercent: r.smeDiscountPercent,
    maxUnitHoursPer30Days: r.maxUnitHoursPer30Days,
    maxOpenRequests: r.maxOpenRequests,
    slotMinutes: r.slotMinutes,
    spec: r.spec,
    active: r.active,
    openingHours,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

/** A row selected as `id, resource_id, lower(period) AS starts_at, upper(period) AS ends_at, reason, created_at`. */
export interface MaintenanceRow {
  id: string;
  resource_id: string;
  starts_at: Date;
  ends_at: Date;
  reason: string;
  created_at: Date;
}

export const maintenanceView = (m: MaintenanceRow): MaintenanceWindowDto => ({
  id: m.id,
  resourceId: m.resource_id,
  startsAt: m.starts_at,
  endsAt: m.ends_at,
  reason: m.reason,
  createdAt: m.created_at,
});

export const MAINTENANCE_COLUMNS = `id, resource_id, lower(period) AS starts_at, upper(period) AS ends_at, reason, created_at`;
