// What the A/AAAA names of services and endpoints answer once the
// `clusterdns.io/address` annotation is taken into account (issue 5, part 3).
//
// Names never change: a service keeps its name, an endpoint keeps the label
// its cluster address gives it (hostname or dashed pod IP). Only the
// addresses behind them do. An IP literal is answered like any address; a
// hostname cannot be known at build time, so the names that hold one are
// collected here and the index hands them to the responder as an `external`
// lookup with `hostnames` set.

import { RRType } from '../dns/types.js';
import { isSubdomain } from '../dns/names.js';
import type { AddressOverride } from '../cluster/annotations.js';
import type { ClusterState, Endpoint, Service } from '../cluster/state.js';
import { addressRecord } from './table.js';
import type { HostnameTargets, Lookup, RecordIndex } from './types.js';

/** The addresses one name answers: literals now, hostnames at answer time. */
export interface AddressPlan {
  readonly ips: readonly string[];
  readonly hostnames: readonly string[];
}

export class AddressOverrides {
  private readonly byPod = new Map<string, AddressOverride>();
  private readonly withHostnames = new Map<string, { hostnames: string[]; ips: string[] }>();

  constructor(state: ClusterState) {
    for (const pod of state.pods) if (pod.address) this.byPod.set(`${pod.namespace}/${pod.name}`, pod.address);
  }

  /** The service name's own addresses (a headless service's are its endpoints'). */
  service(service: Service, readyEndpoints: readonly Endpoint[]): AddressPlan {
    if (service.address) return planOf(service.address);
    if (service.kind === 'Headless') return this.endpoints(readyEndpoints);
    return { ips: service.clusterIPs, hostnames: [] };
  }

  /** The addresses of a group of endpoints, each replaced by its pod's annotation when it has one. */
  endpoints(endpoints: readonly Endpoint[]): AddressPlan {
    if (this.byPod.size === 0) return { ips: endpoints.map((endpoint) => endpoint.address), hostnames: [] };
    const ips = new Set<string>();
    const hostnames = new Set<string>();
    for (const endpoint of endpoints) {
      const override = endpoint.pod === undefined ? undefined : this.byPod.get(endpoint.pod);
      if (override?.kind === 'hostname') hostnames.add(override.hostname);
      else ips.add(override?.kind === 'ip' ? override.ip : endpoint.address);
    }
    return { ips: [...ips], hostnames: [...hostnames] };
  }

  /** Remember that `name` answers `plan`, when part of it is resolved at answer time. */
  note(name: string, plan: AddressPlan): void {
    if (plan.hostnames.length === 0) return;
    const known = this.withHostnames.get(name);
    if (!known) {
      this.withHostnames.set(name, { hostnames: [...plan.hostnames], ips: [...plan.ips] });
      return;
    }
    for (const hostname of plan.hostnames) if (!known.hostnames.includes(hostname)) known.hostnames.push(hostname);
    for (const ip of plan.ips) if (!known.ips.includes(ip)) known.ips.push(ip);
  }

  /**
   * Every name that resolves hostnames, with what to ask per query type (A,
   * AAAA). Hostnames inside the cluster zone are dropped: names of our own
   * zone are never sent upstream, so such an annotation answers only its
   * literals (or NODATA).
   */
  hostnameNames(zone: string, ttl: number): Map<string, Map<number, HostnameTargets>> {
    const names = new Map<string, Map<number, HostnameTargets>>();
    for (const [name, plan] of this.withHostnames) {
      const targets = plan.hostnames.filter((hostname) => !isSubdomain(hostname, zone));
      if (targets.length === 0) continue;
      const records = plan.ips.map((ip) => addressRecord(name, ttl, ip));
      const byType = new Map<number, HostnameTargets>();
      for (const [qtype, type] of [
        [RRType.A, 'A'],
        [RRType.AAAA, 'AAAA'],
      ] as const) {
        byType.set(qtype, { targets, fixed: records.filter((rr) => rr.data.type === type), ttl });
      }
      names.set(name, byType);
    }
    return names;
  }
}

function planOf(override: AddressOverride): AddressPlan {
  return override.kind === 'ip' ? { ips: [override.ip], hostnames: [] } : { ips: [], hostnames: [override.hostname] };
}

/**
 * The index as is when no name resolves a hostname (no per-query cost);
 * otherwise A/AAAA lookups of those names become `external` lookups with
 * `hostnames` set, with what the table holds (the literal addresses, or
 * NODATA) as the answer to give when no hostname resolves.
 */
export function withHostnameAddresses(index: RecordIndex, overrides: AddressOverrides, ttl: number): RecordIndex {
  const names = overrides.hostnameNames(index.zone, ttl);
  if (names.size === 0) return index;
  return {
    get zone() {
      return index.zone;
    },
    get serial() {
      return index.serial;
    },
    get nameCount() {
      return index.nameCount;
    },
    get recordCount() {
      return index.recordCount;
    },
    records: () => index.records(),
    lookup(name: string, qtype: number): Lookup {
      const lookup = index.lookup(name, qtype);
      const hostnames = lookup.kind === 'answer' ? names.get(name)?.get(qtype) : undefined;
      if (!hostnames || lookup.kind !== 'answer') return lookup;
      return { kind: 'external', cnames: [], target: hostnames.targets[0] ?? '', nodata: lookup.answer, hostnames };
    },
  };
}
