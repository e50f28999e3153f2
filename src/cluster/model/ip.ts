// IP arithmetic as the cluster code needs it: the address at an index of a
// block, and orders. Parsing and printing live in src/net/ip.ts.

import { ipFromValue, parseIP, parseIPv4, type CIDR, type ParsedIP } from '../../net/ip.js';

export {
  cidrContains,
  ipFamilyOf as familyOf,
  ipFromValue,
  ipv4FromNumber,
  ipv4Text,
  parseCIDR,
  parseIP,
  parseIPv4,
  type CIDR,
  type ParsedIP,
} from '../../net/ip.js';
/** The address `index` places into the block (0 = network address). */
export function addressAt(cidr: CIDR, index: bigint): ParsedIP {
  return ipFromValue(cidr.family, cidr.network + index);
}

/** Orders addresses: IPv4 before IPv6, then numerically. */
export function compareIPs(a: ParsedIP, b: ParsedIP): number {
  if (a.family !== b.family) return a.family === 'IPv4' ? -1 : 1;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

/**
 * An address as a sort key that needs no allocation for IPv4: the number
 * for IPv4, the BigInt for IPv6 (0n for anything unparseable). Ordered by
 * compareSortKeys as compareIPs orders addresses.
 */
export type SortKey = number | bigint;

export function sortKeyOf(ip: string | ParsedIP): SortKey {
  if (typeof ip !== 'string') return ip.family === 'IPv4' ? Number(ip.value) : ip.value;
  return parseIPv4(ip) ?? parseIP(ip)?.value ?? 0n;
}

/** IPv4 before IPv6, then numerically. */
export function compareSortKeys(a: SortKey, b: SortKey): number {
  if (typeof a === 'number') return typeof b === 'number' ? a - b : -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

