/**
 * Shape of the demo catalogue (invented facilities, marked 演示 / Demo). The data lives in
 * demo-catalogue.data.ts; the demo seeder loads it through the catalogue services.
 */
export type FacilityKind = 'verification_centre' | 'pilot_platform' | 'supercomputing_centre' | 'intelligent_computing_centre';
export type Direction = 'artificial_intelligence' | 'new_energy' | 'new_materials' | 'green_low_carbon' | 'deep_sea_earth_space' | 'life_health';
export type ChainStage = 'lab_validation' | 'pilot_maturation' | 'industrialisation';
export type ResourceMode = 'exclusive' | 'pooled';
export type ResourceUnit = 'hour' | 'gpu_hour' | 'core_hour' | 'run';

/** Local time "HH:MM" in the facility's zone; closes may be "24:00". Weekday 1 = Monday … 7 = Sunday (ISO). */
export interface DemoOpeningInterval {
  weekday: 1 | 2 | 3 | 4 | 5 | 6 | 7;
  opens: string;
  closes: string;
}

export interface DemoResource {
  nameZh: string;
  nameEn: string;
  mode: ResourceMode;
  /** 1 for exclusive resources. */
  capacity: number;
  unit: ResourceUnit;
  minDurationMinutes: number;
  maxDurationMinutes: number;
  leadTimeMinutes: number;
  horizonDays: number;
  bufferBeforeMinutes: number;
  bufferAfterMinutes: number;
  approvalRequired: boolean;
  /** Price per unit-hour in fen (CNY cents); e.g. a GPU-hour at 12 yuan = 1200. */
  pricePerUnitHourFen: number;
  /** 0–100. */
  smeDiscountPercent: number;
  /** Fair use: most unit-hours one organisation may hold in any rolling 30 days (null = no limit). */
  maxUnitHoursPer30Days: number | null;
  /** Fair use: most undecided requests one organisation may have open (null = no limit). */
  maxOpenRequests: number | null;
  description: string;
  spec: Record<string, unknown>;
  openingHours: DemoOpeningInterval[];
}

export interface DemoFacility {
  /** Key of the operator in DEMO_OPERATORS ('operator' is the one of operator@demo.local). */
  operator: string;
  kind: FacilityKind;
  nameZh: string;
  nameEn: string;
  cityCode: string;
  address: string;
  directions: Direction[];
  stages: ChainStage[];
  timeZone: string;
  description: string;
  contact: string;
  resources: DemoResource[];
}

/** Additional demo operator organisations, each with one operator user (password demo-pass-2024). */
export interface DemoOperator {
  key: string;
  nameZh: string;
  nameEn: string;
  cityCode: string;
  userEmail: string;
  userDisplayName: string;
}
