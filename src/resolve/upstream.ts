// The upstream resolver the responder asks for names outside the cluster
// zone that an ExternalName service points at. `serve` passes the forwarder
// (forward/forwarder.ts, wired in app/dns.ts) when upstreams are configured;
// without them NO_UPSTREAM stands in and such lookups are unreachable.

import type { ResourceRecord } from '../dns/types.js';

/**
 * What the upstream said about (name, qtype):
 * - `answer`: the records it returned (any CNAMEs first), with their TTLs;
 * - `nxdomain` / `nodata`: it answered, with nothing of that type;
 * - `unreachable`: no answer at all (timeout, SERVFAIL, no upstream).
 */
export type UpstreamResult =
  | { readonly kind: 'answer'; readonly records: readonly ResourceRecord[] }
  | { readonly kind: 'nxdomain' }
  | { readonly kind: 'nodata' }
  | { readonly kind: 'unreachable' };

export interface Upstream {
  /** `name` absolute without the trailing dot; never rejects. */
  lookup(name: string, qtype: number): Promise<UpstreamResult>;
}

/** The upstream of a server configured without one: always unreachable. */
export const NO_UPSTREAM: Upstream = {
  lookup: () => Promise.resolve({ kind: 'unreachable' }),
};
