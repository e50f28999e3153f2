// The wire codec (as hickory-dns's crates/proto is): one reader shared by
// the server, the forwarder, autopath and the CLI; the request reader with
// EDNS; the Query type. This face is the reading half; the writing half is
// wire.ts (answers encoded once, stamped per query) and message.ts.
// Protocol code, Kubernetes-free: dns/ imports nothing from resolve/ or
// config. The UDP fast path's scanner (src/server/scan.ts) reads a
// documented subset of what readRequest reads.

export type { Client, Edns, Query, Transport } from './query.js';
export { CLASSIC_UDP_PAYLOAD, MAX_TCP_MESSAGE, MAX_UDP_PAYLOAD, responseLimit } from './query.js';
export { HEADER_SIZE, parseMessage, readName, type ParsedMessage, type Question, type RecordSlot, type Section } from './reader.js';
export { decodeAnswers } from './decode.js';
export { readRequest, type RequestVerdict } from './request.js';
export { asciiLower } from './wire-writer.js';
