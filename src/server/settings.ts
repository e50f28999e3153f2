// The DNS server's settings: where it listens, how UDP is read, the TCP caps,
// worker processes and the shutdown grace; their defaults and validator.

import { isIP } from 'node:net';
import { at, integerIn, oneOf, problem, show, type Problems } from '../settings.js';
import { TCP_DEFAULTS, type TcpLimits } from './tcp-limits.js';

const UDP_IO_MODES = ['auto', 'batch', 'dgram'] as const;
export type UdpIo = (typeof UDP_IO_MODES)[number];

export interface ServerSettings {
  readonly bind: string;
  readonly port: number;
  /** DNS-over-TCP caps (--tcp-*). */
  readonly tcp: TcpLimits;
  /** How long a first SIGTERM/SIGINT waits for queries in flight (--shutdown-grace). */
  readonly shutdownGraceMs: number;
  /** Processes answering on the port (--workers), each with its own copy of the cluster; 1 = this process only. */
  readonly workers: number;
  /**
   * How UDP datagrams are read and answered (--udp-io): `batch` reads and
   * sends up to 64 at a time with recvmmsg/sendmmsg (src/native, Linux, built
   * at install), `dgram` one at a time with node:dgram, `auto` batch when
   * the native module is built, else dgram.
   */
  readonly udpIo: UdpIo;
}

export type ServerField = 'bind' | 'port' | 'shutdownGraceMs' | 'workers' | 'udpIo' | `tcp.${keyof TcpLimits}`;

export const SERVER_DEFAULTS: ServerSettings = {
  bind: '127.0.0.1',
  port: 53,
  tcp: TCP_DEFAULTS,
  shutdownGraceMs: 1000,
  workers: 1,
  udpIo: 'auto',
};

/** What a user may give: strings where flags give strings; `tcp` as any of its fields (the rest default). */
export type RawServerSettings = { [K in Exclude<keyof ServerSettings, 'tcp'>]?: unknown } & {
  tcp?: { readonly [K in keyof TcpLimits]?: unknown } | null;
};

export function validateServer(raw: RawServerSettings, problems: Problems<ServerField>): ServerSettings {
  const port = integerIn('port', raw.port ?? SERVER_DEFAULTS.port, 0, 65535, '', problems);
  const bind = String(raw.bind ?? SERVER_DEFAULTS.bind);
  // isIP, not ipaddr.isValid: that accepts inet_aton shorthand (1.2.3), which cannot be bound.
  if (isIP(bind) === 0) {
    problems.push(problem`${at('bind')} must be an IPv4 or IPv6 address (e.g. 127.0.0.1, 0.0.0.0, ::1) or a host name such as localhost, got ${show(raw.bind)}`);
  }
  return {
    bind,
    port,
    tcp: validateTcp(raw, problems),
    shutdownGraceMs: integerIn('shutdownGraceMs', raw.shutdownGraceMs ?? SERVER_DEFAULTS.shutdownGraceMs, 0, 60_000, 'milliseconds', problems),
    workers: integerIn('workers', raw.workers ?? SERVER_DEFAULTS.workers, 1, 64, 'processes', problems),
    udpIo: oneOf('udpIo', raw.udpIo ?? SERVER_DEFAULTS.udpIo, UDP_IO_MODES, problems),
  };
}

function validateTcp(raw: RawServerSettings, problems: Problems<ServerField>): TcpLimits {
  const given = typeof raw.tcp === 'object' && raw.tcp !== null ? raw.tcp : {};
  const pick = (key: keyof TcpLimits): unknown => given[key] ?? TCP_DEFAULTS[key];
  return {
    maxConnections: integerIn('tcp.maxConnections', pick('maxConnections'), 1, 1_000_000, 'connections', problems),
    maxPerClient: integerIn('tcp.maxPerClient', pick('maxPerClient'), 1, 1_000_000, 'connections', problems),
    idleTimeoutMs: integerIn('tcp.idleTimeoutMs', pick('idleTimeoutMs'), 100, 600_000, 'milliseconds', problems),
    maxInFlight: integerIn('tcp.maxInFlight', pick('maxInFlight'), 1, 65_535, 'queries per connection', problems),
    maxMessageBytes: integerIn('tcp.maxMessageBytes', pick('maxMessageBytes'), 12, 65_535, 'bytes', problems),
    // No flag: pipelined queries past tcp.maxInFlight wait in up to this many bytes, then reading stops.
    maxQueuedBytes: integerIn('tcp.maxQueuedBytes', pick('maxQueuedBytes'), 512, 16_777_216, 'bytes', problems),
  };
}
