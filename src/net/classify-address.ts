import ipaddr from 'ipaddr.js';

/** ipaddr.js range names, in words for error messages. */
const rangeWords: Record<string, string> = {
  loopback: 'a loopback address',
  private: 'a private address',
  linkLocal: 'a link-local address',
  uniqueLocal: 'a unique-local address',
  carrierGradeNat: 'a carrier-grade NAT (CGNAT) address',
  multicast: 'a multicast address',
  unspecified: 'an unspecified address',
  broadcast: 'a broadcast address',
  reserved: 'a reserved address',
  ipv4Mapped: 'an IPv4-mapped address',
  rfc6145: 'an IPv4-translated address',
  teredo: 'a Teredo address',
  benchmarking: 'a benchmarking address',
};

/**
 * Why an IP address is not a public target, in words (`a loopback address`), or null when it is public
 * unicast. Anything ipaddr.js does not call `unicast` is refused, except two ways to embed an IPv4 address
 * in IPv6 that carry public traffic: NAT64 (64:ff9b::/96, RFC 6052) and 6to4 (2002::/16, RFC 3056), which
 * are judged by the IPv4 address inside. Text that is not an address is refused too.
 */
export function classifyAddress(address: string): string | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return 'not an IP address';
  }
  const range = parsed.range();
  if (range === 'unicast') return null;
  if (parsed.kind() === 'ipv6' && (range === 'rfc6052' || range === '6to4')) {
    const bytes = (parsed as ipaddr.IPv6).toByteArray();
    // NAT64 keeps the IPv4 address in the last 32 bits; 6to4 right after the 2002: prefix.
    const embedded = range === 'rfc6052' ? bytes.slice(12, 16) : bytes.slice(2, 6);
    const inner = classifyAddress(embedded.join('.'));
    return inner === null ? null : `${range === 'rfc6052' ? 'a NAT64' : 'a 6to4'} address of ${inner}`;
  }
  return rangeWords[range] ?? `a non-public address (${range})`;
}
