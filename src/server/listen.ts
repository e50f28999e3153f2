// Binding UDP and TCP on one port, and bind failures a user can act on.

import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { DnsTcpServer } from './tcp-server.js';

export type Protocol = 'udp' | 'tcp';

/** A socket could not be bound; `message` says why and what to try. */
export class ListenError extends Error {
  override readonly name = 'ListenError';
  constructor(
    readonly code: 'EACCES' | 'EADDRINUSE' | 'EADDRNOTAVAIL' | string,
    readonly host: string,
    readonly port: number,
    readonly protocol: Protocol,
    options?: { cause?: unknown },
  ) {
    super(`cannot listen on ${formatHostPort(host, port)}/${protocol}: ${explain(code, host, port)}`, options);
  }
}

function explain(code: string, host: string, port: number): string {
  switch (code) {
    case 'EACCES':
      return port < 1024
        ? 'permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE); try --port 1053'
        : 'permission denied';
    case 'EADDRINUSE':
      return 'address already in use (another DNS server is running there? try another --port)';
    case 'EADDRNOTAVAIL':
      return `address not available (is ${host} an address of this machine? try --bind 127.0.0.1)`;
    default:
      return `error ${code}`;
  }
}

export function formatHostPort(host: string, port: number): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

function toListenError(err: unknown, host: string, port: number, protocol: Protocol): ListenError {
  const code = (err as { code?: unknown }).code;
  return new ListenError(typeof code === 'string' ? code : 'UNKNOWN', host, port, protocol, { cause: err });
}

interface BoundPair {
  /** A plain socket: index.ts reads its datagrams itself (the fast path). */
  readonly udp: UdpSocket;
  readonly tcp: DnsTcpServer;
  readonly port: number;
}

/**
 * The kernel's queue of datagrams waiting for us. Linux's default (about
 * 208 KiB, net.core.rmem_default) overflows within milliseconds under a
 * flood, and ordinary clients' queries are lost with the flooder's; a larger
 * queue rides out the event loop's pauses. The kernel caps it at
 * net.core.rmem_max without an error.
 */
export const UDP_RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

/** How often port 0 is retried when TCP finds the UDP-chosen port taken. */
const EPHEMERAL_ATTEMPTS = 8;

/** Bind UDP, then TCP on the same port. Port 0 picks a free port for both. */
export async function bindPair(host: string, port: number): Promise<BoundPair> {
  const { udp, tcp, port: chosen } = await bindWithTcp(host, port, async (udpPort) => {
    const udp = createUdpSocket(isIPv6(host) ? 6 : 4);
    await bindUdp(udp, host, udpPort);
    return { udp, port: udp.address().port, close: () => new Promise<void>((resolve) => udp.close(() => resolve())) };
  });
  return { udp, tcp, port: chosen };
}

/** UDP bound by `bindUdp` on `port` (0: it picks), and how to let it go. */
interface UdpBinding<U> {
  readonly udp: U;
  readonly port: number;
  close(): Promise<void>;
}

/** Bind UDP with `bindUdp`, then TCP on host and the same port. Port 0 picks a free port for both. */
export async function bindWithTcp<U>(
  host: string,
  port: number,
  bindUdp: (port: number) => Promise<UdpBinding<U>>,
): Promise<{ udp: U; tcp: DnsTcpServer; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const udp = await bindUdp(port);
    const tcp = new DnsTcpServer();
    try {
      await listenTcp(tcp, host, udp.port);
      return { udp: udp.udp, tcp, port: udp.port };
    } catch (err) {
      await udp.close();
      const busy = err instanceof ListenError && err.code === 'EADDRINUSE';
      if (port !== 0 || !busy || attempt >= EPHEMERAL_ATTEMPTS) throw err;
    }
  }
}

/** A UDP socket as the server reads it: a large receive queue, replies to IP literals without a lookup. */
export function createUdpSocket(family: 4 | 6): UdpSocket {
  return createSocket({ type: family === 6 ? 'udp6' : 'udp4', lookup: literalAddress(family), recvBufferSize: UDP_RECEIVE_BUFFER_BYTES });
}

/**
 * Replies go back to the address a datagram came from, always an IP literal:
 * answering it directly spares dns.lookup's deferred callback on every send.
 */
function literalAddress(family: 4 | 6) {
  return (
    address: string,
    _options: unknown,
    callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
  ): void => callback(null, address, family);
}

export function bindUdp(socket: UdpSocket, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      socket.off('listening', onListening);
      try {
        socket.close();
      } catch {
        // already closed by the failed bind
      }
      reject(toListenError(err, host, port, 'udp'));
    };
    const onListening = (): void => {
      socket.off('error', onError);
      resolve();
    };
    socket.once('error', onError);
    socket.once('listening', onListening);
    socket.bind(port, host);
  });
}

function listenTcp(server: DnsTcpServer, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      server.off('listening', onListening);
      reject(toListenError(err, host, port, 'tcp'));
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ port, host });
  });
}
