import { FACILITY_KINDS, isComputeResource, RESOURCE_UNITS, SERVICE_CATEGORIES, VOCABULARY_LABELS } from '../catalogue/catalogue.constants';
import { decideServiceCategory, serviceCategoriesOffered } from './service-category';

const PILOT_SERVICES = SERVICE_CATEGORIES.filter((c) => c !== 'compute');

describe('compute resources', () => {
  it('are those of a supercomputing or intelligent-computing centre, or measured in GPU or core hours', () => {
    const compute = FACILITY_KINDS.flatMap((kind) => RESOURCE_UNITS.filter((unit) => isComputeResource({ kind, unit })).map((unit) => `${kind}/${unit}`));
    expect(compute.sort()).toEqual(
      [
        'intelligent_computing_centre/core_hour',
        'intelligent_computing_centre/gpu_hour',
        'intelligent_computing_centre/hour',
        'intelligent_computing_centre/run',
        'pilot_platform/core_hour',
        'pilot_platform/gpu_hour',
        'supercomputing_centre/core_hour',
        'supercomputing_centre/gpu_hour',
        'supercomputing_centre/hour',
        'supercomputing_centre/run',
        'verification_centre/core_hour',
        'verification_centre/gpu_hour',
      ].sort(),
    );
  });
});

describe('service categories', () => {
  it('are the six pilot-platform services and compute, each with a Chinese and an English name', () => {
    expect(SERVICE_CATEGORIES).toEqual([
      'process_scale_up',
      'type_testing',
      'performance_testing',
      'small_batch_trial_production',
      'equipment_sharing',
      'application_validation',
      'compute',
    ]);
    expect(SERVICE_CATEGORIES.map((c) => VOCABULARY_LABELS[c].zh)).toEqual([
      '工艺放大熟化',
      '产品型式试验',
      '性能测试',
      '小批量试生产',
      '仪器设备共享',
      '设备应用验证',
      '算力服务',
    ]);
    for (const c of SERVICE_CATEGORIES) expect(VOCABULARY_LABELS[c].en).toMatch(/^[A-Z]/);
  });

  it('default to compute on a compute resource, which takes no other', () => {
    const gpu = { kind: 'intelligent_computing_centre', unit: 'gpu_hour' };
    expect(decideServiceCategory(gpu, undefined)).toEqual({ ok: true, category: 'compute' });
    expect(decideServiceCategory(gpu, null)).toEqual({ ok: true, category: 'compute' });
    expect(decideServiceCategory(gpu, 'compute')).toEqual({ ok: true, category: 'compute' });
    // a GPU pool of a pilot platform is compute too, and so is a run-based resource of a supercomputing centre
    expect(decideServiceCategory({ kind: 'pilot_platform', unit: 'gpu_hour' }, undefined)).toEqual({ ok: true, category: 'compute' });
    expect(decideServiceCategory({ kind: 'supercomputing_centre', unit: 'run' }, undefined)).toEqual({ ok: true, category: 'compute' });
    for (const c of PILOT_SERVICES) expect(decideServiceCategory(gpu, c)).toEqual({ ok: false, error: 'not_offered', allowed: ['compute'] });
    expect(serviceCategoriesOffered(gpu)).toEqual(['compute']);
  });

  it('are required elsewhere, and may not be compute there', () => {
    const line = { kind: 'pilot_platform', unit: 'hour' };
    expect(decideServiceCategory(line, undefined)).toEqual({ ok: false, error: 'required' });
    expect(decideServiceCategory(line, null)).toEqual({ ok: false, error: 'required' });
    expect(decideServiceCategory(line, 'compute')).toEqual({ ok: false, error: 'not_offered', allowed: PILOT_SERVICES });
    for (const c of PILOT_SERVICES) {
      expect(decideServiceCategory(line, c)).toEqual({ ok: true, category: c });
      expect(decideServiceCategory({ kind: 'verification_centre', unit: 'run' }, c)).toEqual({ ok: true, category: c });
    }
  });
});
