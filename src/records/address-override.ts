// What the A/AAAA names of services and endpoints answer once the
// `clusterdns.io/address` annotation is taken into account.
//
// Names never change: a service keeps its name, an endpoint keeps the label
// its cluster address gives it (hostname or dashed pod IP). Only the
// addresses behind them do. An IP literal is answered like any address; a
// hostname cannot be known when the records are built, so the names that hold
// one are noted here and the index hands them to the responder as an
// `external` lookup with `hostnames` set.

import { RRType } from '../dns/types.js';
import { isSubdomain } from '../dns/names.js';
import { type AddressOverride, type ClusterState, type Endpoint, PodMap, type ReadonlyPodMap, type Service } from '../cluster/index.js';
import { addressRecord } from './table.js';
import { ITEMS_PER_STEP, type Steps } from '../cluster/slicer.js';
import type { HostnameTargets } from './types.js';

/** The addresses one name answers: literals now, hostnames at answer time. */
export interface AddressPlan {
  readonly ips: readonly string[];
  readonly hostnames: readonly string[];
}

/** Per-name, per-qtype (A, AAAA) hostnames to resolve at answer time. */
export type HostnameNames = ReadonlyMap<string, ReadonlyMap<number, HostnameTargets>>;

/**
 * The annotation of every annotated pod (usually none: an empty map), by
 * name: an endpoint's `pod` may be another Pod object of the same pod (see
 * cluster/model/pod-ref.ts). In steps: 150,000 pods take milliseconds (a
 * reload runs them through a Slicer).
 */
export function* podAddressOverrideSteps(state: ClusterState): Steps<ReadonlyPodMap<AddressOverride>> {
  const byPod = new PodMap<AddressOverride>();
  const { pods } = state;
  for (let i = 0; i < pods.length; i++) {
    if (i % PODS_PER_STEP === 0) yield;
    const pod = pods[i]!;
    if (pod.address) byPod.set(pod, pod.address);
  }
  return byPod;
}

/** Pods looked at between two yields: one field read each. */
const PODS_PER_STEP = 16 * ITEMS_PER_STEP;

/**
 * The annotations applied while one table is filled. A new instance per
 * table: the hostnames it notes belong to that table's names.
 */
export class AddressOverrides {
  private readonly withHostnames = new Map<string, { hostnames: string[]; ips: string[] }>();

  constructor(private readonly byPod: ReadonlyPodMap<AddressOverride>) {}

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
      const override = this.byPod.get(endpoint.pod);
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
  hostnameNames(zone: string, ttl: number): HostnameNames {
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
