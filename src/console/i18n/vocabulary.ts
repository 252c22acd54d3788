import { LIAONING_CITIES } from '../../common/cities';
import { VOCABULARY_LABELS } from '../../catalogue/catalogue.constants';
import { Language } from './language';

/** Booking states and the other values the pages show, in both languages (the catalogue's own labels reused). */
const STATES: Record<string, { zh: string; en: string }> = {
  pending: { zh: '待审批', en: 'Pending' },
  approved: { zh: '已批准', en: 'Approved' },
  rejected: { zh: '已拒绝', en: 'Rejected' },
  cancelled: { zh: '已取消', en: 'Cancelled' },
  expired: { zh: '已过期', en: 'Expired' },
  in_use: { zh: '使用中', en: 'In use' },
  completed: { zh: '已完成', en: 'Completed' },
  no_show: { zh: '未到场', en: 'No-show' },
  exclusive: { zh: '独占', en: 'Exclusive' },
  pooled: { zh: '共享池', en: 'Pooled' },
  enterprise: { zh: '企业', en: 'Enterprise' },
  operator: { zh: '平台运营方', en: 'Operator' },
  authority: { zh: '主管部门', en: 'Authority' },
  official: { zh: '主管部门', en: 'Official' },
  admin: { zh: '系统管理员', en: 'Administrator' },
};

type Labels = { label: (value: string | null | undefined) => string; city: (code: string | null | undefined) => string };

const make = (language: Language): Labels => ({
  label: (value) => {
    if (!value) return '';
    const entry = VOCABULARY_LABELS[value] ?? STATES[value];
    return entry ? (language === 'en' ? entry.en : entry.zh) : value;
  },
  city: (code) => {
    const city = LIAONING_CITIES.find((c) => c.code === code);
    return city ? (language === 'en' ? city.nameEn : city.nameZh) : (code ?? '');
  },
});

export const vocabulary: Record<Language, Labels> = { 'zh-CN': make('zh-CN'), en: make('en') };
