// The DNS server: UDP and TCP on one port via dns2, every packet through the
// guards in adapter.ts before the handler sees it.

import type { Socket } from 'node:net';
import type { Packet } from 'dns2';
import type { Logger } from 'pino';
import type { AddressInfo } from 'node:net';
import type { Client, Transport } from '../resolve/query.js';
import { respond, type QueryHandler } from './adapter.js';
import { bindPair, formatHostPort } from './listen.js';

export type { QueryHandler } from './adapter.js';
export { ListenError } from './listen.js';

export interface DnsServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface DnsServerOptions {
  readonly host: string;
  /** 0 picks a free port (the same for UDP and TCP). */
  readonly port: number;
  readonly handler: QueryHandler;
  readonly logger: Logger;
  /**
   * Attach the client's address, port and request size to each query (for
   * the query log). Off by default: over TCP the size costs a re-encode.
   */
  readonly identifyClients?: boolean;
}

type Send = (response: Buffer) => Promise<unknown> | unknown;

/** Bind UDP and TCP on host:port and serve. Rejects with a ListenError when a bind fails. */
export async function startDnsServer(options: DnsServerOptions): Promise<DnsServer> {
  const log = options.logger; // already scoped by the caller (child({ module }))
  const { udp, tcp, port } = await bindPair(options.host, options.port);
  const connections = new Set<Socket>();

  const identify = options.identifyClients === true;
  const serve = (transport: Transport) => (packet: Packet, send: Send, peer: unknown): void => {
    const client = identify ? identifyClient(packet, transport, peer) : undefined;
    void serveOne(packet, send, transport, options.handler, log, client);
  };
  udp.on('request', serve('udp'));
  tcp.on('request', serve('tcp'));
  // Socket errors after binding must never crash the process.
  udp.on('error', (err: Error) => log.error({ err }, 'UDP socket error'));
  tcp.on('error', (err: Error) => log.error({ err }, 'TCP server error'));
  // Unparseable messages (shorter than a header, bad TCP framing): nothing to answer.
  udp.on('requestError', (err: Error) => log.debug({ err, transport: 'udp' }, 'undecodable message'));
  tcp.on('requestError', (err: Error) => log.debug({ err, transport: 'tcp' }, 'undecodable message'));
  tcp.on('connection', (socket: Socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
  });
  log.debug({ address: formatHostPort(options.host, port) }, 'DNS server listening (udp+tcp)');

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= Promise.all([
      new Promise<void>((resolve) => udp.close(() => resolve())),
      new Promise<void>((resolve) => {
        tcp.close(() => resolve());
        for (const socket of connections) socket.destroy();
      }),
    ]).then(() => undefined);
    return closing;
  };
  return { host: options.host, port, close };
}

async function serveOne(
  packet: Packet,
  send: Send,
  transport: Transport,
  handler: QueryHandler,
  log: Logger,
  client: Client | undefined,
): Promise<void> {
  try {
    const response = await respond(packet, transport, handler, log, client);
    if (response) await send(response);
  } catch (err) {
    // send() failures (client gone, socket closed): nothing else to do.
    log.debug({ err, transport }, 'cannot send response');
  }
}

/**
 * dns2 passes the UDP rinfo (which carries the datagram size) or the TCP
 * socket as the third argument of 'request'. TCP frames are not kept, so
 * their size is that of the message re-encoded, which is what was sent
 * unless the client compressed differently.
 */
function identifyClient(packet: Packet, transport: Transport, peer: unknown): Client | undefined {
  if (transport === 'udp') {
    const rinfo = peer as (AddressInfo & { size?: number }) | undefined;
    if (!rinfo) return undefined;
    return { address: rinfo.address, port: rinfo.port, size: rinfo.size ?? 0 };
  }
  const socket = peer as Socket | undefined;
  if (!socket) return undefined;
  let size = 0;
  try {
    size = packet.toBuffer().length;
  } catch {
    // Not re-encodable: log the size as 0 rather than fail the query.
  }
  return { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0, size };
}
