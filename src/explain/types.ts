// What `explain` says about a name: the outcome the record index gives, and
// findings, each with a stable reason code (what tests pin) and a sentence
// for people.

import type { ClusterState } from '../cluster/index.js';
import type { PodMode, RecordIndex } from '../records/types.js';

export type Reason =
  // where the name points
  | 'outside-zone'
  | 'missing-zone'
  | 'reverse'
  | 'zone-name'
  | 'bad-form'
  // namespaces and services
  | 'no-namespace'
  | 'no-service'
  | 'service-elsewhere'
  | 'pod-name'
  | 'cluster-ip'
  | 'headless'
  | 'external-name'
  | 'address-override'
  | 'no-family'
  // endpoints
  | 'no-selector'
  | 'selector-matches-nothing'
  | 'pods-not-ready'
  | 'endpoint'
  | 'no-endpoint'
  | 'hostname-no-service'
  | 'hostname-not-selected'
  | 'hostname-wrong-subdomain'
  // ports
  | 'srv-port'
  | 'port-unnamed'
  | 'no-such-port'
  // pod A records
  | 'pod-ip'
  | 'pod-ip-unknown'
  | 'pods-disabled'
  | 'not-an-ip'
  // the type asked
  | 'other-type'
  // where clusterdns answers as CoreDNS does (docs/behaviour.md#coredns-corners)
  | 'coredns-quirk';

export interface Finding {
  readonly reason: Reason;
  /** One sentence, no trailing newline. */
  readonly message: string;
  /** Supporting lines (selectors, pod labels), printed indented under the message. */
  readonly details?: readonly string[];
}

/** The shape of the answer, read from the record index's lookup. */
export type Outcome =
  | { readonly kind: 'answer'; readonly records: number }
  | { readonly kind: 'nodata' }
  | { readonly kind: 'nxdomain' }
  /** ExternalName with a target outside the zone: CNAME + whatever the upstream has. */
  | { readonly kind: 'external'; readonly target: string }
  /** A clusterdns.io/address hostname: its addresses, asked upstream, answered under the name. */
  | { readonly kind: 'resolved'; readonly targets: readonly string[] }
  | { readonly kind: 'refused' }
  /** Outside our zones: a running server forwards it. */
  | { readonly kind: 'forwarded' };

export interface ExplainRequest {
  readonly state: ClusterState;
  readonly index: RecordIndex;
  readonly podMode: PodMode;
  /** The name as asked; case and trailing dot do not matter. */
  readonly name: string;
  readonly qtype: number;
}

export interface Explanation {
  /** Normalized: lower-case, no trailing dot. */
  readonly name: string;
  readonly qtype: number;
  readonly outcome: Outcome;
  readonly findings: readonly Finding[];
}

/** What every reason function gets: the request plus the normalized name and the zone. */
export interface Context {
  readonly state: ClusterState;
  readonly index: RecordIndex;
  readonly podMode: PodMode;
  readonly zone: string;
  readonly name: string;
  readonly qtype: number;
  readonly outcome: Outcome;
}
