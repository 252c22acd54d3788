import { creditCodeCheckCharacter } from '../../common/validation/credit-code';

export const DEMO_PASSWORD = 'demo-pass-2024';

/** A valid (checksummed) but invented credit code for demo enterprises. */
export const demoCreditCode = (division: string, serial: number) => {
  const first17 = `91${division}MADEM${String(serial).padStart(4, '0')}`;
  return first17 + creditCodeCheckCharacter(first17);
};

export const DEMO_ORGANISATIONS = [
  { key: 'operator', kind: 'operator', nameZh: '演示·辽宁中试平台运营有限公司', nameEn: 'Demo Liaoning Pilot Platform Operations Co.', cityCode: '210100' },
  {
    key: 'authority',
    kind: 'authority',
    nameZh: '演示·省科技创新平台监测中心',
    nameEn: 'Demo Provincial Innovation Platform Monitoring Office',
    cityCode: '210100',
  },
  {
    key: 'sme',
    kind: 'enterprise',
    nameZh: '演示·沈阳新材科技有限公司',
    nameEn: 'Demo Shenyang New Materials Tech Co.',
    cityCode: '210100',
    creditCode: demoCreditCode('210100', 1),
    sme: true,
  },
  {
    key: 'sme2',
    kind: 'enterprise',
    nameZh: '演示·大连氢能装备有限公司',
    nameEn: 'Demo Dalian Hydrogen Equipment Co.',
    cityCode: '210200',
    creditCode: demoCreditCode('210200', 2),
    sme: true,
  },
] as const;

export const DEMO_USERS = [
  { email: 'admin@demo.local', displayName: 'Demo Admin 管理员', role: 'admin', organisation: null },
  { email: 'operator@demo.local', displayName: 'Demo Operator 平台运营', role: 'operator', organisation: 'operator' },
  { email: 'official@demo.local', displayName: 'Demo Official 监测专员', role: 'official', organisation: 'authority' },
  { email: 'sme@demo.local', displayName: 'Demo SME 沈阳新材', role: 'enterprise', organisation: 'sme' },
  { email: 'sme2@demo.local', displayName: 'Demo SME 2 大连氢能', role: 'enterprise', organisation: 'sme2' },
] as const;
