// Composition of forwarding: which upstreams, the forwarder over them, the
// --allow check and the loop check — what the composition root builds from
// the settings below.

import type { Logger } from '../log.js';
import { createForwarder } from './forwarder.js';
import { createLoopDetector, isSelf, type LoopDetector } from './loop.js';
import { endpointKey, readResolvConf } from './address.js';
import type { Forwarder, Policy, StubDomain, UpstreamAddress } from './types.js';
import { RCode } from '../dns/types.js';
import { writeEmptyResponse } from '../dns/wire.js';
import type { Query } from '../dns/query.js';
import { forwardingAcl } from '../guard/acl.js';
import { BurstLog } from '../burst-log.js';

/** The settings forwarding reads (the Config has them all, under these names). */
interface ForwardingSettings {
  /** Our own listen address: never an upstream. */
  readonly bind: string;
  readonly port: number;
  /** Explicit upstreams, or the nameservers of `resolvConf`. */
  readonly upstreams: readonly UpstreamAddress[] | 'resolv-conf';
  readonly resolvConf: string;
  readonly stubDomains: readonly StubDomain[];
  readonly policy: Policy;
  readonly upstreamTimeoutMs: number;
  readonly forwardMaxInFlight: number;
  readonly upstream0x20: boolean;
  readonly cache: { readonly maxEntries: number; readonly maxTtl: number } | false;
  /** Clients whose names outside the cluster are forwarded (--allow). */
  readonly allow: readonly string[];
}

/** A problem with the upstreams that makes starting pointless. */
export class UpstreamConfigError extends Error {}

/**
 * The upstreams to use: the explicit ones, or the nameservers of resolv.conf.
 * Never our own listen address: an explicit one is refused (a forwarding
 * loop); one found in resolv.conf is dropped with a warning, since a machine
 * that uses clusterdns as its resolver lists it there.
 */
export async function resolveUpstreams(settings: ForwardingSettings, logger: Logger): Promise<UpstreamAddress[]> {
  const self = { host: settings.bind, port: settings.port };
  if (settings.upstreams !== 'resolv-conf') {
    const loop = settings.upstreams.find((upstream) => isSelf(upstream, self));
    if (loop) {
      throw new UpstreamConfigError(
        `--upstream ${endpointKey(loop)} is this server's own address: forwarding there would loop. ` +
          'Name the real upstream DNS server, or --upstream none.',
      );
    }
    return [...settings.upstreams];
  }
  let found: UpstreamAddress[];
  try {
    found = await readResolvConf(settings.resolvConf);
  } catch (error) {
    logger.warn(
      { err: error, file: settings.resolvConf },
      `cannot read ${settings.resolvConf}: no upstream, so names outside the cluster get REFUSED (use --upstream ADDR)`,
    );
    return [];
  }
  const usable = found.filter((upstream) => !isSelf(upstream, self));
  for (const dropped of found.filter((upstream) => isSelf(upstream, self))) {
    logger.warn(`ignoring nameserver ${endpointKey(dropped)} from ${settings.resolvConf}: it is this server (a forwarding loop)`);
  }
  if (usable.length === 0) {
    logger.warn(`${settings.resolvConf} names no usable nameserver: names outside the cluster get REFUSED (use --upstream ADDR)`);
  }
  return usable;
}

export interface Forwarding {
  readonly forwarder: Forwarder;
  readonly upstreams: readonly UpstreamAddress[];
  /** Set when forward() checks the client against --allow: the server must attach every query's address. */
  readonly clientsChecked?: boolean;
  /** Queries answered REFUSED because the client is outside --allow (metrics). */
  readonly refusedOutsideAllow: number;
  /**
   * Relays a query we are not authoritative for; answers our own loop probes
   * NXDOMAIN. Synchronous when the answer is known at once (cache hit, refusal).
   */
  forward(query: Query): Buffer | Promise<Buffer>;
  /**
   * Like CoreDNS's `loop` plugin: send a probe name through every upstream
   * and report the one that brings it back to us.
   */
  checkLoop(self: UpstreamAddress): Promise<UpstreamAddress | undefined>;
  close(): Promise<void>;
}

/** Forwarding is on when there is somewhere to forward to. */
export function forwardingEnabled(settings: ForwardingSettings, upstreams: readonly UpstreamAddress[]): boolean {
  return upstreams.length > 0 || settings.stubDomains.length > 0;
}

function underStubDomain(name: string, settings: ForwardingSettings): boolean {
  const lower = name.toLowerCase().replace(/\.$/, '');
  return settings.stubDomains.some((stub) => lower === stub.suffix || lower.endsWith(`.${stub.suffix}`));
}

export function createForwarding(settings: ForwardingSettings, upstreams: readonly UpstreamAddress[], logger: Logger): Forwarding {
  const forwarder = createForwarder({
    upstreams,
    stubDomains: settings.stubDomains,
    policy: settings.policy,
    timeoutMs: settings.upstreamTimeoutMs,
    maxInFlight: settings.forwardMaxInFlight,
    randomizeCase: settings.upstream0x20,
    cache: settings.cache === false ? false : { maxEntries: settings.cache.maxEntries, maxTtl: settings.cache.maxTtl },
    logger, // the forwarder names itself: child({ module: 'forward' })
  });
  const detector: LoopDetector = createLoopDetector();
  const acl = forwardingAcl(settings.bind, settings.allow);
  const refusals = new BurstLog(logger.child({ module: 'guard' }));
  let refusedOutsideAllow = 0;
  return {
    forwarder,
    upstreams,
    ...(acl ? { clientsChecked: true } : {}),
    get refusedOutsideAllow() {
      return refusedOutsideAllow;
    },
    forward(query) {
      // Not an open resolver: names outside the cluster only for --allow clients.
      if (acl && query.client && !acl.allows(query.client.address)) {
        refusedOutsideAllow++;
        refusals.event('acl', { client: query.client.address },
          'not forwarding for a client outside --allow: answered REFUSED; counting further refusals for 10 s');
        return writeEmptyResponse(query, { rcode: RCode.REFUSED });
      }
      if (detector.isLoopProbe(query.name)) return writeEmptyResponse(query, { rcode: RCode.NXDOMAIN });
      // Only stub domains configured: everything else is as with no upstream.
      if (upstreams.length === 0 && !underStubDomain(query.name, settings)) {
        return writeEmptyResponse(query, { rcode: RCode.REFUSED });
      }
      return forwarder.forward(query);
    },
    checkLoop: (self) => detector.check(upstreams, self, settings.upstreamTimeoutMs),
    close: () => forwarder.close(),
  };
}
