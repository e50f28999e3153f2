// Cache hits without rebuilding: a cached answer's response is rendered once
// per shape (OPT or not, how many records fit) into a template, and each hit
// is a copy of the template with the client's ID, RD/opcode and question
// case stamped in. TTLs are counted down in the template itself, at most
// once per second of age, so a hit writes no record bytes at all.
//
// Everything else a response carries is fixed by the cache key (name, type,
// class, DO, CD): the rcode, AD (given only to DO clients), CD, and our OPT.

import { writeQuestion } from '../dns/message.js';
import { nameWireLength } from '../dns/escape.js';
import type { Query } from '../dns/query.js';
import { HEADER_SIZE } from '../dns/index.js';
import { keptRecords, renderResponse, type StoredAnswer } from './relay-message.js';

/** Header byte 2 bits a client sets: opcode and RD. QR and TC stay as rendered. */
const OPCODE_RD = 0x79;
const CD = 0x10;

export class ResponseTemplate {
  /** Age (seconds) the TTL fields in `bytes` were last written for. */
  private elapsed: number;

  private constructor(
    /** The whole response, as for a client with ID 0, opcode 0, RD clear. */
    private readonly bytes: Buffer,
    /** The question name as written in `bytes` (the first client's case). */
    private readonly name: string,
    readonly withOpt: boolean,
    readonly kept: number,
    /** Offset in `bytes` of each kept record's TTL field, and the TTL the upstream gave. */
    private readonly ttlOffsets: readonly number[],
    private readonly ttls: readonly number[],
    /** Seconds the cache keeps the answer: no TTL is served above it. */
    private readonly cap: number,
  ) {
    this.elapsed = -1;
  }

  /**
   * The template for `query`'s shape, or undefined when the stored answer
   * cannot be rendered for it (question name of another wire length).
   */
  static render(query: Query, stored: StoredAnswer, cap: number): ResponseTemplate | undefined {
    if (nameWireLength(query.name) !== stored.qnameLength) return undefined;
    const canonical: Query = { ...query, id: 0, opcode: 0, rd: false };
    const bytes = renderResponse(canonical, stored);
    const kept = keptRecords(query, stored);
    const prefix = HEADER_SIZE + stored.qnameLength + 4;
    const ttlOffsets = stored.ttlOffsets.slice(0, kept).map((offset) => prefix + offset);
    return new ResponseTemplate(bytes, query.name, query.edns !== undefined, kept, ttlOffsets, stored.ttls.slice(0, kept), cap);
  }

  /** True when this template is the response shape `query` needs from `stored`. */
  fits(query: Query, stored: StoredAnswer): boolean {
    return this.withOpt === (query.edns !== undefined) && this.kept === keptRecords(query, stored);
  }

  /** The response for `query`, every TTL `elapsed` seconds older than the upstream gave it (capped). */
  stamp(query: Query, elapsed: number): Buffer {
    if (elapsed !== this.elapsed) this.countDown(elapsed);
    const template = this.bytes;
    const out = Buffer.allocUnsafe(template.length);
    out.set(template);
    out[0] = (query.id >>> 8) & 0xff;
    out[1] = query.id & 0xff;
    out[2] = ((template[2] as number) & ~OPCODE_RD) | ((query.opcode & 0xf) << 3) | (query.rd ? 0x01 : 0);
    out[3] = ((template[3] as number) & ~CD) | (query.cd ? CD : 0);
    // Same name up to letter case (the cache key): same length, same label layout.
    if (query.name !== this.name) writeQuestion(out, HEADER_SIZE, query);
    return out;
  }

  private countDown(elapsed: number): void {
    for (let i = 0; i < this.ttlOffsets.length; i++) {
      const ttl = Math.max(0, Math.min(this.ttls[i] as number, this.cap) - elapsed);
      this.bytes.writeUInt32BE(ttl, this.ttlOffsets[i] as number);
    }
    this.elapsed = elapsed;
  }
}
