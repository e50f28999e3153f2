// The OPT pseudo-record (EDNS, RFC 6891 §6.1) as a request carries it: the
// client's UDP payload size in CLASS, extended RCODE, version and the DO bit
// in TTL, and options as {code, length, data} triples that must fill RDATA
// exactly. Option data is opaque to us except ECS (RFC 7871 §6) and EDE
// (RFC 8914 §2), which are checked as CoreDNS's decoder (miekg/dns) checks
// them: a malformed one is FORMERR. The writer's half is writeOpt in message.ts.

import type { Edns } from './query.js';
import type { RecordSlot } from './reader.js';

const ECS = 8;
const EDE = 15;

/** The options whose data readOpt checks; the UDP fast path leaves them to it (src/server/scan.ts). */
export const CHECKED_OPTIONS: ReadonlySet<number> = new Set([ECS, EDE]);

/** The EDNS fields of the OPT record at `slot`, or why its options are malformed. */
export function readOpt(message: Buffer, slot: RecordSlot): Edns | string {
  const end = slot.rdataOffset + slot.rdlength;
  for (let at = slot.rdataOffset; at < end; ) {
    if (at + 4 > end) return `OPT option header at ${at} runs past RDATA`;
    const code = message.readUInt16BE(at);
    const length = message.readUInt16BE(at + 2);
    if (at + 4 + length > end) return `OPT option ${code} runs past RDATA`;
    if (code === ECS) {
      const problem = ecsProblem(message.subarray(at + 4, at + 4 + length));
      if (problem) return `client subnet option: ${problem}`;
    }
    if (code === EDE && length < 2) return `extended error option of ${length} octets, expected at least 2`;
    at += 4 + length;
  }
  return { udpSize: slot.class, do: (slot.ttl & 0x8000) !== 0, version: (slot.ttl >>> 16) & 0xff };
}

/** RFC 7871 §6: FAMILY 1 or 2, SOURCE PREFIX-LENGTH within the family, exactly the address octets it needs. */
function ecsProblem(data: Buffer): string | undefined {
  if (data.length < 4) return `${data.length} octets, expected at least 4`;
  const family = data.readUInt16BE(0);
  const bits = family === 1 ? 32 : family === 2 ? 128 : 0;
  if (bits === 0) return `unknown family ${family}`;
  const source = data[2] as number;
  if (source > bits) return `source prefix ${source} longer than the family's ${bits} bits`;
  const octets = data.length - 4;
  if (octets !== Math.ceil(source / 8)) return `address of ${octets} octets for a /${source} prefix`;
  return undefined;
}
