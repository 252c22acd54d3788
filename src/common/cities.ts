/** The 14 prefecture-level cities of Liaoning, by GB/T 2260 code. */
export const LIAONING_CITIES = [
  { code: '210100', nameZh: '沈阳', nameEn: 'Shenyang' },
  { code: '210200', nameZh: '大连', nameEn: 'Dalian' },
  { code: '210300', nameZh: '鞍山', nameEn: 'Anshan' },
  { code: '210400', nameZh: '抚顺', nameEn: 'Fushun' },
  { code: '210500', nameZh: '本溪', nameEn: 'Benxi' },
  { code: '210600', nameZh: '丹东', nameEn: 'Dandong' },
  { code: '210700', nameZh: '锦州', nameEn: 'Jinzhou' },
  { code: '210800', nameZh: '营口', nameEn: 'Yingkou' },
  { code: '210900', nameZh: '阜新', nameEn: 'Fuxin' },
  { code: '211000', nameZh: '辽阳', nameEn: 'Liaoyang' },
  { code: '211100', nameZh: '盘锦', nameEn: 'Panjin' },
  { code: '211200', nameZh: '铁岭', nameEn: 'Tieling' },
  { code: '211300', nameZh: '朝阳', nameEn: 'Chaoyang' },
  { code: '211400', nameZh: '葫芦岛', nameEn: 'Huludao' },
] as const;

export type CityCode = (typeof LIAONING_CITIES)[number]['code'];
export const CITY_CODES: string[] = LIAONING_CITIES.map((c) => c.code);
export const cityByCode = (code: string) => LIAONING_CITIES.find((c) => c.code === code);
