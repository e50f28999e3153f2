// Forwarding loop detection, like CoreDNS's `loop` plugin.
//
// An upstream that is this server (directly, or by forwarding back to it)
// would bounce every forwarded query until it times out. At start-up,
// check() sends one probe per upstream, `<token>-<i>.clusterdns-loop-check.`
// HINFO, while our own server is listening; the server calls isLoopProbe()
// for every name it is about to forward, and a probe that comes back marks
// upstream <i> as a loop. The server must answer a probe itself (NXDOMAIN)
// and never forward it, so a probe cannot circle.
// An upstream whose address and port are our own listen address is reported
// without sending anything.

import { randomBytes } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import ipaddr from 'ipaddr.js';
import { normalizeHost } from './address.js';
import { asciiLower } from '../dns/index.js';
import { buildUpstreamQuery } from './relay-message.js';
import { UdpClient } from './transport.js';
import type { UpstreamAddress } from './types.js';

export const LOOP_PROBE_ZONE = 'clusterdns-loop-check';
const HINFO = 13;
const HYPHEN = 0x2d;

export interface LoopDetector {
  /** Our probes' names share this prefix: `<token>-<i>.clusterdns-loop-check`. */
  readonly token: string;
  /**
   * True for one of our own probes coming back (the loop closed): the server
   * answers it NXDOMAIN instead of forwarding it again, and the sighting is
   * recorded. Another instance's probes are forwarded like any name, so that
   * in a ring of servers each probe makes it back to its sender.
   */
  isLoopProbe(name: string): boolean;
  /** The first upstream that is (or leads back to) this server, or undefined. */
  check(
    upstreams: readonly UpstreamAddress[],
    self: UpstreamAddress,
    timeoutMs: number,
  ): Promise<UpstreamAddress | undefined>;
}

export function createLoopDetector(): LoopDetector {
  const token = randomBytes(6).toString('hex');
  const seen = new Set<number>();
  const shortestProbe = `${token}-0.${LOOP_PROBE_ZONE}`.length;
  const ourProbe = new RegExp(`^${token}-(\\d+)\\.${LOOP_PROBE_ZONE}$`);
  return {
    token,
    isLoopProbe(name) {
      // Asked for every forwarded query: rule most names out without allocating.
      if (name.length < shortestProbe || name.charCodeAt(token.length) !== HYPHEN) return false;
      const lower = asciiLower(name.replace(/\.$/, ''));
      if (!lower.endsWith(`.${LOOP_PROBE_ZONE}`)) return false;
      const ours = ourProbe.exec(lower);
      if (!ours) return false;
      seen.add(Number(ours[1]));
      return true;
    },
    async check(upstreams, self, timeoutMs) {
      const direct = upstreams.find((upstream) => isSelf(upstream, self));
      if (direct) return direct;
      const client = new UdpClient(() => undefined);
      try {
        await Promise.all(upstreams.map((upstream, i) => probe(client, upstream, `${token}-${i}.${LOOP_PROBE_ZONE}`, timeoutMs)));
      } finally {
        await client.close();
      }
      return upstreams.find((_, i) => seen.has(i));
    },
  };
}

/**
 * The loop check in one call. Without a detector wired into the server only
 * the address comparison can be made.
 */
export async function detectLoop(
  upstreams: readonly UpstreamAddress[],
  self: UpstreamAddress,
  timeoutMs: number,
  detector?: LoopDetector,
): Promise<UpstreamAddress | undefined> {
  if (detector) return detector.check(upstreams, self, timeoutMs);
  return upstreams.find((upstream) => isSelf(upstream, self));
}

async function probe(client: UdpClient, upstream: UpstreamAddress, name: string, timeoutMs: number): Promise<void> {
  const query = { id: 0, opcode: 0, rd: true, cd: false, name, qtype: HINFO, qclass: 1, transport: 'udp' } as const;
  await client.exchange(upstream, (id) => buildUpstreamQuery({ ...query, id }, id), {
    opcode: 0, question: { name, type: HINFO, class: 1 },
  }, timeoutMs);
}

/**
 * Docker's embedded DNS. In a container on a user-defined network resolv.conf
 * names 127.0.0.11, and the container's own NAT rules send port 53 there to
 * dockerd's resolver: listening on 0.0.0.0:53 in that container does not make
 * it ours. It is the upstream that resolves the other containers' names.
 */
const DOCKER_EMBEDDED_DNS = '127.0.0.11';

/**
 * Whether queries sent to `upstream` reach this server by address alone —
 * the one test shared by the --upstream check, the resolv.conf filter and the
 * startup loop check. Same port, and our exact listen address; or, when we
 * listen on every address, an address of one of our interfaces or any other
 * loopback address (the kernel delivers 127.0.0.0/8 to a 0.0.0.0 socket) —
 * except Docker's embedded DNS, which is NATed away from us. Anything this
 * says is not us is still probed at startup (check()), so a loop through
 * 127.0.0.11 outside Docker, or through a resolver that relays back to us,
 * is still caught.
 */
export function isSelf(upstream: UpstreamAddress, self: UpstreamAddress): boolean {
  if (upstream.port !== self.port) return false;
  const selfHost = normalizeHost(self.host) ?? self.host;
  if (upstream.host === selfHost) return true;
  if (selfHost !== '0.0.0.0' && selfHost !== '::') return false;
  if (upstream.host === DOCKER_EMBEDDED_DNS) return false;
  return isLocalAddress(upstream.host);
}

function isLocalAddress(host: string): boolean {
  const parsed = ipaddr.process(host);
  if (parsed.range() === 'loopback') return true;
  const local = Object.values(networkInterfaces()).flatMap((list) => list ?? []);
  return local.some((info) => normalizeHost(info.address.replace(/%.*$/, '')) === parsed.toString());
}
