// Decode the answer section of a (strictly parsed) message into our own
// ResourceRecord shape: ExternalName targets, autopath, the CLI's printer.
// Types we do not model are skipped; records of another class too.

import ipaddr from 'ipaddr.js';
import { RRClass, RRType, type RecordData, type ResourceRecord } from '../dns/types.js';
import { readName, type ParsedMessage, type RecordSlot } from './reader.js';

export function decodeAnswers(message: Buffer, parsed: ParsedMessage): ResourceRecord[] {
  const records: ResourceRecord[] = [];
  for (const slot of parsed.records) {
    if (slot.section !== 'answer' || slot.class !== RRClass.IN) continue;
    const owner = readName(message, slot.start);
    const data = decodeData(message, slot);
    if (owner instanceof Error || data === undefined) continue;
    records.push({ name: owner.name, ttl: slot.ttl, data });
  }
  return records;
}

function decodeData(message: Buffer, slot: RecordSlot): RecordData | undefined {
  const at = slot.rdataOffset;
  const end = at + slot.rdlength;
  const name = (offset: number): string | undefined => {
    const read = readName(message, offset);
    return read instanceof Error || read.end > end ? undefined : read.name;
  };
  switch (slot.type) {
    case RRType.A:
      return slot.rdlength === 4 ? { type: 'A', address: [...message.subarray(at, end)].join('.') } : undefined;
    case RRType.AAAA:
      if (slot.rdlength !== 16) return undefined;
      return { type: 'AAAA', address: ipaddr.fromByteArray([...message.subarray(at, end)]).toString() };
    case RRType.CNAME:
    case RRType.PTR:
    case RRType.NS: {
      const target = name(at);
      if (target === undefined) return undefined;
      const type = slot.type === RRType.CNAME ? 'CNAME' : slot.type === RRType.PTR ? 'PTR' : 'NS';
      return { type, target };
    }
    case RRType.SRV: {
      const target = slot.rdlength > 6 ? name(at + 6) : undefined;
      if (target === undefined) return undefined;
      const [priority, weight, port] = [0, 2, 4].map((o) => message.readUInt16BE(at + o)) as [number, number, number];
      return { type: 'SRV', priority, weight, port, target };
    }
    case RRType.TXT:
      return decodeTxt(message, at, end);
    case RRType.SOA:
      return decodeSoa(message, at, end);
    default:
      return undefined;
  }
}

function decodeTxt(message: Buffer, at: number, end: number): RecordData | undefined {
  const text: string[] = [];
  let position = at;
  while (position < end) {
    const length = message[position] ?? 0;
    if (position + 1 + length > end) return undefined;
    text.push(message.toString('utf8', position + 1, position + 1 + length));
    position += 1 + length;
  }
  return { type: 'TXT', text };
}

function decodeSoa(message: Buffer, at: number, end: number): RecordData | undefined {
  const mname = readName(message, at);
  if (mname instanceof Error) return undefined;
  const rname = readName(message, mname.end);
  if (rname instanceof Error || rname.end + 20 !== end) return undefined;
  const [serial, refresh, retry, expire, minimum] = [0, 4, 8, 12, 16].map((o) =>
    message.readUInt32BE(rname.end + o),
  ) as [number, number, number, number, number];
  return { type: 'SOA', mname: mname.name, rname: rname.name, serial, refresh, retry, expire, minimum };
}
