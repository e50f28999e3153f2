// Pure helpers for DNS names and the IP-shaped names Kubernetes DNS uses.
//
// Names inside clusterdns are absolute, lower-case where we compare them, and
// written without the trailing dot (the root is ''); a '.' or '\' inside a
// label is escaped (src/dns/escape.ts). IP text always goes
// through src/net/ip.ts so that every address has one canonical spelling
// (IPv4 dotted quad, IPv6 RFC 5952 compressed lower-case).

import ipaddr from 'ipaddr.js';
import { canonicalIP } from '../net/ip.js';
import { isLabelBoundary } from './escape.js';

/**
 * Lower-case (ASCII only: DNS folds nothing else, and the wire length must
 * not change), without the trailing dot: the form every map key uses.
 */
export function normalizeName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const lower = /[^\x00-\x7f]/.test(name) ? name.replace(/[A-Z]+/g, (s) => s.toLowerCase()) : name.toLowerCase();
  return lower.endsWith('.') && isLabelBoundary(lower, lower.length - 1) ? lower.slice(0, -1) : lower;
}

/**
 * True when `name` is `zone` or below it (both normalized). The '.' before
 * the zone must separate labels: `a\.cluster.local` is the two labels
 * `a.cluster` and `local`, not under `cluster.local`.
 */
export function isSubdomain(name: string, zone: string): boolean {
  if (zone === '' || name === zone) return true;
  return zoneDot(name, zone) > 0;
}

/**
 * Index of the '.' that separates `name` from `zone` below it, or -1. Per
 * query, so no string is built: a character compare, an endsWith, and the
 * backslash count only when a backslash precedes the dot.
 */
function zoneDot(name: string, zone: string): number {
  const dot = name.length - zone.length - 1;
  if (dot <= 0 || name.charCodeAt(dot) !== 0x2e || !name.endsWith(zone)) return -1;
  if (name.charCodeAt(dot - 1) === 0x5c && !isLabelBoundary(name, dot)) return -1;
  return dot;
}

/**
 * The part of `name` before `zone`: '' for the apex itself, undefined when
 * `name` is not under `zone` (both normalized).
 */
export function stripZone(name: string, zone: string): string | undefined {
  if (name === zone) return '';
  if (zone === '') return name;
  const dot = zoneDot(name, zone);
  return dot > 0 ? name.slice(0, dot) : undefined;
}

type ParsedIP = ipaddr.IPv4 | ipaddr.IPv6;

/** Strictly parse IP text: dotted-quad IPv4 or IPv6 without a zone id. */
function parseStrict(text: string): ParsedIP | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (text.includes(':') && !text.includes('%') && ipaddr.IPv6.isValid(text)) return ipaddr.IPv6.parse(text);
  return undefined;
}

/**
 * Exactly the texts ipaddr's four-part decimal check accepts with every part
 * ≤ 255: already canonical, so the common case skips parsing.
 */
const CANONICAL_IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export const IPV4_REVERSE_ZONE = 'in-addr.arpa';
export const IPV6_REVERSE_ZONE = 'ip6.arpa';

/** `10.96.0.1` → `1.0.96.10.in-addr.arpa`; IPv6 → 32 nibbles under `ip6.arpa`. */
export function reverseName(ip: string): string {
  if (CANONICAL_IPV4.test(ip)) return `${ip.split('.').reverse().join('.')}.${IPV4_REVERSE_ZONE}`;
  const parsed = parseStrict(ip);
  if (!parsed) throw new Error(`reverseName: not an IP address: ${ip}`);
  const bytes = parsed.toByteArray();
  if (parsed.kind() === 'ipv4') return `${bytes.reverse().join('.')}.${IPV4_REVERSE_ZONE}`;
  const nibbles: string[] = [];
  for (const byte of bytes) nibbles.push((byte >> 4).toString(16), (byte & 15).toString(16));
  return `${nibbles.reverse().join('.')}.${IPV6_REVERSE_ZONE}`;
}

/**
 * The IP a full reverse name stands for (canonical text), or undefined for
 * anything else (partial names, bad labels). `name` must be normalized.
 */
export function parseReverseName(name: string): string | undefined {
  const v4 = stripZone(name, IPV4_REVERSE_ZONE);
  if (v4 !== undefined && v4 !== '') {
    const octets = v4.split('.').reverse();
    if (octets.length !== 4) return undefined;
    return canonicalIP(octets.join('.'));
  }
  const v6 = stripZone(name, IPV6_REVERSE_ZONE);
  if (v6 !== undefined && v6 !== '') {
    const nibbles = v6.split('.').reverse();
    if (nibbles.length !== 32 || !nibbles.every((n) => /^[0-9a-f]$/.test(n))) return undefined;
    const groups: string[] = [];
    for (let i = 0; i < 32; i += 4) groups.push(nibbles.slice(i, i + 4).join(''));
    return canonicalIP(groups.join(':'));
  }
  return undefined;
}

/**
 * The DNS label CoreDNS derives for an endpoint without a hostname (spec
 * §3.2): IPv4 dots → dashes; IPv6 compressed form with colons → dashes, and a
 * dash at either end completed with `0` so the label stays valid
 * (`2001-db8--0`, `0--1`).
 */
export function endpointId(ip: string): string {
  const canonical = canonicalIP(ip) ?? ip;
  if (canonical.includes('.') && !canonical.includes(':')) return canonical.replaceAll('.', '-');
  let id = canonical.replaceAll(':', '-');
  if (id.startsWith('-')) id = `0${id}`;
  if (id.endsWith('-')) id = `${id}0`;
  return id;
}

/**
 * Read a pod label `<dashed-ip>` (spec §3.5, CoreDNS findPods): exactly three
 * dashes and no `--` → IPv4, otherwise dashes → colons as IPv6. An
 * IPv4-mapped IPv6 address (`--ffff-102-304`) is the IPv4 address, as Go's
 * net.IP reads it in CoreDNS. Returns the canonical IP, or undefined when the
 * label is not an address.
 */
export function parsePodLabel(label: string): string | undefined {
  const dashes = label.split('-').length - 1;
  if (dashes === 3 && !label.includes('--')) return canonicalIP(label.replaceAll('-', '.'));
  const parsed = parseStrict(label.replaceAll('-', ':'));
  if (parsed?.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    return (parsed as ipaddr.IPv6).toIPv4Address().toString();
  }
  return parsed?.toString();
}
