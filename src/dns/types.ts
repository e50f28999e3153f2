// Our own DNS vocabulary: record types, rcodes and resource records.
//
// The record index describes answers with these plain objects; src/dns/wire.ts
// encodes them once, at load time; src/dns/reader.ts reads them back.

export const RRType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  IXFR: 251,
  AXFR: 252,
  ANY: 255,
} as const;
export type RRTypeName = keyof typeof RRType;

export const RRClass = { IN: 1, CH: 3, NONE: 254, ANY: 255 } as const;

export const RCode = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  /** Extended rcode 16 (needs OPT): the client's EDNS version is not supported. */
  BADVERS: 16,
} as const;

export type RecordData =
  | { readonly type: 'A'; readonly address: string }
  | { readonly type: 'AAAA'; readonly address: string }
  | { readonly type: 'CNAME'; readonly target: string }
  | { readonly type: 'PTR'; readonly target: string }
  | { readonly type: 'NS'; readonly target: string }
  | {
      readonly type: 'SRV';
      readonly priority: number;
      readonly weight: number;
      readonly port: number;
      readonly target: string;
    }
  | { readonly type: 'TXT'; readonly text: readonly string[] }
  | {
      readonly type: 'SOA';
      readonly mname: string;
      readonly rname: string;
      readonly serial: number;
      readonly refresh: number;
      readonly retry: number;
      readonly expire: number;
      readonly minimum: number;
    };

/**
 * One resource record, class IN. Names are absolute and written without the
 * trailing dot (`web.prod.svc.cluster.local`); the root is ''.
 */
export interface ResourceRecord {
  readonly name: string;
  readonly ttl: number;
  readonly data: RecordData;
}

/** The three record sections of a response. */
export interface Sections {
  readonly answer: readonly ResourceRecord[];
  readonly authority: readonly ResourceRecord[];
  readonly additional: readonly ResourceRecord[];
}

const RR_TYPE_NAMES = new Map<number, string>(Object.entries(RRType).map(([name, code]) => [code, name]));

export function rrTypeName(code: number): string {
  return RR_TYPE_NAMES.get(code) ?? `TYPE${code}`;
}

export function rrTypeCode(name: string): number | undefined {
  const upper = name.toUpperCase();
  if (upper in RRType) return RRType[upper as RRTypeName];
  const match = /^TYPE(\d{1,5})$/.exec(upper);
  if (match) {
    const code = Number(match[1]);
    if (code <= 0xffff) return code;
  }
  return undefined;
}
