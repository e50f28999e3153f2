// The cluster as the DNS sees it: an immutable snapshot built from manifests.
//
// Nothing here knows about DNS. The record index (src/records/) reads a
// ClusterState and precomputes every answer; a reload builds a new snapshot
// off to the side and swaps it in whole.

import type { IPFamily, Labels, Protocol, SourceRef } from './model.js';
import type { Problem } from './problems.js';
import type { AddressOverride } from './annotations.js';

export interface ClusterOptions {
  /** Service CIDRs, one per family, primary family first (default ['10.96.0.0/12']). */
  readonly serviceCIDRs: readonly string[];
  /** Pod CIDRs, one per family, same family order as serviceCIDRs (default ['10.244.0.0/16']). */
  readonly podCIDRs: readonly string[];
  /** Nodes a DaemonSet runs on (one pod each); default 1. */
  readonly nodeCount: number;
}

export const DEFAULT_CLUSTER_OPTIONS: ClusterOptions = {
  serviceCIDRs: ['10.96.0.0/12'],
  podCIDRs: ['10.244.0.0/16'],
  nodeCount: 1,
};

/** A port as a Service declares it, or as an endpoint exposes it. */
export interface NamedPort {
  readonly name?: string;
  readonly protocol: Protocol;
  readonly port: number;
}

/**
 * One address of one endpoint of a Service (an EndpointSlice endpoint
 * address). A dual-stack pod gives two of these, one per family.
 */
export interface Endpoint {
  /** Canonical text form of the IP (IPv6 compressed, lower-case). */
  readonly address: string;
  readonly family: IPFamily;
  /** Set only when it names the endpoint in DNS (spec §4.1, §4.2). */
  readonly hostname?: string;
  /**
   * Ready as the EndpointSlice controller would write it: for
   * selector-derived endpoints publishNotReadyAddresses is already folded in;
   * for given EndpointSlices/Endpoints it is what the object says. The DNS
   * publishes exactly the ready endpoints.
   */
  readonly ready: boolean;
  /** Ports of this endpoint (resolved targetPorts), named as the service names them. */
  readonly ports: readonly NamedPort[];
  /**
   * The pod behind it, when it came from a pod: the Pod object itself for
   * selector-derived endpoints (a reference, where a `namespace/name` string
   * was 32 bytes more a pod). Read only its namespace and name: a live
   * readiness override makes new Pod objects but keeps the endpoint's, and a
   * rebuild makes new ones with the same names (see pod-ref.ts).
   */
  readonly pod?: PodRef;
  /** For given EndpointSlices/Endpoints: the targetRef pod's name (CoreDNS endpoint_pod_names, records/served.ts). */
  readonly targetPod?: string;
}

/** Which pod, by name: a Pod is one. */
export interface PodRef {
  readonly namespace: string;
  readonly name: string;
}

export type ServiceKind = 'ClusterIP' | 'Headless' | 'ExternalName';

export interface Service {
  readonly name: string;
  readonly namespace: string;
  readonly kind: ServiceKind;
  /** Cluster IPs in ipFamilies order (empty for headless and ExternalName). */
  readonly clusterIPs: readonly string[];
  readonly ipFamilies: readonly IPFamily[];
  readonly ports: readonly NamedPort[];
  /** ExternalName target as written (no trailing dot). */
  readonly externalName?: string;
  readonly selector?: Labels;
  readonly publishNotReadyAddresses: boolean;
  /** All endpoints, ready or not, deduplicated by address. */
  readonly endpoints: readonly Endpoint[];
  /** True for `default/kubernetes` and `kube-system/kube-dns` when the server adds them (not declared). */
  readonly implicit: boolean;
  readonly source?: SourceRef;
  /** `clusterdns.io/address`: what the service name's A/AAAA answer instead (not for ExternalName). */
  readonly address?: AddressOverride;
}

/**
 * A pod's canonical IPs (podIPs order): the address itself when there is
 * one, which is nearly every pod; an array when there are two (dual-stack)
 * or none (the shared NO_IPS: a status without an IP). Never a one-element
 * array: at 150,000 pods those were 8 MB (a 32-byte JSArray and a 24-byte
 * backing store each, around a string the pod keeps anyway). Read it with
 * ipCount/ipAt/hasIP/ipList (pod-ip-list.ts). No address is an empty array,
 * not `''` or undefined, so that `typeof ips === 'string'` alone means
 * "exactly one" and every other case reads as a plain list.
 */
export type PodIPs = string | readonly string[];

/**
 * A pod of the state. A built one is a SettledPod (pods.ts) that reads most
 * of these through getters on its workload's shared origin: copy one field
 * by field (podWithReadiness), not with a spread, which copies own fields
 * only. Plain objects satisfy this type too (tests build them).
 */
export interface Pod {
  readonly name: string;
  readonly namespace: string;
  readonly ips: PodIPs;
  readonly labels: Labels;
  readonly ready: boolean;
  readonly terminating: boolean;
  readonly hostname?: string;
  readonly subdomain?: string;
  /** `StatefulSet/web` etc. for synthesized pods; absent for Pod objects. */
  readonly owner?: string;
  readonly source: SourceRef;
  /** `clusterdns.io/address`: what this pod's endpoints answer instead of its IPs. */
  readonly address?: AddressOverride;
}

export interface ClusterState {
  /** Every namespace that exists (spec §2): declared, used, or one of the four built-ins. */
  readonly namespaces: ReadonlySet<string>;
  readonly services: readonly Service[];
  readonly pods: readonly Pod[];
  /** Warnings found while building (collisions, out-of-CIDR addresses, orphan slices, ...). */
  readonly warnings: readonly Problem[];
}

/** Built-in namespaces that always exist (spec §2, [emulator]). */
export const BUILTIN_NAMESPACES: readonly string[] = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
