import { isIPv4, isIPv6 } from 'node:net';
import { AppError } from '@crm/errors';

/**
 * The unit an address budget is counted for. IPv4: the address. IPv4-mapped IPv6 (`::ffff:192.0.2.1`, what a
 * dual-stack socket reports): the IPv4 address, so one client is not two. Other IPv6: the /64 prefix, because a
 * single subscriber is routinely given at least a whole /64 (RFC 6177) and could otherwise rotate through 2^64
 * addresses.
 * Anything else is a wiring bug (e.g. the gateway's own address or an unparsed `X-Forwarded-For` list) and fails
 * loudly rather than putting every client into one shared bucket.
 */
export function clientAddressBucket(address: string): string {
  let candidate = address.trim();
  if (candidate.startsWith('[') && candidate.endsWith(']')) candidate = candidate.slice(1, -1);
  const zone = candidate.indexOf('%');
  if (zone !== -1) candidate = candidate.slice(0, zone);
  if (isIPv4(candidate)) return candidate;
  if (isIPv6(candidate)) {
    const hextets = expandIPv6(candidate);
    if (hextets.slice(0, 5).every((hextet) => hextet === 0) && hextets[5] === 0xffff) {
      const [high, low] = [hextets[6]!, hextets[7]!];
      return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
    }
    return `${hextets
      .slice(0, 4)
      .map((hextet) => hextet.toString(16))
      .join(':')}::/64`;
  }
  throw new AppError('LOGIN_CLIENT_ADDRESS_INVALID', 'internal', 'the client address is not an IP address');
}

/** Eight 16-bit groups of an address `isIPv6` accepted, with `::` and a trailing dotted IPv4 part expanded. */
function expandIPv6(address: string): number[] {
  const toHextets = (part: string): number[] => {
    if (part === '') return [];
    return part.split(':').flatMap((group) => {
      if (!group.includes('.')) return [Number.parseInt(group, 16)];
      const [a, b, c, d] = group.split('.').map(Number) as [number, number, number, number];
      return [(a << 8) | b, (c << 8) | d];
    });
  };
  const [head = '', tail] = address.split('::');
  const left = toHextets(head);
  if (tail === undefined) return left;
  const right = toHextets(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}
