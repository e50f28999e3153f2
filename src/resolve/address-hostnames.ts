// Answer-time resolution of `clusterdns.io/address: <hostname>` annotations:
// the upstream's addresses for the host, answered under the cluster name
// itself (an A record, not a CNAME: the point is that `orders.shop.svc...`
// leads to the compose container called `orders`).

import { RRType, type ResourceRecord } from '../dns/types.js';
import type { HostnameTargets } from '../records/types.js';
import type { Upstream, UpstreamResult } from './upstream.js';

/** Why a hostname gave no address: told once per hostname by the caller's logger. */
type UnresolvedReason = 'unreachable' | 'nxdomain' | 'nodata';
export type UnresolvedHook = (hostname: string, reason: UnresolvedReason) => void;

/**
 * The A/AAAA records `name` answers: the literal ones, then every address
 * the upstream gave for the hostnames (owned by `name`, TTL at most the
 * cluster TTL, duplicates dropped). `undefined` when no hostname resolved:
 * the caller answers what the table holds (the literals, or NODATA).
 */
export async function resolveHostnameAddresses(
  upstream: Upstream,
  name: string,
  qtype: number,
  hostnames: HostnameTargets,
  onUnresolved?: UnresolvedHook,
): Promise<ResourceRecord[] | undefined> {
  const results = await Promise.all(hostnames.targets.map((target) => upstream.lookup(target, qtype)));
  const answer = [...hostnames.fixed];
  const seen = new Set(answer.map(addressOf));
  let resolved = false;
  results.forEach((result: UpstreamResult, index) => {
    if (result.kind !== 'answer') {
      onUnresolved?.(hostnames.targets[index] ?? '', result.kind);
      return;
    }
    for (const rr of result.records) {
      if (rrTypeOf(rr) !== qtype || seen.has(addressOf(rr))) continue;
      seen.add(addressOf(rr));
      answer.push({ name, ttl: Math.min(rr.ttl, hostnames.ttl), data: rr.data });
      resolved = true;
    }
  });
  return resolved ? answer : undefined;
}

function rrTypeOf(rr: ResourceRecord): number | undefined {
  return rr.data.type === 'A' ? RRType.A : rr.data.type === 'AAAA' ? RRType.AAAA : undefined;
}

function addressOf(rr: ResourceRecord): string {
  return rr.data.type === 'A' || rr.data.type === 'AAAA' ? rr.data.address : '';
}
