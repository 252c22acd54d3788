/**
 * A client session written only against the generated types: an SME finds a resource and books it,
 * the operator approves, the SME reads the booking. `tsc --noEmit` on this file is the check that a
 * generated client types every answer (no `unknown`, enums as unions, no secrets in the user).
 */
import { client } from './client';

export async function session(baseUrl: string) {
  const anonymous = client(baseUrl);
  const login = async (email: string) => (await anonymous('post', '/api/v1/auth/login', { body: { email, password: 'demo-pass-2024' } })).accessToken;

  const sme = client(baseUrl, await login('sme@demo.local'));
  const me = await sme('get', '/api/v1/me');
  const role: 'enterprise' | 'operator' | 'official' | 'admin' = me.role;
  // @ts-expect-error the document has no password hash in a user
  void me.passwordHash;

  const resources = await sme('get', '/api/v1/resources', { params: { query: { kind: 'pilot_platform', mode: 'exclusive', unit: 'hour', limit: 5 } } });
  const resource = resources.items[0];
  const free = await sme('get', '/api/v1/resources/{id}/availability', { params: { path: { id: resource.id }, query: { units: 1 } } });
  const window = free.windows[0];

  const booking = await sme('post', '/api/v1/bookings', {
    body: {
      resourceId: resource.id,
      startsAt: window.startsAt,
      endsAt: window.endsAt,
      stage: 'pilot_maturation',
      serviceCategory: 'process_scale_up',
      purpose: '中试放大：电池正极材料 5 kg 批次',
    },
    headers: { 'Idempotency-Key': `session-${Date.now()}` },
  });
  // @ts-expect-error a stage outside the enumeration does not type-check
  void sme('post', '/api/v1/bookings', { body: { resourceId: resource.id, startsAt: window.startsAt, endsAt: window.endsAt, stage: 'beta', purpose: 'x' } });

  const operator = client(baseUrl, await login('operator@demo.local'));
  const approved = await operator('post', '/api/v1/bookings/{id}/approve', { params: { path: { id: booking.id } }, body: { reason: '设备已预留' } });
  const state: 'pending' | 'approved' | 'rejected' | 'cancelled' | 'expired' | 'in_use' | 'completed' | 'no_show' = approved.state;

  const read = await sme('get', '/api/v1/bookings/{id}', { params: { path: { id: booking.id } } });
  const fen: number = read.price.fen;
  const currency: 'CNY' = read.price.currency;
  const local: string = read.localStartsAt;
  const category:
    'process_scale_up' | 'type_testing' | 'performance_testing' | 'small_batch_trial_production' | 'equipment_sharing' | 'application_validation' | 'compute' =
    read.serviceCategory;
  const internal: boolean = read.internal;
  const page = await sme('get', '/api/v1/bookings', { params: { query: { state: 'approved', limit: 10 } } });
  const total: number = page.total;
  const notes = await sme('get', '/api/v1/notifications', { params: { query: { unread: true } } });
  const kind: string = notes.items[0]?.kind ?? 'none';
  return { role, state, fen, currency, local, category, internal, total, kind, facility: read.facility.nameZh, units: read.units };
}
