// Who may use us as a resolver. Cluster names are answered to anyone who can
// reach the port; only names we would forward upstream are checked against
// the allow list, so a server bound to a public address is not an open
// resolver (an amplifier and a cache to poison) for the whole Internet.

import ipaddr from 'ipaddr.js';

/**
 * Loopback, the private ranges (RFC 1918, RFC 4193 unique-local fc00::/7)
 * and link-local (169.254/16, fe80::/10): addresses that cannot arrive from
 * the open Internet. CGNAT (100.64/10) is not in it; add it with --allow.
 */
export const DEFAULT_ALLOW: readonly string[] = [
  '127.0.0.0/8',
  '::1/128',
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '169.254.0.0/16',
  'fc00::/7',
  'fe80::/10',
];

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Verdicts are cached per address; the cache is dropped whole when it grows past this. */
const MEMO_LIMIT = 10_000;

export class AllowList {
  private readonly v4: Range[] = [];
  private readonly v6: Range[] = [];
  private readonly memo = new Map<string, boolean>();

  /** `cidrs` already validated (parseAllowList). */
  constructor(readonly cidrs: readonly string[]) {
    for (const cidr of cidrs) {
      const range = ipaddr.parseCIDR(cidr);
      (range[0].kind() === 'ipv4' ? this.v4 : this.v6).push(range);
    }
  }

  /** Whether `address` (as the socket reports it; IPv4-mapped IPv6 counts as IPv4) is inside a range. */
  allows(address: string): boolean {
    const known = this.memo.get(address);
    if (known !== undefined) return known;
    const verdict = this.match(address);
    if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
    this.memo.set(address, verdict);
    return verdict;
  }

  private match(address: string): boolean {
    let parsed: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      parsed = ipaddr.process(address.replace(/%.*$/, '')); // drop a zone index (fe80::1%eth0)
    } catch {
      return false;
    }
    const ranges = parsed.kind() === 'ipv4' ? this.v4 : this.v6;
    return ranges.some((range) => parsed.kind() === range[0].kind() && (parsed as ipaddr.IPv4).match(range as [ipaddr.IPv4, number]));
  }
}

/** Normalized CIDRs (a bare address is a /32 or /128), and the entries that are neither. */
export function parseAllowList(entries: readonly string[]): { cidrs: string[]; invalid: string[] } {
  const cidrs: string[] = [];
  const invalid: string[] = [];
  for (const entry of entries) {
    const text = entry.includes('/') ? entry : `${entry}/${entry.includes(':') ? 128 : 32}`;
    try {
      const [address, prefix] = ipaddr.parseCIDR(text);
      cidrs.push(`${address.toString()}/${prefix}`);
    } catch {
      invalid.push(entry);
    }
  }
  return { cidrs, invalid };
}

/** True for 127/8 and ::1: a server bound there is reachable from this machine only. */
export function isLoopbackBind(bind: string): boolean {
  try {
    return ipaddr.process(bind).range() === 'loopback';
  } catch {
    return false;
  }
}

/**
 * The allow list to enforce on forwarded queries, or undefined when it can
 * change nothing: bound to loopback, only this machine reaches us, and a list
 * that allows the bound address allows those clients.
 */
export function forwardingAcl(bind: string, allow: readonly string[]): AllowList | undefined {
  const acl = new AllowList(allow);
  return isLoopbackBind(bind) && acl.allows(bind) ? undefined : acl;
}
