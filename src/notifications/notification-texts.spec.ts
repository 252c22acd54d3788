import { bookingTexts, BookingFacts } from './notification-texts';

describe('booking notification texts', () => {
  const facts: BookingFacts = {
    resourceNameZh: '质谱仪',
    resourceNameEn: 'Mass spectrometer',
    facilityNameZh: '检测中心',
    facilityNameEn: 'Test centre',
    organisationNameZh: '营口储能材料有限公司',
    organisationNameEn: 'Yingkou Storage Materials Co.',
    startsAt: new Date('2030-03-12T01:00:00Z'),
    endsAt: new Date('2030-03-12T02:00:00Z'),
    timeZone: 'Asia/Shanghai',
  };

  it('names the organisation in English in the English text and in Chinese in the Chinese text', () => {
    const t = bookingTexts('booking_requested', facts);
    expect(t.bodyEn).toBe('Yingkou Storage Materials Co. requests Test centre · Mass spectrometer, 2030-03-12 09:00 – 2030-03-12 10:00 (Asia/Shanghai).');
    expect(t.bodyZh).toContain('营口储能材料有限公司 申请预约');
  });

  it('falls back to the Chinese name when the organisation has no English one', () => {
    for (const organisationNameEn of [null, undefined, '']) {
      expect(bookingTexts('booking_requested', { ...facts, organisationNameEn }).bodyEn).toMatch(/^营口储能材料有限公司 requests /);
    }
  });
});
