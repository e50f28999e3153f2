// CoreDNS's `hosts` plugin: A, AAAA and PTR answers from /etc/hosts-style
// lines (inline in the Corefile, a file, or k3s's NodeHosts key of the
// coredns ConfigMap), in front of the cluster as in CoreDNS's plugin order.
//
// For a name in the plugin's zones: its addresses of the asked family
// (NOERROR, possibly empty, when the name is listed); a name not listed goes
// on to the cluster and forwarding with `fallthrough`, else gets SERVFAIL
// (CoreDNS has no SOA to make an NXDOMAIN with). PTR for a listed address
// answers its names (unless `no_reverse`); any other PTR goes on.

import ipaddr from 'ipaddr.js';
import { RCode, RRType, type ResourceRecord } from '../dns/types.js';
import { isSubdomain, normalizeName, parseReverseName } from '../dns/names.js';
import { prepareAnswer, writeEmptyResponse, writeResponse } from '../dns/wire.js';
import type { Query } from '../dns/query.js';

export interface HostsTable {
  /** Lower-case name, no trailing dot → its addresses in file order. */
  readonly names: ReadonlyMap<string, readonly string[]>;
  /** Canonical address → the names listed for it, in file order. */
  readonly addresses: ReadonlyMap<string, readonly string[]>;
  readonly ttl: number;
  /** Zones the plugin answers for, lower-case without trailing dot; '' is the root. */
  readonly zones: readonly string[];
  /** `fallthrough [ZONES]`: undefined = off, [] = every zone. */
  readonly fallthrough?: readonly string[];
  /** `no_reverse`: no PTR answers. */
  readonly noReverse: boolean;
}

/** CoreDNS's default TTL for hosts answers. */
export const HOSTS_DEFAULT_TTL = 3600;

/** Add `IP name...` lines (comments after '#'); returns the lines that were not entries. */
export function addHostsLines(text: string, names: Map<string, string[]>, addresses: Map<string, string[]>): number[] {
  const skipped: number[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') return;
    const [ip, ...hosts] = line.split(/\s+/);
    if (!addEntry(ip!, hosts, names, addresses)) skipped.push(index + 1);
  });
  return skipped;
}

/** One entry; false when `ip` is not an address or no names follow. */
export function addEntry(ip: string, hosts: readonly string[], names: Map<string, string[]>, addresses: Map<string, string[]>): boolean {
  const address = canonical(ip.replace(/%.*$/, ''));
  if (address === undefined || hosts.length === 0) return false;
  for (const host of hosts) {
    const name = normalizeName(host);
    const list = names.get(name) ?? [];
    if (!list.includes(address)) list.push(address);
    names.set(name, list);
    const back = addresses.get(address) ?? [];
    if (!back.includes(name)) back.push(name);
    addresses.set(address, back);
  }
  return true;
}

function canonical(text: string): string | undefined {
  if (!ipaddr.isValid(text)) return undefined;
  if (ipaddr.IPv4.isValid(text) && !ipaddr.IPv4.isValidFourPartDecimal(text)) return undefined;
  const parsed = ipaddr.parse(text);
  // An IPv4-mapped IPv6 address is an IPv4 entry, as Go's net.ParseIP reads it.
  return parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()
    ? (parsed as ipaddr.IPv6).toIPv4Address().toString()
    : parsed.toString();
}

type Respond = (query: Query) => Buffer | Promise<Buffer>;

function inZones(name: string, zones: readonly string[]): boolean {
  return zones.some((zone) => zone === '' || isSubdomain(name, zone));
}

/** `respond` behind the hosts table: listed names are answered here, the rest as the table's fallthrough says. */
export function withHosts(hosts: HostsTable | null, respond: Respond): Respond {
  if (hosts === null) return respond;
  let turn = 0;
  const answer = (query: Query, records: ResourceRecord[]): Buffer => {
    const prepared = prepareAnswer(query.name, RCode.NOERROR, { answer: records, authority: [], additional: [] }, { authoritative: true });
    return writeResponse(query, prepared, turn++);
  };
  return (query) => {
    const name = normalizeName(query.name);
    if (query.qtype === RRType.PTR) {
      const ip = parseReverseName(name);
      const listed = ip === undefined || hosts.noReverse ? undefined : hosts.addresses.get(ip);
      if (!listed) return respond(query);
      return answer(query, listed.map((target) => ({ name, ttl: hosts.ttl, data: { type: 'PTR', target } })));
    }
    if (!inZones(name, hosts.zones)) return respond(query);
    const listed = hosts.names.get(name);
    if (listed === undefined) {
      if (hosts.fallthrough && (hosts.fallthrough.length === 0 || inZones(name, hosts.fallthrough))) return respond(query);
      return writeEmptyResponse(query, { rcode: RCode.SERVFAIL });
    }
    const family = query.qtype === RRType.A ? 'A' : query.qtype === RRType.AAAA ? 'AAAA' : undefined;
    const records: ResourceRecord[] = family === undefined ? [] : listed
      .filter((address) => address.includes(':') === (family === 'AAAA'))
      .map((address) => ({ name, ttl: hosts.ttl, data: { type: family, address } }));
    return answer(query, records);
  };
}
