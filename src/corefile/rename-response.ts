// Re-encode a response with its question put back to the client's and the
// names of its records mapped (the response half of `rewrite name`). Record
// data that holds names (CNAME, PTR, NS, DNAME, MX, SRV, SOA) is decoded and
// its names mapped; every other record's data is copied as is.

import { RRType } from '../dns/types.js';
import { normalizeName } from '../dns/names.js';
import { CompressionTable, WireWriter } from '../dns/wire-writer.js';
import { parseMessage, readName, type RecordSlot } from '../dns/index.js';
import { responseLimit, type Query } from '../dns/query.js';

/** How a response is mapped back: one function per kind of name. */
export interface ResponseMapping {
  owner(name: string): string;
  value(name: string): string;
}

const DNAME = 39;
const TC = 0x0200;

/**
 * `response` answered for the rewritten question; returns it as the answer
 * to `query`. Undefined when `response` cannot be read (a bug upstream of us:
 * the caller answers SERVFAIL).
 */
export function renameResponse(response: Buffer, query: Query, mapping: ResponseMapping): Buffer | undefined {
  const parsed = parseMessage(response);
  if (parsed instanceof Error) return undefined;
  const writer = new WireWriter(0, response.length + 64);
  const table = new CompressionTable();
  writer.bytes(response.subarray(0, 4)); // ID and flags
  writer.u16(1);
  writer.u16(0); // counts: patched below
  writer.u16(0);
  writer.u16(0);
  table.writeName(writer, query.name, { compress: false, register: true });
  writer.u16(query.qtype);
  writer.u16(query.qclass);
  const counts = { answer: 0, authority: 0, additional: 0 };
  const limit = responseLimit(query);
  let truncated = false;
  for (const slot of parsed.records) {
    const before = writer.length;
    if (!writeRecord(writer, table, response, slot, mapping)) return undefined;
    if (writer.length > limit) {
      // Cut at the last record that fits, as for any response too big for UDP.
      writer.length = before;
      truncated = slot.section !== 'additional' || truncated;
      break;
    }
    counts[slot.section]++;
  }
  const out = writer.toBuffer();
  out.writeUInt16BE(counts.answer, 6);
  out.writeUInt16BE(counts.authority, 8);
  out.writeUInt16BE(counts.additional, 10);
  if (truncated) out.writeUInt16BE(out.readUInt16BE(2) | TC, 2);
  return out;
}

function writeRecord(writer: WireWriter, table: CompressionTable, message: Buffer, slot: RecordSlot, mapping: ResponseMapping): boolean {
  const owner = readName(message, slot.start);
  if (owner instanceof Error) return false;
  const ownerName = slot.type === RRType.OPT ? '' : mapName(owner.name, mapping.owner);
  table.writeName(writer, ownerName, { compress: true, register: true });
  writer.u16(slot.type);
  writer.u16(slot.class);
  writer.u32(slot.ttl);
  const lengthAt = writer.length;
  writer.u16(0);
  const ok = writeData(writer, table, message, slot, mapping.value);
  writer.patchU16(lengthAt, writer.length - lengthAt - 2);
  return ok;
}

function writeData(writer: WireWriter, table: CompressionTable, message: Buffer, slot: RecordSlot, value: (name: string) => string): boolean {
  const at = slot.rdataOffset;
  const end = at + slot.rdlength;
  const name = (offset: number, compress: boolean): number | undefined => {
    const read = readName(message, offset);
    if (read instanceof Error || read.end > end) return undefined;
    table.writeName(writer, mapName(read.name, value), { compress, register: compress });
    return read.end;
  };
  switch (slot.type) {
    case RRType.CNAME:
    case RRType.PTR:
    case RRType.NS:
      return name(at, true) === end;
    case DNAME:
      return name(at, false) === end;
    case RRType.MX:
      if (slot.rdlength < 3) return false;
      writer.bytes(message.subarray(at, at + 2));
      return name(at + 2, true) === end;
    case RRType.SRV:
      if (slot.rdlength < 7) return false;
      writer.bytes(message.subarray(at, at + 6));
      return name(at + 6, false) === end;
    case RRType.SOA: {
      const mnameEnd = name(at, true);
      if (mnameEnd === undefined) return false;
      const rname = readName(message, mnameEnd);
      if (rname instanceof Error || rname.end + 20 !== end) return false;
      table.writeName(writer, rname.name, { compress: true, register: true });
      writer.bytes(message.subarray(rname.end, end));
      return true;
    }
    default:
      writer.bytes(message.subarray(at, end));
      return true;
  }
}

/** Map a wire name (no trailing dot, any case) through a mapping of lower-case FQDNs; unchanged names keep their case. */
function mapName(name: string, map: (fqdn: string) => string): string {
  const lower = normalizeName(name);
  const fqdn = lower === '' ? '.' : `${lower}.`;
  const mapped = map(fqdn);
  return mapped === fqdn ? name : mapped.replace(/\.$/, '');
}
