// --log-queries: one line per answered query with the fields of CoreDNS's
// `log` plugin common format
//   {remote}:{port} - {>id} "{type} {class} {name} {proto} {size} {>do} {>bufsize}" {rcode} {>rflags} {rsize} {duration}
// The client (address, port, request size) comes from the socket adapter,
// which attaches it only when the query log is on.

import { RCode, RRClass, rrTypeName } from '../dns/types.js';
import { createLineWriter } from './line-writer.js';
import type { Query } from '../dns/query.js';

const RCODE_NAMES = new Map<number, string>(Object.entries(RCode).map(([name, code]) => [code, name]));
const CLASS_NAMES = new Map<number, string>(Object.entries(RRClass).map(([name, code]) => [code, name]));

export interface QueryLog {
  readonly observe: (query: Query, response: Buffer, seconds: number) => void;
  /** Write out what is buffered (at shutdown); waits at most `timeoutMs`. */
  close(timeoutMs: number): Promise<void>;
  /** Lines dropped because stderr did not keep up (64 MiB waiting). */
  readonly dropped: number;
}

/** How often buffered query lines are written out when traffic is light. */
const FLUSH_MS = 200;

/**
 * Query lines are in exactly the JSON shape pino writes, but formatted here
 * and written through our own buffered writer: pino's generic serializer
 * and one write(2) per line cost more than answering the query, and pino's
 * buffered destination still costs about 10 µs a line (line-writer.ts).
 * Only the name is untrusted; it goes through JSON.stringify.
 */
export function createQueryLog(fd = 2): QueryLog {
  const destination = createLineWriter({ fd });
  const timer = setInterval(() => destination.flush(), FLUSH_MS);
  timer.unref();
  return {
    observe(query, response, seconds) {
      const rcode = response.length >= 4 ? response[3]! & 0x0f : RCode.SERVFAIL;
      const client = query.client;
      // The address is the socket's own text (an IP), never client-supplied bytes.
      const remote = client ? `"remote":"${client.address}","port":${client.port},` : '';
      const size = client ? `"size":${client.size},` : '';
      destination.write(
        `{"level":30,"time":${Date.now()},"name":"clusterdns","module":"query",${remote}"query":{"id":${query.id},` +
          `"type":"${rrTypeName(query.qtype)}","class":"${CLASS_NAMES.get(query.qclass) ?? `CLASS${query.qclass}`}",` +
          `"name":${jsonName(query.name)},"proto":"${query.transport}",${size}"do":${query.edns?.do ?? false},` +
          `"bufsize":${query.edns?.udpSize ?? 512}},"rcode":"${RCODE_NAMES.get(rcode) ?? String(rcode)}",` +
          `"rflags":"${responseFlags(response)}","rsize":${response.length},"duration":"${formatSeconds(seconds)}s","msg":"query"}\n`,
      );
    },
    close(timeoutMs) {
      clearInterval(timer);
      return destination.end(timeoutMs);
    },
    get dropped() {
      return destination.dropped;
    },
  };
}

/** Printable ASCII without `"` or `\`: safe inside JSON quotes as it is. */
const PLAIN_NAME = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** The query name with its trailing dot as a JSON string; JSON.stringify only when needed (it costs more than the rest of the line). */
export function jsonName(name: string): string {
  return PLAIN_NAME.test(name) ? `"${name}."` : JSON.stringify(`${name}.`);
}

/** Seconds with 9 decimals, as CoreDNS prints durations; cheaper than toFixed(9). */
export function formatSeconds(seconds: number): string {
  const nanos = Math.round(seconds * 1e9);
  const whole = Math.floor(nanos / 1e9);
  return `${whole}.${String(nanos - whole * 1e9 + 1e9).slice(1)}`;
}

/** Flag texts by the flag bits of header bytes 2 and 3 (a handful occur in practice). */
const FLAG_TEXTS = new Map<number, string>();

/** `qr,aa,rd,ra` as CoreDNS prints them. */
export function responseFlags(response: Buffer): string {
  if (response.length < 4) return '';
  const bits = ((response[2]! & 0x87) << 8) | (response[3]! & 0xb0);
  let text = FLAG_TEXTS.get(bits);
  if (text === undefined) {
    text = flagText(bits >> 8, bits & 0xff);
    FLAG_TEXTS.set(bits, text);
  }
  return text;
}

function flagText(high: number, low: number): string {
  const flags: string[] = [];
  if (high & 0x80) flags.push('qr');
  if (high & 0x04) flags.push('aa');
  if (high & 0x02) flags.push('tc');
  if (high & 0x01) flags.push('rd');
  if (low & 0x80) flags.push('ra');
  if (low & 0x20) flags.push('ad');
  if (low & 0x10) flags.push('cd');
  return flags.join(',');
}
