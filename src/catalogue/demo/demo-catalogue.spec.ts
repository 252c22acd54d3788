import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { CITY_CODES } from '../../common/cities';
import { CreateFacilityDto } from '../facilities.dto';
import { openingHoursErrors } from '../opening-hours';
import { CreateResourceDto } from '../resources.dto';
import { DEMO_FACILITIES, DEMO_OPERATORS } from './demo-catalogue.data';
import { ChainStage, DemoOpeningInterval, DemoResource, Direction, FacilityKind, ResourceMode, ResourceUnit } from './demo-catalogue.types';

const KINDS: FacilityKind[] = ['verification_centre', 'pilot_platform', 'supercomputing_centre', 'intelligent_computing_centre'];
const DIRECTIONS: Direction[] = ['artificial_intelligence', 'new_energy', 'new_materials', 'green_low_carbon', 'deep_sea_earth_space', 'life_health'];
const STAGES: ChainStage[] = ['lab_validation', 'pilot_maturation', 'industrialisation'];
const MODES: ResourceMode[] = ['exclusive', 'pooled'];
const UNITS: ResourceUnit[] = ['hour', 'gpu_hour', 'core_hour', 'run'];

const resources: { facility: (typeof DEMO_FACILITIES)[number]; resource: DemoResource }[] = DEMO_FACILITIES.flatMap((facility) =>
  facility.resources.map((resource) => ({ facility, resource })),
);

const count = <T extends string>(values: T[]): Map<T, number> => {
  const m = new Map<T, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
};

const minutes = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
};

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

describe('demo catalogue data', () => {
  it('has at least 42 facilities and 160 resources', () => {
    expect(DEMO_FACILITIES.length).toBeGreaterThanOrEqual(42);
    expect(resources.length).toBeGreaterThanOrEqual(160);
  });

  it('covers all 14 cities (each at least twice) and only Liaoning city codes', () => {
    const byCity = count(DEMO_FACILITIES.map((f) => f.cityCode));
    expect(CITY_CODES).toHaveLength(14);
    for (const code of CITY_CODES) expect(byCity.get(code) ?? 0).toBeGreaterThanOrEqual(2);
    for (const code of byCity.keys()) expect(CITY_CODES).toContain(code);
  });

  it('covers the four kinds, six directions and three chain stages, several times each', () => {
    const byKind = count(DEMO_FACILITIES.map((f) => f.kind));
    for (const kind of KINDS) expect(byKind.get(kind) ?? 0).toBeGreaterThanOrEqual(3);
    const byDirection = count(DEMO_FACILITIES.flatMap((f) => f.directions));
    for (const direction of DIRECTIONS) expect(byDirection.get(direction) ?? 0).toBeGreaterThanOrEqual(3);
    const byStage = count(DEMO_FACILITIES.flatMap((f) => f.stages));
    for (const stage of STAGES) expect(byStage.get(stage) ?? 0).toBeGreaterThanOrEqual(1);
    for (const f of DEMO_FACILITIES) {
      expect(f.directions.length).toBeGreaterThan(0);
      expect(f.stages.length).toBeGreaterThan(0);
      expect(new Set(f.directions).size).toBe(f.directions.length);
      expect(new Set(f.stages).size).toBe(f.stages.length);
      for (const d of f.directions) expect(DIRECTIONS).toContain(d);
      for (const s of f.stages) expect(STAGES).toContain(s);
      expect(KINDS).toContain(f.kind);
      expect(f.resources.length).toBeGreaterThan(0);
    }
  });

  it('uses both modes and all four units', () => {
    const modes = new Set(resources.map(({ resource }) => resource.mode));
    for (const mode of MODES) expect(modes).toContain(mode);
    const units = new Set(resources.map(({ resource }) => resource.unit));
    for (const unit of UNITS) expect(units).toContain(unit);
  });

  describe('operators', () => {
    it('has 6–8 additional operators with unique keys and demo e-mails, without the built-in "operator"', () => {
      expect(DEMO_OPERATORS.length).toBeGreaterThanOrEqual(6);
      expect(DEMO_OPERATORS.length).toBeLessThanOrEqual(8);
      const keys = DEMO_OPERATORS.map((o) => o.key);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys).not.toContain('operator');
      const emails = DEMO_OPERATORS.map((o) => o.userEmail);
      expect(new Set(emails).size).toBe(emails.length);
      expect(emails).not.toContain('operator@demo.local');
      for (const o of DEMO_OPERATORS) {
        expect(o.userEmail).toMatch(/^[a-z0-9.-]+@demo\.local$/);
        expect(o.nameZh.startsWith('演示·')).toBe(true);
        expect(o.nameEn.startsWith('Demo ')).toBe(true);
        expect(CITY_CODES).toContain(o.cityCode);
        expect(o.userDisplayName.length).toBeGreaterThan(0);
      }
    });

    it('references only existing operators, and every additional operator runs something', () => {
      const known = new Set(['operator', ...DEMO_OPERATORS.map((o) => o.key)]);
      for (const f of DEMO_FACILITIES) expect(known).toContain(f.operator);
      const used = new Set(DEMO_FACILITIES.map((f) => f.operator));
      for (const o of DEMO_OPERATORS) expect(used).toContain(o.key);
    });

    it('gives operator@demo.local 6–8 facilities including every kind', () => {
      const own = DEMO_FACILITIES.filter((f) => f.operator === 'operator');
      expect(own.length).toBeGreaterThanOrEqual(6);
      expect(own.length).toBeLessThanOrEqual(8);
      const kinds = new Set(own.map((f) => f.kind));
      for (const kind of KINDS) expect(kinds).toContain(kind);
    });
  });

  describe('names and contact data', () => {
    it('marks every facility and resource name as demo', () => {
      for (const f of DEMO_FACILITIES) {
        expect(f.nameZh.startsWith('演示·')).toBe(true);
        expect(f.nameEn.startsWith('Demo ')).toBe(true);
        for (const r of f.resources) {
          expect(r.nameZh.startsWith('演示·')).toBe(true);
          expect(r.nameEn.startsWith('Demo ')).toBe(true);
        }
      }
    });

    it('has unique facility names, and unique resource names within a facility', () => {
      const zh = DEMO_FACILITIES.map((f) => f.nameZh);
      const en = DEMO_FACILITIES.map((f) => f.nameEn);
      expect(new Set(zh).size).toBe(zh.length);
      expect(new Set(en).size).toBe(en.length);
      for (const f of DEMO_FACILITIES) {
        expect(new Set(f.resources.map((r) => r.nameZh)).size).toBe(f.resources.length);
        expect(new Set(f.resources.map((r) => r.nameEn)).size).toBe(f.resources.length);
      }
    });

    it('has invented addresses, demo contacts and descriptions', () => {
      for (const f of DEMO_FACILITIES) {
        expect(f.address).toContain('(demo)');
        expect(f.contact).toMatch(/@demo\.local$/);
        expect(f.description.length).toBeGreaterThan(10);
        for (const r of f.resources) expect(r.description.length).toBeGreaterThan(10);
      }
    });

    it.each(['发酵', 'fermentation', '疲劳', 'fatigue', 'GPU', '氢', 'hydrogen'])('finds "%s" by name search', (term) => {
      const q = term.toLowerCase();
      const names = [...DEMO_FACILITIES.flatMap((f) => [f.nameZh, f.nameEn]), ...resources.flatMap(({ resource }) => [resource.nameZh, resource.nameEn])];
      expect(names.filter((n) => n.toLowerCase().includes(q)).length).toBeGreaterThanOrEqual(1);
    });
  });

  describe('time zones', () => {
    it('uses Asia/Shanghai for all but one or two facilities, and the others are valid IANA zones', () => {
      const others = DEMO_FACILITIES.filter((f) => f.timeZone !== 'Asia/Shanghai');
      expect(others.length).toBeGreaterThanOrEqual(1);
      expect(others.length).toBeLessThanOrEqual(2);
      for (const f of DEMO_FACILITIES) {
        expect(() => new Intl.DateTimeFormat(undefined, { timeZone: f.timeZone })).not.toThrow();
      }
    });
  });

  describe('booking rules', () => {
    it.each(resources.map(({ facility, resource }) => [`${facility.nameEn} / ${resource.nameEn}`, resource] as const))(
      '%s has consistent rules',
      (_label, r) => {
        if (r.mode === 'exclusive') expect(r.capacity).toBe(1);
        else expect(r.capacity).toBeGreaterThan(1);
        expect(Number.isInteger(r.capacity)).toBe(true);
        if (r.unit === 'gpu_hour' || r.unit === 'core_hour') expect(r.mode).toBe('pooled');

        expect(Number.isInteger(r.minDurationMinutes)).toBe(true);
        expect(Number.isInteger(r.maxDurationMinutes)).toBe(true);
        expect(r.minDurationMinutes).toBeGreaterThan(0);
        expect(r.minDurationMinutes).toBeLessThanOrEqual(r.maxDurationMinutes);
        for (const v of [r.leadTimeMinutes, r.bufferBeforeMinutes, r.bufferAfterMinutes]) {
          expect(Number.isInteger(v)).toBe(true);
          expect(v).toBeGreaterThanOrEqual(0);
        }
        expect(r.bufferBeforeMinutes).toBeLessThanOrEqual(240);
        expect(r.bufferAfterMinutes).toBeLessThanOrEqual(240);
        expect(Number.isInteger(r.horizonDays)).toBe(true);
        expect(r.horizonDays).toBeGreaterThanOrEqual(30);
        expect(r.horizonDays).toBeLessThanOrEqual(180);
        // the lead time must leave room to book inside the horizon
        expect(r.leadTimeMinutes).toBeLessThan(r.horizonDays * 24 * 60);

        expect(Number.isInteger(r.pricePerUnitHourFen)).toBe(true);
        expect(r.pricePerUnitHourFen).toBeGreaterThanOrEqual(0);
        expect(Number.isInteger(r.smeDiscountPercent)).toBe(true);
        expect(r.smeDiscountPercent).toBeGreaterThanOrEqual(0);
        expect(r.smeDiscountPercent).toBeLessThanOrEqual(100);
        if (r.maxUnitHoursPer30Days !== null) {
          expect(Number.isInteger(r.maxUnitHoursPer30Days)).toBe(true);
          expect(r.maxUnitHoursPer30Days).toBeGreaterThan(0);
        }
        if (r.maxOpenRequests !== null) {
          expect(Number.isInteger(r.maxOpenRequests)).toBe(true);
          expect(r.maxOpenRequests).toBeGreaterThan(0);
        }
        expect(r.spec).toEqual(expect.any(Object));
        expect(Object.keys(r.spec).length).toBeGreaterThan(0);
      },
    );

    it('prices compute in plausible ranges (GPU-hour 8–25 yuan, core-hour 0.05–0.15 yuan)', () => {
      for (const { resource: r } of resources) {
        if (r.unit === 'gpu_hour') {
          expect(r.pricePerUnitHourFen).toBeGreaterThanOrEqual(800);
          expect(r.pricePerUnitHourFen).toBeLessThanOrEqual(2500);
        }
        if (r.unit === 'core_hour') {
          expect(r.pricePerUnitHourFen).toBeGreaterThanOrEqual(5);
          expect(r.pricePerUnitHourFen).toBeLessThanOrEqual(15);
        }
      }
    });
  });

  describe('opening hours', () => {
    const wellFormed = (i: DemoOpeningInterval) =>
      Number.isInteger(i.weekday) &&
      i.weekday >= 1 &&
      i.weekday <= 7 &&
      HHMM.test(i.opens) &&
      HHMM.test(i.closes) &&
      i.opens !== '24:00' &&
      minutes(i.opens) < minutes(i.closes);

    it('has well-formed, non-overlapping intervals for every resource', () => {
      for (const { facility, resource } of resources) {
        const label = `${facility.nameEn} / ${resource.nameEn}`;
        expect([label, resource.openingHours.length > 0]).toEqual([label, true]);
        for (const i of resource.openingHours) expect([label, i, wellFormed(i)]).toEqual([label, i, true]);
        for (let day = 1; day <= 7; day++) {
          const sorted = resource.openingHours.filter((i) => i.weekday === day).sort((a, b) => minutes(a.opens) - minutes(b.opens));
          for (let k = 1; k < sorted.length; k++) {
            // touching (closes === next opens) is allowed, overlapping is not
            expect([label, day, minutes(sorted[k - 1].closes) <= minutes(sorted[k].opens)]).toEqual([label, day, true]);
          }
        }
      }
    });

    it('rejects malformed intervals (self-check of the checker)', () => {
      expect(wellFormed({ weekday: 1, opens: '08:00', closes: '08:00' })).toBe(false);
      expect(wellFormed({ weekday: 1, opens: '24:00', closes: '24:00' })).toBe(false);
      expect(wellFormed({ weekday: 1, opens: '8:00', closes: '12:00' })).toBe(false);
      expect(wellFormed({ weekday: 1, opens: '12:00', closes: '24:30' })).toBe(false);
      expect(wellFormed({ weekday: 8 as DemoOpeningInterval['weekday'], opens: '08:00', closes: '12:00' })).toBe(false);
      expect(wellFormed({ weekday: 1, opens: '00:00', closes: '24:00' })).toBe(true);
    });

    it('includes a real across-midnight shift, not only 24/7 schedules', () => {
      const next = (d: number) => (d % 7) + 1;
      const acrossMidnight = resources.filter(({ resource }) => {
        const hours = resource.openingHours;
        const fullDay = (d: number) => hours.some((i) => i.weekday === d && i.opens === '00:00' && i.closes === '24:00');
        return hours.some(
          (a) =>
            a.closes === '24:00' && a.opens !== '00:00' && hours.some((b) => b.weekday === next(a.weekday) && b.opens === '00:00') && !fullDay(next(a.weekday)),
        );
      });
      expect(acrossMidnight.length).toBeGreaterThanOrEqual(1);
    });

    it('includes schedules with a lunch break and 24/7 compute', () => {
      const withBreak = resources.filter(({ resource }) =>
        resource.openingHours.some((a) => resource.openingHours.some((b) => b.weekday === a.weekday && a.closes === '12:00' && minutes(b.opens) > 12 * 60)),
      );
      expect(withBreak.length).toBeGreaterThanOrEqual(3);
      const compute = resources.filter(({ resource }) => resource.unit === 'gpu_hour' || resource.unit === 'core_hour');
      expect(compute.every(({ resource }) => new Set(resource.openingHours.map((i) => i.weekday)).size === 7)).toBe(true);
    });
  });

  describe('acceptance by the API (what the demo seeder checks before inserting)', () => {
    const problems = <T extends object>(cls: new () => T, plain: object): string[] =>
      validateSync(plainToInstance(cls, plain), { whitelist: true, forbidNonWhitelisted: true }).flatMap((e) => [
        `${e.property}: ${Object.values(e.constraints ?? {}).join(', ')}`,
        ...(e.children ?? []).map((c) => `${e.property}.${c.property}`),
      ]);

    it.each(DEMO_FACILITIES.map((f) => [f.nameEn, f] as const))('facility %s passes CreateFacilityDto', (_label, f) => {
      const { operator: _operator, resources: _resources, ...fields } = f;
      expect(problems(CreateFacilityDto, fields)).toEqual([]);
    });

    it('every resource passes CreateResourceDto and the opening-hours check', () => {
      const failures = resources.flatMap(({ facility, resource }) => {
        const label = `${facility.nameEn} / ${resource.nameEn}`;
        return [
          ...problems(CreateResourceDto, { ...resource, facilityId: '00000000-0000-4000-8000-000000000000' }),
          ...openingHoursErrors(resource.openingHours, 'openingHours').map((e) => e.message),
        ].map((p) => `${label}: ${p}`);
      });
      expect(failures).toEqual([]);
    });
  });

  it('is deterministic data (same values when the module is loaded again)', () => {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const again = require('./demo-catalogue.data') as typeof import('./demo-catalogue.data');
      expect(again.DEMO_FACILITIES).toEqual(DEMO_FACILITIES);
      expect(again.DEMO_OPERATORS).toEqual(DEMO_OPERATORS);
    });
  });
});
