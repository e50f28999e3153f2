// The record index's contract: what it is built from and what a lookup means.

import type { PreparedAnswer } from '../dns/wire.js';
import type { ResourceRecord } from '../dns/types.js';
import type { Slicer } from '../cluster/index.js';

import type { PodMode } from '../cluster/index.js';

export type { PodMode };

export interface IndexOptions {
  /** Cluster domain, normalized (`cluster.local`). */
  readonly zone: string;
  /** TTL of every cluster record (dns-version excepted). */
  readonly ttl: number;
  readonly podMode: PodMode;
  /** SOA serial; changes when the manifests change. */
  readonly serial: number;
  /** The server's listen address(es): `ns.dns.<zone>` when no kube-system/kube-dns Service exists. */
  readonly nameserverAddresses: readonly string[];
  /**
   * Unknown names in the reverse zones go upstream (CoreDNS `fallthrough
   * in-addr.arpa ip6.arpa`). When false they get an authoritative NXDOMAIN.
   */
  readonly reverseFallthrough?: boolean;
  /**
   * No record the index answers has a TTL above this (CoreDNS `cache 30`
   * caps every answer): the cluster TTL and the dns-version TXT are capped
   * to it. Absent: no cap (dns-version keeps 28800).
   */
  readonly maxTtl?: number;
  /** Corefile `namespaces`: only these are served (records/served.ts); absent or null = all. */
  readonly namespaces?: readonly string[] | null;
  /** Corefile `endpoint_pod_names`: headless endpoints answer under their pod's name (records/served.ts). */
  readonly endpointPodNames?: boolean;
}

/**
 * What the cluster says about one (name, qtype). The responder switches on
 * `kind` exhaustively; nothing here throws for a well-formed name.
 *
 * - `answer`: a complete response body, positive or negative (NOERROR with
 *   records, NODATA or NXDOMAIN with the zone's SOA in authority), AA set.
 *   Write it with writeResponse as is.
 * - `external`: an ExternalName service (or a chain of them inside the zone)
 *   whose final target lies outside the zone, asked for A or AAAA. `cnames`
 *   is the in-zone CNAME chain (first record owned by the question name,
 *   lower-case); the responder asks the upstream for `target`/qtype and
 *   answers CNAMEs + upstream records, AA set. `nodata` is the answer to give
 *   when the upstream is unreachable.
 *   With `hostnames` set, the name is a Service or endpoint whose
 *   `clusterdns.io/address` annotation names a host: the responder asks the
 *   upstream for every one of `hostnames` (`target` is the first) and answers
 *   `hostnames.fixed` plus the addresses found, all owned by the question
 *   name, TTL at most `hostnames.ttl`; `cnames` is empty, and `nodata` is what
 *   the table holds (the literal addresses, or NODATA) for when nothing resolves.
 * - `reverse-miss`: a name in `in-addr.arpa`/`ip6.arpa` the cluster does not
 *   know, with `reverseFallthrough` on: forward it when an upstream exists,
 *   else write `nxdomain`.
 * - `refused`: a zone transfer (AXFR/IXFR) of one of our zones.
 * - `not-ours`: outside the cluster zone and the reverse zones: forward or
 *   refuse, never answer on our own authority.
 */
export type Lookup =
  | { readonly kind: 'answer'; readonly answer: PreparedAnswer }
  | {
      readonly kind: 'external';
      readonly cnames: readonly ResourceRecord[];
      readonly target: string;
      readonly nodata: PreparedAnswer;
      readonly hostnames?: HostnameTargets;
    }
  | { readonly kind: 'reverse-miss'; readonly local: PreparedAnswer }
  | { readonly kind: 'refused' }
  | { readonly kind: 'not-ours' };

/** The `clusterdns.io/address` hostnames behind one name (see `external` above). */
export interface HostnameTargets {
  /** Lower-case, outside the cluster zone; never empty. */
  readonly targets: readonly string[];
  /** Literal addresses the name answers as well (other endpoints of a headless service). */
  readonly fixed: readonly ResourceRecord[];
  /** The cluster TTL: resolved addresses are answered with min(this, the upstream's TTL). */
  readonly ttl: number;
}

export interface RecordIndex {
  readonly zone: string;
  readonly serial: number;
  /**
   * Names holding records or existing empty, pod `<dashed-ip>` names and SRV
   * spellings without underscores left out. Found by listing (seconds at
   * 150,000 pods): for tests and tools, not for a server's hot path.
   */
  readonly nameCount: number;
  /** Records in `records()`, counted without listing them (about a second at 150,000 pods). */
  readonly recordCount: number;
  /** `name` lower-case without the trailing dot; `qtype` any 16-bit type. */
  lookup(name: string, qtype: number): Lookup;
  /**
   * Every finite record the cluster answers, for `clusterdns records` (built
   * when called, about 10 s at 150,000 pods; lookups never need it):
   * answer records of every name (SOA, NS, A/AAAA, SRV, CNAME, PTR, TXT).
   * Pod `<dashed-ip>.<ns>.pod` names are listed only in verified mode (one
   * per known pod IP, in its canonical dashed form).
   */
  records(): ResourceRecord[];
  /**
   * The names whose records differ from `previous`'s — what comparing the
   * two `records()` listings name by name gives, SOA records left out —
   * computed from the services, addresses and pods that changed only.
   * Undefined when the two cannot be compared that way (another
   * implementation, or another zone, TTL or pod mode): compare the listings.
   */
  changesSince?(previous: RecordIndex, slicer?: Slicer): Promise<NameChanges> | undefined;
}

/** Owner names (lower-case) whose records were added, removed or changed; each list sorted. */
export interface NameChanges {
  readonly added: string[];
  readonly removed: string[];
  readonly changed: string[];
}
