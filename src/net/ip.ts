// IP addresses and CIDRs for everyone (cluster/, dns/, records/, config,
// admin): parse strictly, print canonically (IPv4 dotted quad, IPv6
// compressed lower-case per RFC 5952), and hold an address as an integer
// (BigInt) so one code path serves IPv4 and IPv6 alike.
//
// The plain forms (dotted quad, hex groups with at most one `::`) are parsed
// and printed here by hand: a 150,000-pod cluster parses and prints every
// address, and ipaddr.js costs ~20µs per IPv6 parse. Anything unusual
// (an embedded IPv4 tail like `::ffff:1.2.3.4`) goes to ipaddr.js, which
// the tests also use as the oracle for the hand-written paths.

import ipaddr from 'ipaddr.js';

export type IPFamily = 'IPv4' | 'IPv6';

export interface ParsedIP {
  readonly family: IPFamily;
  /** The address as an unsigned integer (32 or 128 bits). */
  readonly value: bigint;
  /** Canonical text: dotted quad, or RFC 5952 compressed lower-case IPv6. */
  readonly text: string;
}

export interface CIDR {
  readonly family: IPFamily;
  /** Network address as an integer (host bits zero). */
  readonly network: bigint;
  readonly prefix: number;
  /** Number of addresses in the block (2^(bits-prefix)). */
  readonly size: bigint;
  /** Canonical text, e.g. `10.96.0.0/12`. */
  readonly text: string;
}

const BITS: Record<IPFamily, number> = { IPv4: 32, IPv6: 128 };

/** Parse one IP literal; `undefined` for anything that is not a plain IPv4/IPv6 address. */
export function parseIP(text: string): ParsedIP | undefined {
  if (!text.includes(':')) {
    const n = parseIPv4(text);
    return n === undefined ? undefined : ipv4FromNumber(n);
  }
  const groups = parseIPv6Groups(text);
  if (groups) return ipv6FromGroups(groups);
  // Zone ids (`fe80::1%eth0`) are not addresses a cluster hands out.
  if (text.includes('%') || !ipaddr.IPv6.isValid(text)) return undefined;
  return ipv6FromGroups(ipaddr.IPv6.parse(text).parts);
}

/** Canonical text of an IP literal, or `undefined` when it does not parse. */
export function canonicalIP(text: string): string | undefined {
  return parseIP(text)?.text;
}

/** The family of an IP address text, or undefined when it is not an IP. */
export function ipFamilyOf(text: string): IPFamily | undefined {
  return parseIP(text)?.family;
}

/** Parse `addr/prefix`; host bits must be zero, as Kubernetes requires of CIDR flags. */
export function parseCIDR(text: string): CIDR | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const base = parseIP(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!base || !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  const bits = BITS[base.family];
  if (prefix > bits) return undefined;
  const size = 1n << BigInt(bits - prefix);
  if (base.value % size !== 0n) return undefined;
  return { family: base.family, network: base.value, prefix, size, text: `${base.text}/${prefix}` };
}

export function cidrContains(cidr: CIDR, ip: ParsedIP): boolean {
  return ip.family === cidr.family && ip.value >= cidr.network && ip.value < cidr.network + cidr.size;
}

export function ipFromValue(family: IPFamily, value: bigint): ParsedIP {
  if (family === 'IPv4') return ipv4FromNumber(Number(value));
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((value >> shift) & 0xffffn));
  return { family, value, text: formatIPv6(groups) };
}

/** Four decimal octets 0–255, no leading zeros (Go's net.ParseIP is as strict). A char loop: this runs per pod. */
export function parseIPv4(text: string): number | undefined {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 /* . */) {
      if (digits === 0 || ++dots > 3) return undefined;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return undefined; // leading zero
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return undefined;
    } else return undefined;
  }
  if (dots !== 3 || digits === 0) return undefined;
  return value * 256 + octet;
}

const OCTET = Array.from({ length: 256 }, (_, octet) => String(octet));
const OCTET_DOT = OCTET.map((octet) => `${octet}.`);

/** `n` an unsigned 32-bit address. */
export function ipv4FromNumber(n: number): ParsedIP {
  return { family: 'IPv4', value: BigInt(n), text: ipv4Text(n) };
}

/** Dotted quad of an unsigned 32-bit address. Runs once per synthesized pod, so: a table, no number formatting. */
export function ipv4Text(n: number): string {
  const text = OCTET_DOT[n >>> 24]! + OCTET_DOT[(n >>> 16) & 255]! + OCTET_DOT[(n >>> 8) & 255]! + OCTET[n & 255]!;
  // Reading one character flattens V8's rope of the four pieces (see cluster/flat.ts).
  text.charCodeAt(0);
  return text;
}

const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** Eight 16-bit groups of a pure-hex IPv6 literal, or `undefined` (ipaddr.js then decides). */
function parseIPv6Groups(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = splitGroups(halves[0] ?? '');
  const tail = halves.length === 2 ? splitGroups(halves[1] ?? '') : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

function splitGroups(text: string): number[] | undefined {
  if (text === '') return [];
  const groups: number[] = [];
  for (const group of text.split(':')) {
    if (!HEX_GROUP.test(group)) return undefined;
    groups.push(parseInt(group, 16));
  }
  return groups;
}

function ipv6FromGroups(groups: readonly number[]): ParsedIP {
  let value = 0n;
  for (const group of groups) value = (value << 16n) | BigInt(group);
  return { family: 'IPv6', value, text: formatIPv6(groups) };
}

/** RFC 5952: lower-case hex, no leading zeros, the first longest run of 2+ zero groups as `::`. */
function formatIPv6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  return [hex.slice(0, bestStart).join(':'), hex.slice(bestStart + bestLength).join(':')].join('::');
}
