/** The catalogue's vocabularies (DESIGN.md "The domain in one page"); the migration's CHECKs list the same values. */
export const FACILITY_KINDS = ['verification_centre', 'pilot_platform', 'supercomputing_centre', 'intelligent_computing_centre'] as const;
export type FacilityKind = (typeof FACILITY_KINDS)[number];

/** The programme's six industry directions. */
export const DIRECTIONS = ['artificial_intelligence', 'new_energy', 'new_materials', 'green_low_carbon', 'deep_sea_earth_space', 'life_health'] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** Chain stages: 实验验证 → 中试熟化 → 产业化. */
export const CHAIN_STAGES = ['lab_validation', 'pilot_maturation', 'industrialisation'] as const;
export type ChainStage = (typeof CHAIN_STAGES)[number];

export const RESOURCE_MODES = ['exclusive', 'pooled'] as const;
export type ResourceMode = (typeof RESOURCE_MODES)[number];

export const RESOURCE_UNITS = ['hour', 'gpu_hour', 'core_hour', 'run'] as const;
export type ResourceUnit = (typeof RESOURCE_UNITS)[number];

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

/**
 * The service a booking buys: the six pilot-platform services named in the 2024 national guidance for
 * manufacturing pilot platforms (《制造业中试创新发展实施意见》), plus compute. Migration
 * `ServiceCategories` lists the same values in the CHECK on `bookings.service_category`.
 */
export const SERVICE_CATEGORIES = [
  'process_scale_up',
  'type_testing',
  'performance_testing',
  'small_batch_trial_production',
  'equipment_sharing',
  'application_validation',
  'compute',
] as const;
export type ServiceCategory = (typeof SERVICE_CATEGORIES)[number];

/** Facilities whose resources are all compute, and the units that make any resource a compute resource. */
export const COMPUTE_FACILITY_KINDS: readonly FacilityKind[] = ['supercomputing_centre', 'intelligent_computing_centre'];
export const COMPUTE_UNITS: readonly ResourceUnit[] = ['gpu_hour', 'core_hour'];

/**
 * A compute resource: one of a supercomputing or intelligent-computing centre, or one measured in GPU or
 * core hours wherever it is. The same rule in SQL is the IMMUTABLE function `resource_is_compute(kind, unit)`
 * (migration `ServiceCategories`); a test compares the two for every kind and unit.
 */
export function isComputeResource(r: { kind: string; unit: string }): boolean {
  return (COMPUTE_FACILITY_KINDS as readonly string[]).includes(r.kind) || (COMPUTE_UNITS as readonly string[]).includes(r.unit);
}

/** Display names (Chinese, English) of the vocabularies, for reports and pages. */
export const VOCABULARY_LABELS: Record<string, { zh: string; en: string }> = {
  verification_centre: { zh: '检验检测验证中心', en: 'Test and verification centre' },
  pilot_platform: { zh: '中试平台', en: 'Pilot platform' },
  supercomputing_centre: { zh: '超算中心', en: 'Supercomputing centre' },
  intelligent_computing_centre: { zh: '智算中心', en: 'Intelligent computing centre' },
  artificial_intelligence: { zh: '人工智能', en: 'Artificial intelligence' },
  new_energy: { zh: '新能源', en: 'New energy' },
  new_materials: { zh: '新材料', en: 'New materials' },
  green_low_carbon: { zh: '绿色低碳', en: 'Green and low-carbon' },
  deep_sea_earth_space: { zh: '深海深地深空', en: 'Deep sea, deep earth, deep space' },
  life_health: { zh: '生命健康', en: 'Life and health' },
  lab_validation: { zh: '实验验证', en: 'Lab validation' },
  pilot_maturation: { zh: '中试熟化', en: 'Pilot maturation' },
  industrialisation: { zh: '产业化', en: 'Industrialisation' },
  unassigned: { zh: '未关联预约', en: 'Not linked to a booking' },
  hour: { zh: '机时', en: 'Hours' },
  gpu_hour: { zh: '卡时', en: 'GPU card-hours' },
  core_hour: { zh: '核时', en: 'Core-hours' },
  run: { zh: '次·小时', en: 'Run-hours' },
  process_scale_up: { zh: '工艺放大熟化', en: 'Process scale-up and maturation' },
  type_testing: { zh: '产品型式试验', en: 'Product type testing' },
  performance_testing: { zh: '性能测试', en: 'Performance testing' },
  small_batch_trial_production: { zh: '小批量试生产', en: 'Small-batch trial production' },
  equipment_sharing: { zh: '仪器设备共享', en: 'Instrument and equipment sharing' },
  application_validation: { zh: '设备应用验证', en: 'Equipment application validation' },
  compute: { zh: '算力服务', en: 'Compute services' },
};

/** Upper bounds that keep every value inside the integer columns and sensible. */
export const LIMITS = {
  /** 366 days, in minutes. */
  maxDurationMinutes: 527_040,
  maxLeadTimeMinutes: 527_040,
  maxHorizonDays: 1_095,
  maxBufferMinutes: 10_080,
  maxCapacity: 1_000_000,
  /** 1e12 fen = 10 billion yuan per unit-hour: far beyond any real price, still an exact JS number. */
  maxPriceFen: 1_000_000_000_000,
  maxUnitHoursPer30Days: 2_000_000_000,
  maxOpenRequests: 10_000,
  maxOpeningIntervals: 168,
} as const;
