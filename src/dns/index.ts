// The wire codec's public face: one reader, one writer, the Query type and
// EDNS, shared by the server, the forwarder, autopath and the CLI (as
// hickory-dns's crates/proto is). Kubernetes-free: nothing here imports
// resolve/, cluster/ or config. The UDP fast path's scanner
// (src/server/scan.ts) reads a documented subset of what readRequest reads.

export type { Client, Edns, Query, Transport } from './query.js';
export { CLASSIC_UDP_PAYLOAD, MAX_TCP_MESSAGE, MAX_UDP_PAYLOAD, responseLimit } from './query.js';
export {
  HEADER_SIZE, parseMessage, readName, readRecords,
  type DecodedName, type ParsedMessage, type Question, type RecordSlot, type Section,
} from './reader.js';
export { decodeAnswers } from './decode.js';
export { readOpt } from './opt.js';
export { readRequest, type RequestVerdict } from './request.js';
export { structureProblem, type StructureProblem } from './structure.js';
export { asciiLower } from './wire-writer.js';
