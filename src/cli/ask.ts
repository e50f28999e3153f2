// The two ways `query` gets an answer: offline from the record index (the
// real responder, no upstream), or from a running server (UDP, then TCP on TC).

import dgram from 'node:dgram';
import net, { isIP } from 'node:net';
import { randomInt } from 'node:crypto';
import { createResponder } from '../resolve/responder.js';
import type { Query } from '../dns/query.js';
import type { RecordIndex } from '../records/types.js';
import { RRClass } from '../dns/types.js';
import { normalizeName } from '../dns/names.js';
import { absolute } from '../dns/zonetext.js';
import { encodeQuery } from './dig-format.js';

export interface OfflineAnswer {
  readonly message: Buffer;
  /** Why the answer is not what a server with an upstream would give, when it is not. */
  readonly notes: readonly string[];
}

/** Answer `name`/`qtype` exactly as `serve --upstream none` would, over TCP (never truncated). */
export async function answerOffline(index: RecordIndex, name: string, qtype: number): Promise<OfflineAnswer> {
  const query: Query = { id: 0, opcode: 0, rd: true, cd: false, name, qtype, qclass: RRClass.IN, transport: 'tcp' };
  const lookup = index.lookup(normalizeName(name), qtype);
  const notes: string[] = [];
  if (lookup.kind === 'not-ours') {
    notes.push(
      `${absolute(name)} is outside ${index.zone}.: a running server forwards it upstream; offline there is no upstream, so REFUSED`,
    );
  } else if (lookup.kind === 'external' && lookup.hostnames) {
    notes.push(`the clusterdns.io/address host ${absolute(lookup.target)} is resolved upstream: offline the upstream is not asked`);
  } else if (lookup.kind === 'external') {
    notes.push(`the ExternalName target ${absolute(lookup.target)} is outside the cluster: offline the upstream is not asked`);
  }
  const message = await createResponder({ index: () => index }).respond(query);
  return { message, notes };
}

export interface ServerAddress {
  readonly host: string;
  readonly port: number;
}

/** `ADDR`, `ADDR:PORT` or `[IPv6]:PORT`; port 53 when absent. Undefined when malformed. */
export function parseServerAddress(text: string): ServerAddress | undefined {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const plain = /^([^:]+)(?::(\d+))?$/.exec(text);
  const [host, port] = bracketed ? [bracketed[1], bracketed[2]] : plain ? [plain[1], plain[2]] : isIP(text) === 6 ? [text, undefined] : [];
  if (host === undefined || isIP(host) === 0) return undefined;
  const number = port === undefined ? 53 : Number(port);
  if (!Number.isInteger(number) || number < 1 || number > 65535) return undefined;
  return { host, port: number };
}

export const SERVER_TIMEOUT_MS = 2000;

/**
 * Ask a running server as a stub resolver does: one UDP try, and over TCP
 * when the answer comes back truncated (TC). Resolves to the response, or
 * an Error saying why none came (timeout, refused connection, ...).
 */
export async function askServer(
  server: ServerAddress,
  name: string,
  qtype: number,
  timeoutMs = SERVER_TIMEOUT_MS,
): Promise<Buffer | Error> {
  const id = randomInt(0, 0x10000);
  const query = encodeQuery(id, name, qtype);
  const udp = await askUdp(server, query, timeoutMs);
  if (udp instanceof Error || !truncated(udp)) return udp;
  return askTcp(server, query, timeoutMs);
}

function truncated(message: Buffer): boolean {
  return ((message[2] ?? 0) & 0x02) !== 0;
}

/** Only the answer to our own question counts, as for dig: same ID and a response. */
function answersQuery(message: Buffer, query: Buffer): boolean {
  return message.length >= 12 && message.readUInt16BE(0) === query.readUInt16BE(0) && ((message[2] ?? 0) & 0x80) !== 0;
}

function askUdp(server: ServerAddress, query: Buffer, timeoutMs: number): Promise<Buffer | Error> {
  const socket = dgram.createSocket(isIP(server.host) === 6 ? 'udp6' : 'udp4');
  let timer: NodeJS.Timeout | undefined;
  return new Promise<Buffer | Error>((resolve) => {
    timer = setTimeout(() => resolve(new Error(`no answer from ${formatServer(server)} over UDP within ${timeoutMs / 1000} s`)), timeoutMs);
    socket.on('error', (error) => resolve(new Error(`${formatServer(server)} (UDP): ${error.message}`)));
    socket.on('message', (message) => {
      if (answersQuery(message, query)) resolve(message);
    });
    socket.send(query, server.port, server.host);
  }).finally(() => {
    clearTimeout(timer);
    socket.close();
  });
}

function askTcp(server: ServerAddress, query: Buffer, timeoutMs: number): Promise<Buffer | Error> {
  const socket = net.connect({ host: server.host, port: server.port });
  let timer: NodeJS.Timeout | undefined;
  let received = Buffer.alloc(0);
  return new Promise<Buffer | Error>((resolve) => {
    timer = setTimeout(() => resolve(new Error(`no answer from ${formatServer(server)} over TCP within ${timeoutMs / 1000} s`)), timeoutMs);
    socket.on('error', (error) => resolve(new Error(`${formatServer(server)} (TCP): ${error.message}`)));
    socket.on('close', () => resolve(new Error(`${formatServer(server)} closed the TCP connection without an answer`)));
    socket.on('connect', () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(query.length);
      socket.write(Buffer.concat([length, query]));
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 2) return;
      const size = received.readUInt16BE(0);
      if (received.length < 2 + size) return;
      const message = received.subarray(2, 2 + size);
      resolve(answersQuery(message, query) ? message : new Error(`${formatServer(server)} answered another question over TCP`));
    });
  }).finally(() => {
    clearTimeout(timer);
    socket.destroy();
  });
}

export function formatServer(server: ServerAddress): string {
  return server.host.includes(':') ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`;
}
