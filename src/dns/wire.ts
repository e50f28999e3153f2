// Wire format: encode answers once at load time, stamp them per query.
//
// CONTRACT (shared by the record index, the responder and the server):
// - prepareAnswer() encodes the three record sections of a response *as if*
//   the question name sat at offset 12 of the message. Compression pointers
//   may point into that question name, so the body is valid for any question
//   whose name has the same wire length: the same name in any letter case
//   (answers keep the case the client used — 0x20-safe).
// - writeResponse() builds header + the client's question + the body, applies
//   the rotation (A/AAAA runs only), fits the message into the response limit
//   (whole records only; TC when an answer or authority record had to go, as
//   miekg/dns Msg.Truncate does) and appends an OPT record when the query had
//   one. It never throws for a well-formed Query.
//
// Implemented in this file: TODO (being written).

import type { Sections } from './types.js';
import type { Query } from '../resolve/query.js';

export interface PreparedAnswer {
  readonly rcode: number;
  /** Authoritative answer flag for responses built from this body. */
  readonly authoritative: boolean;
  /** Wire length of the question name the body was encoded against. */
  readonly qnameLength: number;
  /** answer + authority + additional records, encoded. */
  readonly body: Buffer;
  readonly answerCount: number;
  readonly authorityCount: number;
  readonly additionalCount: number;
  /** Offset in `body` where each record ends: answers, then authority, then additional. */
  readonly recordEnds: readonly number[];
  /**
   * Answer records [start, start + count) that rotate between queries: the
   * run of A or AAAA records (CoreDNS loadbalance). Absent when fewer than 2.
   */
  readonly rotation?: { readonly start: number; readonly count: number };
}

/**
 * Encode `sections` for questions named `question` (any case). Throws only
 * for records that cannot be encoded (a bug in the caller).
 */
export function prepareAnswer(
  question: string,
  rcode: number,
  sections: Sections,
  options?: { authoritative?: boolean },
): PreparedAnswer {
  void question;
  void rcode;
  void sections;
  void options;
  throw new Error('not implemented');
}

export interface ResponseFlags {
  readonly rcode: number;
  readonly authoritative?: boolean;
  readonly recursionAvailable?: boolean;
}

/**
 * The response to `query` carrying `answer`. `turn` picks the rotation
 * (any integer; the responder passes a counter).
 */
export function writeResponse(query: Query, answer: PreparedAnswer, turn: number): Buffer {
  void query;
  void answer;
  void turn;
  throw new Error('not implemented');
}

/** A response with no records (REFUSED, NOTIMP, SERVFAIL, FORMERR with a question). */
export function writeEmptyResponse(query: Query, flags: ResponseFlags): Buffer {
  void query;
  void flags;
  throw new Error('not implemented');
}

/** Wire length of a name (`web.prod` → 10); the root '' is 1. */
export function nameWireLength(name: string): number {
  if (name === '') return 1;
  let length = 1;
  for (const label of name.split('.')) length += 1 + Buffer.byteLength(label, 'latin1');
  return length;
}
