import { formatInZone } from '../common/time';
import type { NotificationKind } from './notification.entity';

/** What a notification says about a booking, in Chinese and English. */
export interface BookingFacts {
  resourceNameZh: string;
  resourceNameEn: string;
  facilityNameZh: string;
  facilityNameEn: string;
  organisationNameZh: string;
  /** The organisation's English name when it has one; English texts fall back to the Chinese name. */
  organisationNameEn?: string | null;
  startsAt: Date;
  endsAt: Date;
  timeZone: string;
  reason?: string | null;
}

export function bookingTexts(kind: NotificationKind, b: BookingFacts) {
  const when = `${formatInZone(b.startsAt, b.timeZone).replace('T', ' ').slice(0, 16)} – ${formatInZone(b.endsAt, b.timeZone).replace('T', ' ').slice(0, 16)} (${b.timeZone})`;
  const what = { zh: `${b.facilityNameZh} · ${b.resourceNameZh}`, en: `${b.facilityNameEn} · ${b.resourceNameEn}` };
  const why = b.reason ? { zh: ` 原因：${b.reason}`, en: ` Reason: ${b.reason}` } : { zh: '', en: '' };
  const t: Record<NotificationKind, { titleZh: string; titleEn: string; bodyZh: string; bodyEn: string }> = {
    booking_requested: {
      titleZh: '新的预约申请',
      titleEn: 'New booking request',
      bodyZh: `${b.organisationNameZh} 申请预约 ${what.zh}，时间 ${when}。`,
      bodyEn: `${b.organisationNameEn || b.organisationNameZh} requests ${what.en}, ${when}.`,
    },
    booking_approved: {
      titleZh: '预约已批准',
      titleEn: 'Booking approved',
      bodyZh: `您对 ${what.zh}（${when}）的预约已批准。${why.zh}`,
      bodyEn: `Your booking of ${what.en} (${when}) was approved.${why.en}`,
    },
    booking_rejected: {
      titleZh: '预约未获批准',
      titleEn: 'Booking rejected',
      bodyZh: `您对 ${what.zh}（${when}）的预约未获批准。${why.zh}`,
      bodyEn: `Your booking of ${what.en} (${when}) was rejected.${why.en}`,
    },
    booking_cancelled: {
      titleZh: '预约已取消',
      titleEn: 'Booking cancelled',
      bodyZh: `${what.zh}（${when}）的预约已取消。${why.zh}`,
      bodyEn: `The booking of ${what.en} (${when}) was cancelled.${why.en}`,
    },
    booking_expired: {
      titleZh: '预约申请已过期',
      titleEn: 'Booking request expired',
      bodyZh: `对 ${what.zh}（${when}）的预约申请在审批期限内未获处理，已过期并释放时段。`,
      bodyEn: `The request for ${what.en} (${when}) was not decided in time; it expired and the slot was released.`,
    },
    booking_no_show: {
      titleZh: '预约未签到',
      titleEn: 'Booking marked as no-show',
      bodyZh: `${what.zh}（${when}）的预约在宽限期内未签到，已记为未到并释放时段。`,
      bodyEn: `Nobody checked in for ${what.en} (${when}) within the grace period; it was marked as a no-show and released.`,
    },
    booking_reminder: {
      titleZh: '预约提醒',
      titleEn: 'Booking reminder',
      bodyZh: `提醒：${what.zh} 的预约将于 ${when} 开始。`,
      bodyEn: `Reminder: the booking of ${what.en} starts ${when}.`,
    },
  };
  return t[kind];
}
