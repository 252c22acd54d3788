import { addressThrottleKey, clientInfoOf, normaliseAddress } from './client-info';

describe('client address', () => {
  it('unwraps IPv4-mapped IPv6 and refuses garbage', () => {
    expect(normaliseAddress('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(normaliseAddress('198.51.100.1')).toBe('198.51.100.1');
    expect(normaliseAddress('2001:DB8::1')).toBe('2001:db8::1');
    expect(normaliseAddress('not an address')).toBe('unknown');
    expect(normaliseAddress(undefined)).toBe('unknown');
  });

  it('throttles IPv6 by /64 and IPv4 by address', () => {
    expect(addressThrottleKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressThrottleKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressThrottleKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressThrottleKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressThrottleKey('::1')).toBe('0:0:0:0::/64');
  });

  it('reads the address express determined and a bounded user agent', () => {
    expect(clientInfoOf({ ip: '::ffff:10.0.0.2', headers: { 'user-agent': 'x'.repeat(300) } })).toEqual({ ip: '10.0.0.2', userAgent: 'x'.repeat(256) });
    expect(clientInfoOf({ socket: { remoteAddress: '10.0.0.3' }, headers: {} })).toEqual({ ip: '10.0.0.3', userAgent: null });
  });
});
