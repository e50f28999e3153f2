// A query as the responder sees it: decoded by the server adapter, no sockets.

export type Transport = 'udp' | 'tcp';

export interface Edns {
  /** The client's advertised UDP payload size (OPT class), as sent. */
  readonly udpSize: number;
  /** The DNSSEC OK bit. */
  readonly do: boolean;
  readonly version: number;
}

/** Who sent a query, as the socket saw it; only logging reads it. */
export interface Client {
  readonly address: string;
  readonly port: number;
  /** The request's size in bytes (the datagram, or the TCP message without its length prefix). */
  readonly size: number;
}

export interface Query {
  readonly id: number;
  readonly opcode: number;
  /** Recursion desired; copied to the response. */
  readonly rd: boolean;
  /** Checking disabled; copied to the response. */
  readonly cd: boolean;
  /**
   * The question name exactly as the client wrote it (case kept), no trailing
   * dot; root is ''. One character per byte; a '.' or '\' inside a label is
   * escaped as `\.` or `\\` (src/dns/escape.ts).
   */
  readonly name: string;
  readonly qtype: number;
  readonly qclass: number;
  /** Present when the query carried an OPT record. */
  readonly edns?: Edns;
  readonly transport: Transport;
  /** Absent for queries that did not come off a socket (tests, `clusterdns query`). */
  readonly client?: Client;
}

/** The UDP payload size we offer when we ask (upstream lookups); the DNS flag day 2020 value. */
export const MAX_UDP_PAYLOAD = 1232;
/** The limit for a UDP client that sent no OPT record (RFC 1035 §4.2.1). */
export const CLASSIC_UDP_PAYLOAD = 512;
export const MAX_TCP_MESSAGE = 65535;

/**
 * How many bytes a response to this query may take: over UDP the size the
 * client offered, at least 512, with no cap of our own (CoreDNS and
 * miekg/dns Msg.Truncate do the same; docs/behaviour.md#coredns-corners).
 */
export function responseLimit(query: Query): number {
  if (query.transport === 'tcp') return MAX_TCP_MESSAGE;
  if (!query.edns) return CLASSIC_UDP_PAYLOAD;
  return Math.max(query.edns.udpSize, CLASSIC_UDP_PAYLOAD);
}
