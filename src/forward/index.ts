// The forwarder and cache: relays names outside the cluster zones to the
// configured upstreams (issue 3). See forwarder.ts for the query path.

export { createForwarder, FORWARD_DEFAULTS } from './forwarder.js';
export { CACHE_DEFAULTS } from './cache.js';
export { parseUpstream, parseStubDomain, readResolvConf, parseResolvConf, endpointKey, DNS_PORT } from './address.js';
export { createLoopDetector, detectLoop, isSelf, LOOP_PROBE_ZONE, type LoopDetector } from './loop.js';
export type {
  CacheOptions, Forwarder, ForwarderOptions, ForwarderStats, Policy, StubDomain, UpstreamAddress,
  UpstreamCounters, UpstreamResult,
} from './types.js';
export { createForwarding, forwardingEnabled, resolveUpstreams, UpstreamConfigError, type Forwarding } from './setup.js';
