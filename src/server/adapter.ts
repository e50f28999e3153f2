// The one catch-all between the sockets and the handler (CoreDNS's recover
// guard in core/dnsserver/server.go): every request gets at most one reply,
// nothing a client sends and nothing the handler throws can crash the process.

import type { Logger } from 'pino';
import { RCode } from '../dns/types.js';
import { writeEmptyResponse, writeHeaderOnlyResponse } from '../dns/wire.js';
import { readRequest, type Client, type Query, type RequestVerdict, type Transport } from '../dns/index.js';

/** Returns the full response, already sized for the transport. */
export type QueryHandler = (query: Query) => Buffer | Promise<Buffer>;

/**
 * Read one message with the codec. Never throws: a reader bug becomes a
 * SERVFAIL header (and one error line), like any other throw.
 */
export function readSafely(message: Buffer, transport: Transport, log: Logger, client?: Client): RequestVerdict {
  try {
    return readRequest(message, transport, client);
  } catch (err) {
    log.error({ err }, 'cannot read request');
    if (message.length < 2) return { kind: 'drop', reason: 'unreadable' };
    return { kind: 'reject-header', id: message.readUInt16BE(0), opcode: 0, rd: false, rcode: RCode.SERVFAIL, reason: 'reader failed' };
  }
}

/**
 * The reply to one request, or undefined when nothing is sent: synchronous
 * unless the handler answers later. Never throws or rejects.
 */
export function reply(verdict: RequestVerdict, transport: Transport, handler: QueryHandler, log: Logger): Buffer | Promise<Buffer> | undefined {
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

/** One message in, its reply out (undefined: nothing is sent). Never rejects. */
export async function respond(
  message: Buffer,
  transport: Transport,
  handler: QueryHandler,
  log: Logger,
  client?: Client,
): Promise<Buffer | undefined> {
  return reply(readSafely(message, transport, log, client), transport, handler, log);
}

/**
 * The handler's reply to a usable query, SERVFAIL when it throws or rejects.
 * Synchronous when the handler is (the UDP fast path sends without a promise).
 */
function answer(query: Query, handler: QueryHandler, log: Logger): Buffer | Promise<Buffer> {
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
