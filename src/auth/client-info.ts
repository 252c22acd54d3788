import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { isIPv4, isIPv6 } from 'node:net';

/** Who is calling, as far as the network tells: for throttling and the audit trail (never a secret). */
export interface ClientInfo {
  /** The client address (behind trusted proxies, from X-Forwarded-For; see TRUST_PROXY). */
  ip: string;
  userAgent: string | null;
}

/** `::ffff:127.0.0.1` → `127.0.0.1`; anything unparseable → `unknown`. */
export function normaliseAddress(raw: string | undefined | null): string {
  const address = (raw ?? '').trim();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped && isIPv4(mapped[1])) return mapped[1];
  if (isIPv4(address)) return address;
  if (isIPv6(address)) return address.toLowerCase();
  return 'unknown';
}

/**
 * The throttling key of an address: IPv4 as is, IPv6 by its /64 prefix (one subscriber usually holds
 * a whole /64, so counting single IPv6 addresses would be trivial to evade).
 */
export function addressThrottleKey(address: string): string {
  if (!isIPv6(address)) return address;
  const [head, tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  if (right.length && right[right.length - 1].includes('.')) right.splice(-1, 1, '0', '0'); // embedded IPv4: below /64 anyway
  const groups = address.includes('::') ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => (parseInt(g || '0', 16) || 0).toString(16))
    .join(':')}::/64`;
}

export function clientInfoOf(req: { ip?: string; socket?: { remoteAddress?: string }; headers: Record<string, string | string[] | undefined> }): ClientInfo {
  const agent = req.headers['user-agent'];
  return {
    ip: normaliseAddress(req.ip ?? req.socket?.remoteAddress),
    userAgent: typeof agent === 'string' && agent.length > 0 ? agent.slice(0, 256) : null,
  };
}

/** The caller's address and user agent. */
export const Client = createParamDecorator((_: unknown, ctx: ExecutionContext): ClientInfo => clientInfoOf(ctx.switchToHttp().getRequest()));
