// One encoder per record type: owner, TYPE, CLASS IN, TTL, RDLENGTH, RDATA.
//
// Names in CNAME/PTR/NS/SOA rdata are compressed (RFC 1035 §4.1.4 allows it
// for these well-known types); SRV targets are written in full (RFC 2782)
// but may still serve as pointer targets for later names.

import { isIPv4, isIPv6 } from 'node:net';
import ipaddr from 'ipaddr.js';
import { RRClass, RRType, type RecordData, type ResourceRecord } from './types.js';
import { CompressionTable, WireWriter, type NameOptions } from './wire-writer.js';

const MAX_TTL = 0x7fffffff; // RFC 2181 §8
const MAX_STRING = 255; // one <character-string>

interface RecordOptions {
  /**
   * False for records that rotate: nothing they contain may become a pointer
   * target, so the records can be reordered as plain byte ranges.
   */
  readonly register: boolean;
}

export function writeRecord(
  writer: WireWriter,
  table: CompressionTable,
  record: ResourceRecord,
  options: RecordOptions,
): void {
  const data = record.data;
  table.writeName(writer, record.name, { compress: true, register: options.register });
  writer.u16(RRType[data.type]);
  writer.u16(RRClass.IN);
  writer.u32(checkedTtl(record));
  const lengthAt = writer.length;
  writer.u16(0);
  writeRdata(writer, table, data, options.register);
  writer.patchU16(lengthAt, writer.length - lengthAt - 2);
}

function writeRdata(writer: WireWriter, table: CompressionTable, data: RecordData, register: boolean): void {
  const compressed: NameOptions = { compress: true, register };
  switch (data.type) {
    case 'A':
      writer.bytes(Uint8Array.from(parseAddress(data.address, 4)));
      return;
    case 'AAAA':
      writer.bytes(Uint8Array.from(parseAddress(data.address, 16)));
      return;
    case 'CNAME':
    case 'PTR':
    case 'NS':
      table.writeName(writer, data.target, compressed);
      return;
    case 'SRV':
      writer.u16(checkedU16(data.priority, 'SRV priority'));
      writer.u16(checkedU16(data.weight, 'SRV weight'));
      writer.u16(checkedU16(data.port, 'SRV port'));
      table.writeName(writer, data.target, { compress: false, register });
      return;
    case 'TXT':
      writeStrings(writer, data.text);
      return;
    case 'SOA':
      table.writeName(writer, data.mname, compressed);
      table.writeName(writer, data.rname, compressed);
      for (const value of [data.serial, data.refresh, data.retry, data.expire, data.minimum]) {
        writer.u32(checkedU32(value, 'SOA field'));
      }
      return;
  }
}

function writeStrings(writer: WireWriter, text: readonly string[]): void {
  // TXT RDATA needs at least one <character-string>; an empty list is "".
  const strings = text.length === 0 ? [''] : text;
  for (const string of strings) {
    const bytes = Buffer.from(string, 'utf8');
    if (bytes.length > MAX_STRING) {
      throw new Error(`cannot encode TXT string of ${bytes.length} octets (at most ${MAX_STRING})`);
    }
    writer.u8(bytes.length);
    writer.bytes(bytes);
  }
}

/** Address bytes; `size` 4 wants dotted-quad IPv4, 16 wants IPv6. */
function parseAddress(address: string, size: 4 | 16): number[] {
  // node:net's checks are strict (no octal or short IPv4 forms) and cheap; ipaddr.js parses.
  if (size === 4 ? !isIPv4(address) : !isIPv6(address)) {
    throw new Error(`cannot encode ${size === 4 ? 'A' : 'AAAA'} address "${address}"`);
  }
  return (size === 4 ? ipaddr.IPv4.parse(address) : ipaddr.IPv6.parse(address)).toByteArray();
}

function checkedTtl(record: ResourceRecord): number {
  if (!Number.isInteger(record.ttl) || record.ttl < 0 || record.ttl > MAX_TTL) {
    throw new Error(`cannot encode TTL ${record.ttl} of ${record.name}`);
  }
  return record.ttl;
}

function checkedU16(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) throw new Error(`cannot encode ${what} ${value}`);
  return value;
}

function checkedU32(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new Error(`cannot encode ${what} ${value}`);
  return value;
}
