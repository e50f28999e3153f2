// UDP on a wildcard host (0.0.0.0, ::) when node:dgram reads it.
//
// A socket bound to a wildcard answers from whatever source address the
// kernel picks for the route back, which on a host with several addresses
// need not be the one the query was sent to; stub resolvers drop such
// replies. node:dgram cannot set a reply's source (no IP_PKTINFO), so here,
// as BIND does, there is one socket per local address instead, and each
// reply goes out through the socket its query came in on. The list follows
// the host's addresses: checked every ADDRESS_POLL_MS, and at once when a
// socket fails (its address went away). Addresses the kernel answers for
// without listing them (all of 127.0.0.0/8 beyond 127.0.0.1, "AnyIP" local
// routes) get no socket: bind one of them, or use the batched reader
// (--udp-io batch), which reads each datagram's destination instead.

import type { RemoteInfo, Socket as UdpSocket } from 'node:dgram';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import type { Logger } from 'pino';
import { bindUdp, createUdpSocket, formatHostPort, ListenError } from './listen.js';

/** How often the host's addresses are compared with the sockets bound. */
const ADDRESS_POLL_MS = 5000;

/** Whether `host` is a wildcard address (every address of the host, one family or both). */
export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

/** One address to bind: as the kernel wants it (link-local IPv6 with %interface) and its family. */
export interface LocalAddress {
  readonly bind: string;
  readonly family: 4 | 6;
}

/**
 * The host's addresses a wildcard `host` covers: IPv4 ones for 0.0.0.0,
 * IPv4 and IPv6 for :: (a dual-stack socket takes both).
 */
export function localAddresses(host: string, interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): LocalAddress[] {
  const found = new Map<string, LocalAddress>();
  for (const [name, infos] of Object.entries(interfaces)) {
    for (const info of infos ?? []) {
      if (info.family === 'IPv4') {
        found.set(info.address, { bind: info.address, family: 4 });
      } else if (host === '::') {
        // A link-local address names nothing without its interface.
        const bind = info.scopeid ? `${info.address}%${name}` : info.address;
        found.set(bind, { bind, family: 6 });
      }
    }
  }
  return [...found.values()];
}

type DatagramListener = (socket: UdpSocket, message: Buffer, rinfo: RemoteInfo) => void;

/**
 * One socket per local address on one port, standing in for a socket bound
 * to the wildcard `host`. `onMessage` gets each datagram with the socket it
 * came in on; a reply sent through that socket leaves from its address.
 */
export class UdpAddressSet {
  private readonly sockets = new Map<string, UdpSocket>();
  /** Addresses that could not be bound yet (an IPv6 address still in duplicate address detection), tried again on each check. */
  private readonly waiting = new Set<string>();
  private port = 0;
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private again = false;
  private closed = false;

  constructor(
    private readonly host: string,
    private readonly onMessage: DatagramListener,
    private readonly log: Logger,
    private readonly addresses: () => LocalAddress[] = () => localAddresses(host),
  ) {}

  /**
   * Bind every address on `port` (0: the first bind picks one for all).
   * Rejects with a ListenError when an address is taken or refused, as a
   * bind on the wildcard would; an address not yet usable is only logged
   * and tried again later. Resolves with the port.
   */
  async open(port: number): Promise<number> {
    this.port = port;
    for (const local of this.addresses()) await this.add(local, true);
    if (this.sockets.size === 0) {
      throw new ListenError('EADDRNOTAVAIL', this.host, port, 'udp');
    }
    this.timer = setInterval(() => void this.refresh(), ADDRESS_POLL_MS);
    this.timer.unref();
    return this.port;
  }

  /** The addresses with a socket, as bound. */
  get bound(): string[] {
    return [...this.sockets.keys()];
  }

  /** Bring the sockets in line with the host's addresses: bind new ones, close those gone. One check at a time. */
  refresh(): Promise<void> {
    if (this.refreshing) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.again = false;
        try {
          await this.sync();
        } catch (err) {
          this.log.error({ err }, 'cannot check the host addresses');
        }
      } while (this.again && !this.closed);
      this.refreshing = undefined;
    })();
    return this.refreshing;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    const sockets = [...this.sockets.values()];
    this.sockets.clear();
    await Promise.all(sockets.map(closeSocket));
  }

  private async sync(): Promise<void> {
    if (this.closed) return;
    const current = this.addresses();
    const wanted = new Set(current.map((local) => local.bind));
    for (const [address, socket] of this.sockets) {
      if (wanted.has(address)) continue;
      this.sockets.delete(address);
      this.log.info({ address, port: this.port }, 'address gone: UDP socket closed');
      await closeSocket(socket);
    }
    for (const address of this.waiting) if (!wanted.has(address)) this.waiting.delete(address);
    for (const local of current) {
      if (this.closed) return;
      if (!this.sockets.has(local.bind)) await this.add(local, false);
    }
  }

  /** Bind one address. At startup a taken or refused address is fatal; later it is logged and tried again. */
  private async add(local: LocalAddress, starting: boolean): Promise<void> {
    const socket = createUdpSocket(local.family);
    try {
      await bindUdp(socket, local.bind, this.port);
    } catch (err) {
      const code = err instanceof ListenError ? err.code : 'UNKNOWN';
      if (starting && code !== 'EADDRNOTAVAIL') throw err;
      if (!this.waiting.has(local.bind)) {
        this.waiting.add(local.bind);
        this.log.warn({ address: local.bind, port: this.port, err }, 'cannot listen on this address yet (UDP); trying again on the next check');
      }
      return;
    }
    if (this.closed) return void (await closeSocket(socket));
    if (this.port === 0) this.port = socket.address().port;
    this.waiting.delete(local.bind);
    this.sockets.set(local.bind, socket);
    socket.on('message', (message: Buffer, rinfo: RemoteInfo) => this.onMessage(socket, message, rinfo));
    // A send fails on a socket whose address went away: check the list now.
    socket.on('error', (err: Error) => {
      this.log.debug({ err, address: local.bind }, 'UDP socket error; checking the host addresses');
      void this.refresh();
    });
    const level = starting ? 'debug' : 'info';
    this.log[level]({ address: local.bind, port: this.port }, `UDP listening on ${formatHostPort(local.bind, this.port)}`);
  }
}

function closeSocket(socket: UdpSocket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve(); // already closed
    }
  });
}
