// The DNS server: UDP and TCP on one port. Every request goes through
// serveRequest() — the one place where the client is known before anything is
// answered — and then either the UDP fast path (scan.ts: plain queries, no
// dns2 decode) or the guards in adapter.ts over a dns2 Packet.

import type { Socket } from 'node:net';
import type { RemoteInfo } from 'node:dgram';
import { Packet } from 'dns2';
import type { Logger } from 'pino';
import type { Client, Query, Transport } from '../resolve/query.js';
import { answer, respond, type QueryHandler } from './adapter.js';
import { bindPair, formatHostPort } from './listen.js';
import { scanQuery } from './scan.js';
import { RRType } from '../dns/types.js';
import type { TcpSend } from './tcp-server.js';
import { refusedReply, RequestGate, slipReply, type ServerGuardOptions } from './guards.js';

export type { QueryHandler } from './adapter.js';
export { ListenError } from './listen.js';

export interface DnsServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
  /** Stop listening for TCP connections and ignore new requests; those in flight still get answers. */
  stopAccepting(): void;
  /** Requests taken and not yet answered. */
  readonly inFlight: number;
  /** Resolves true once nothing is in flight, false when `timeoutMs` passes first. */
  idle(timeoutMs: number): Promise<boolean>;
  /** The caps' and rate limit's counters (tests, load runs). */
  readonly gate: RequestGate;
}

export interface DnsServerOptions {
  readonly host: string;
  /** 0 picks a free port (the same for UDP and TCP). */
  readonly port: number;
  readonly handler: QueryHandler;
  readonly logger: Logger;
  /** Attach the client's address, port and request size to each query (for the query log). */
  readonly identifyClients?: boolean;
  /** Attach address, port and size to every query: the --allow check reads them. */
  readonly clientAddresses?: boolean;
  /** TCP caps and the UDP rate limit; defaults: TCP_DEFAULTS, no rate limit. */
  readonly guard?: ServerGuardOptions;
}

type Send = (response: Buffer) => Promise<unknown> | unknown;

/**
 * One request off a socket: scanned by the UDP fast path (a Query, with
 * `client` attached when clients are identified), or decoded by dns2.
 */
type Incoming =
  | { readonly query: Query; readonly packet?: undefined; readonly raw?: undefined }
  /** `raw`: the message as received, from which the question name is read. */
  | { readonly query?: undefined; readonly packet: Packet; readonly raw: Buffer };

/** Bind UDP and TCP on host:port and serve. Rejects with a ListenError when a bind fails. */
export async function startDnsServer(options: DnsServerOptions): Promise<DnsServer> {
  const log = options.logger; // already scoped by the caller (child({ module }))
  const { udp, tcp, port } = await bindPair(options.host, options.port);
  const connections = new Set<Socket>();
  const identify = options.identifyClients === true || options.clientAddresses === true;
  const handler = options.handler;
  const gate = new RequestGate(options.guard ?? {}, log);

  /**
   * Every request passes here, UDP fast path and dns2 path alike, with the
   * peer known (address, port and the request's size in bytes).
   * The place for per-client policy before any answering; only the UDP rate
   * limit comes earlier, before a datagram is even read.
   */
  function serveRequest(incoming: Incoming, transport: Transport, peer: Client, send: Send, done?: () => void): void {
    if (!gate.accepting) return done?.(); // stopping: only what is in flight is answered
    gate.begin();
    const finish = (response: Buffer | undefined): void => {
      if (response) sendSafely(send, response, transport, log);
      gate.end();
      done?.();
    };
    if (incoming.query) {
      const reply = answer(incoming.query, handler, log);
      if (Buffer.isBuffer(reply)) finish(reply);
      else void reply.then(finish);
      return;
    }
    const client = identify ? { address: peer.address, port: peer.port, size: peer.size } : undefined;
    void respond(incoming.packet, transport, handler, log, client, incoming.raw).then(finish);
  }

  udp.on('message', (message: Buffer, rinfo: RemoteInfo) => {
    // The rate limit before anything else: a flooder's dropped datagram costs
    // one table lookup, not a scan, so the socket's queue keeps draining and
    // ordinary clients' queries are not lost behind the flood.
    const verdict = gate.rateLimit(rinfo.address);
    if (verdict === 'drop') return;
    const incoming = readDatagram(message, identify ? { address: rinfo.address, port: rinfo.port, size: rinfo.size } : undefined, log);
    if (incoming === undefined) return;
    const send = (response: Buffer): void => udp.send(fitUdp(response, incoming), rinfo.port, rinfo.address);
    if (verdict === 'slip') {
      if (gate.accepting) sendSafely(send, slipReply(incoming), 'udp', log);
      return;
    }
    serveRequest(incoming, 'udp', rinfo, send);
  });
  tcp.on('request', (packet: Packet, send: TcpSend, socket: Socket | undefined, raw: Buffer) => {
    const peer: Client = {
      address: socket?.remoteAddress ?? '',
      port: socket?.remotePort ?? 0,
      size: raw.length,
    };
    if (socket && !gate.tcp.admit(socket)) return sendSafely(send, refusedReply({ packet }), 'tcp', log);
    // A message left without a reply (QR=1, stopping) must still count as
    // answered in dns2, or a half-closed connection stays open until idle.
    let replied = false;
    const reply = (response: Buffer): void => {
      replied = true;
      send(response);
    };
    serveRequest({ packet, raw }, 'tcp', peer, reply, () => {
      if (socket) gate.tcp.release(socket);
      if (!replied) send(undefined);
    });
  });
  // Socket errors after binding must never crash the process. UDP sends take
  // no callback (a callback costs a deferred tick per answer): their rare
  // failures arrive here.
  udp.on('error', (err: Error) => log.error({ err }, 'UDP socket error'));
  tcp.on('error', (err: Error) => log.error({ err }, 'TCP server error'));
  // Bad TCP framing: nothing to answer.
  tcp.on('requestError', (err: Error) => log.debug({ err, transport: 'tcp' }, 'undecodable message'));
  tcp.on('connection', (socket: Socket) => {
    if (!gate.accepting || !gate.tcp.accept(socket)) return void socket.destroy();
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
  return {
    host: options.host,
    port,
    close,
    stopAccepting() {
      gate.stopAccepting();
      tcp.close(); // existing connections stay until close()
    },
    get inFlight() {
      return gate.inFlight;
    },
    idle: (timeoutMs) => gate.idle(timeoutMs),
    gate,
  };
}

/** A datagram as the fast path's Query, or decoded by dns2; undefined when shorter than a header. */
function readDatagram(message: Buffer, client: Client | undefined, log: Logger): Incoming | undefined {
  const query = scanQuery(message, client);
  if (query) return { query };
  try {
    return { packet: Packet.parse(message), raw: message };
  } catch (err) {
    log.debug({ err, transport: 'udp' }, 'undecodable message');
    return undefined;
  }
}

/** Send without a promise when the transport is synchronous (UDP); failures are only logged. */
function sendSafely(send: Send, response: Buffer, transport: Transport, log: Logger): void {
  try {
    const sent = send(response);
    if (sent instanceof Promise) sent.catch((err: unknown) => sendFailed(err, transport, log));
  } catch (err) {
    sendFailed(err, transport, log);
  }
}

function sendFailed(err: unknown, transport: Transport, log: Logger): void {
  // Client gone, socket closed: nothing else to do.
  log.debug({ err, transport }, 'cannot send response');
}

/**
 * The last guard dns2's UDP server kept: a response larger than the client's
 * buffer (its OPT size, at least 512) is cut there with TC set. Responses we
 * build already fit; this only protects against a handler that does not.
 * The size comes from what was already read, never from a second decode:
 * large answers (a headless service's 100 addresses) are common.
 */
function fitUdp(response: Buffer, request: Incoming): Buffer {
  if (response.length <= 512) return response;
  const limit = Math.max(advertisedPayload(request), 512);
  if (response.length <= limit) return response;
  const cut = Buffer.from(response.subarray(0, limit));
  if (cut.length >= 3) cut[2] = (cut[2] as number) | 0x02;
  return cut;
}

function advertisedPayload(request: Incoming): number {
  if (request.query) return request.query.edns?.udpSize ?? 0;
  return request.packet.additionals.find((record) => record.type === RRType.OPT)?.class ?? 0;
}
