// The one catch-all between the sockets and the handler (CoreDNS's recover
// guard in core/dnsserver/server.go): every request gets at most one reply,
// nothing a client sends and nothing the handler throws can crash the process.

import type { Packet } from 'dns2';
import type { Logger } from 'pino';
import { RCode } from '../dns/types.js';
import { writeEmptyResponse, writeHeaderOnlyResponse } from '../dns/wire.js';
import type { Client, Query, Transport } from '../resolve/query.js';
import { readRequest } from './request.js';

/** Returns the full response, already sized for the transport. */
export type QueryHandler = (query: Query) => Buffer | Promise<Buffer>;

/**
 * The reply to one decoded packet, or undefined when nothing is sent. Never
 * rejects. `raw` is the message as received (its question name is read from it).
 */
export async function respond(
  packet: Packet,
  transport: Transport,
  handler: QueryHandler,
  log: Logger,
  client?: Client,
  raw?: Buffer,
): Promise<Buffer | undefined> {
  let verdict;
  try {
    verdict = readRequest(packet, transport, client, raw);
  } catch (err) {
    log.error({ err }, 'cannot read request');
    return writeHeaderOnlyResponse(packet.header.id, 0, false, RCode.SERVFAIL);
  }
  switch (verdict.kind) {
    case 'drop':
      log.debug({ transport, reason: verdict.reason }, 'request dropped');
      return undefined;
    case 'reject-header':
      log.debug({ transport, reason: verdict.reason }, 'request rejected');
      return writeHeaderOnlyResponse(verdict.id, verdict.opcode, verdict.rd, verdict.rcode);
    case 'reject':
      log.debug({ transport, reason: verdict.reason, rcode: verdict.rcode }, 'request rejected');
      return safeEmpty(verdict.query, verdict.rcode, log);
    case 'query':
      return answer(verdict.query, handler, log);
  }
}

/**
 * The handler's reply to a usable query, SERVFAIL when it throws or rejects.
 * Synchronous when the handler is (the UDP fast path sends without a promise).
 */
export function answer(query: Query, handler: QueryHandler, log: Logger): Buffer | Promise<Buffer> {
  let response: Buffer | Promise<Buffer>;
  try {
    response = handler(query);
  } catch (err) {
    return failed(query, err, log);
  }
  if (Buffer.isBuffer(response)) return answered(query, response, log);
  return response.then(
    (buffer) => answered(query, buffer, log),
    (err: unknown) => failed(query, err, log),
  );
}

function answered(query: Query, response: Buffer, log: Logger): Buffer {
  if (log.isLevelEnabled('debug')) {
    log.debug({ transport: query.transport, query: { name: query.name, qtype: query.qtype }, bytes: response.length }, 'answered');
  }
  return response;
}

function failed(query: Query, err: unknown, log: Logger): Buffer {
  log.error({ err, query: { name: query.name, qtype: query.qtype, transport: query.transport } }, 'handler failed; answering SERVFAIL');
  return safeEmpty(query, RCode.SERVFAIL, log);
}

/** An empty response; falls back to a bare header if even the question cannot be written. */
function safeEmpty(query: Query, rcode: number, log: Logger): Buffer {
  try {
    return writeEmptyResponse(query, { rcode });
  } catch (err) {
    log.debug({ err }, 'cannot echo the question; sending a bare header');
    return writeHeaderOnlyResponse(query.id, query.opcode, query.rd, rcode > 15 ? RCode.FORMERR : rcode);
  }
}
