// The zone's own names (spec §1, §2, §3.8): apex SOA/NS, `ns.dns`, the
// `dns-version` TXT, the `svc`/`pod` type labels and the namespace nodes,
// plus the apexes of the two reverse zones. All but the namespace nodes are
// a handful of names, kept in a small table; the nodes are checked per query.

import { RRType, type ResourceRecord } from '../dns/types.js';
import { IPV4_REVERSE_ZONE, IPV6_REVERSE_ZONE } from '../dns/names.js';
import { canonicalIP } from '../net/ip.js';
import type { ClusterState } from '../cluster/index.js';
import { addAddresses, addressRecord, record, type NameTable } from './table.js';
import type { IndexOptions, PodMode } from './types.js';
import type { TypeLabel } from './parse.js';

/** Schema version of the Kubernetes DNS specification we implement. */
export const DNS_SCHEMA_VERSION = '1.1.0';
/** TTL of the dns-version record (CoreDNS hard-codes it). */
export const DNS_VERSION_TTL = 28800;

/**
 * `<apex>. SOA ns.dns.<apex>. hostmaster.<apex>. serial 7200 1800 86400 ttl`;
 * the record's own TTL is min(ttl, 300) as in CoreDNS plugin.SOA.
 */
export function soaRecord(apex: string, serial: number, ttl: number): ResourceRecord {
  return record(apex, Math.min(ttl, 300), {
    type: 'SOA',
    mname: `ns.dns.${apex}`,
    rname: `hostmaster.${apex}`,
    serial,
    refresh: 7200,
    retry: 1800,
    expire: 86400,
    minimum: ttl,
  });
}

/** kube-system/kube-dns's cluster IPs (declared or implicit), or none. */
function kubeDnsAddresses(state: ClusterState): readonly string[] {
  const kubeDns = state.services.find(
    (service) => service.namespace === 'kube-system' && service.name === 'kube-dns' && service.kind === 'ClusterIP',
  );
  return kubeDns?.clusterIPs ?? [];
}

/** The addresses behind `ns.dns.<zone>`: kube-system/kube-dns's cluster IPs, else our listen addresses. */
export function nameserverAddresses(state: ClusterState, options: IndexOptions): string[] {
  const kubeDns = kubeDnsAddresses(state);
  if (kubeDns.length > 0) return [...kubeDns];
  return options.nameserverAddresses.flatMap((address) => canonicalIP(address) ?? []);
}

/**
 * The NS set of `apex` (the cluster zone or a reverse zone), as CoreDNS
 * builds it: one NS per kube-dns cluster IP naming
 * `kube-dns.kube-system.svc.<apex>` — the zone asked, so a reverse apex
 * reads `kube-dns.kube-system.svc.in-addr.arpa` (sic) — with that address in
 * the additional section. Without a kube-dns cluster IP: `ns.dns.<zone>`
 * and the listen addresses (docs/behaviour.md#coredns-corners).
 */
function addNameservers(table: NameTable, apex: string, state: ClusterState, options: IndexOptions): void {
  const { zone, ttl } = options;
  const kubeDns = kubeDnsAddresses(state);
  if (kubeDns.length === 0) {
    const nsName = `ns.dns.${zone}`;
    const addresses = nameserverAddresses(state, options);
    const additional = addresses.map((address) => addressRecord(nsName, ttl, address));
    const set = table.add(apex, apex, RRType.NS, [record(apex, ttl, { type: 'NS', target: nsName })], additional);
    // Listings keep one NS per zone file: the reverse apexes' is lent by `records`.
    if (apex !== zone) set.listed = false;
    return;
  }
  const target = `kube-dns.kube-system.svc.${apex}`;
  const set = table.add(apex, apex, RRType.NS, [], kubeDns.map((address) => addressRecord(target, ttl, address)));
  // One NS per address, duplicates kept: CoreDNS writes one per cluster IP.
  for (const _ of kubeDns) set.answer.push(record(apex, ttl, { type: 'NS', target }));
  // A zone file cannot hold the reverse apexes' NS (its in-zone target has no
  // address record there): listings leave it out, `records` lends the cluster zone's.
  if (apex !== zone) set.listed = false;
}

export function addApex(table: NameTable, state: ClusterState, options: IndexOptions): void {
  const { zone, ttl, serial } = options;
  const nsName = `ns.dns.${zone}`;
  table.add(zone, zone, RRType.SOA, [soaRecord(zone, serial, ttl)]);
  addNameservers(table, zone, state, options);
  addAddresses(table, nsName, zone, ttl, nameserverAddresses(state, options));

  const version = `dns-version.${zone}`;
  table.add(version, zone, RRType.TXT, [record(version, Math.min(DNS_VERSION_TTL, options.maxTtl ?? DNS_VERSION_TTL), { type: 'TXT', text: [DNS_SCHEMA_VERSION] })]);
  // Any other type at dns-version is NXDOMAIN in CoreDNS (§3.8).
  table.touch(version, zone).otherTypes = 'nxdomain';

  table.touch(`svc.${zone}`, zone);
  table.touch(`pod.${zone}`, zone);

  for (const reverse of [IPV4_REVERSE_ZONE, IPV6_REVERSE_ZONE]) {
    table.add(reverse, reverse, RRType.SOA, [soaRecord(reverse, serial, ttl)]);
    addNameservers(table, reverse, state, options);
  }
}

/**
 * Whether `<namespace>.<type>.<zone>` exists (an empty node: NODATA). The
 * index asks this per query rather than holding one entry per namespace.
 */
export function namespaceNodeExists(state: ClusterState, podMode: PodMode, type: TypeLabel, namespace: string): boolean {
  // CoreDNS rejects every pod name, namespace nodes included, when pods are disabled.
  return state.namespaces.has(namespace) && (type === 'svc' || podMode !== 'disabled');
}
