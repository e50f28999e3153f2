// fast-check generators for what a DNS server can be sent: well-formed
// queries over every opcode, class, type and EDNS option size; those queries
// mutated (bit flips, truncation, lying counts, compression pointers and
// loops, oversized labels and names); random bytes; and TCP byte streams.

import fc from 'fast-check';

/** Names the fuzz cluster answers (manifests/ plus test/fixtures/e2e/big-headless.yaml), and near misses. */
export const KNOWN_NAMES: readonly string[] = [
  'kubernetes.default.svc.cluster.local',
  '_https._tcp.kubernetes.default.svc.cluster.local',
  'userlist-svc.user03.svc.cluster.local',
  'userlist-svc-hl.user03.svc.cluster.local',
  '_http._tcp.userlist-svc-hl.user03.svc.cluster.local',
  'web-0.nginx.default.svc.cluster.local',
  '_web._tcp.nginx.default.svc.cluster.local',
  'svc-ext.default.svc.cluster.local',
  'sample-hostname.sample-subdomain.default.svc.cluster.local',
  'many.load.svc.cluster.local',
  '_http._tcp.many.load.svc.cluster.local',
  '10-250-0-7.many.load.svc.cluster.local',
  '10-244-0-1.default.pod.cluster.local',
  '1.0.96.10.in-addr.arpa',
  '7.0.250.10.in-addr.arpa',
  '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa',
  'in-addr.arpa',
  'ip6.arpa',
  'cluster.local',
  'dns-version.cluster.local',
  'ns.dns.cluster.local',
  'nope.default.svc.cluster.local',
  'svc.cluster.local',
  'example.com',
  '',
];

const INTERESTING_TYPES = [0, 1, 2, 5, 6, 12, 15, 16, 28, 33, 41, 251, 252, 255, 256, 65535];
const INTERESTING_CLASSES = [0, 1, 2, 3, 4, 254, 255, 65535];
const INTERESTING_SIZES = [0, 1, 511, 512, 513, 1231, 1232, 1233, 4096, 65535];

const u16 = fc.integer({ min: 0, max: 0xffff });
const oneOf16 = (interesting: readonly number[]) => fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...interesting) }, { weight: 1, arbitrary: u16 });

/** Flip ASCII letters' case at random: the echoed question must keep it. */
const recased = (name: string) =>
  fc.array(fc.boolean(), { minLength: name.length, maxLength: name.length }).map((upper) =>
    [...name].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''),
  );

const label = fc.oneof(
  fc.stringMatching(/^[a-z0-9-]{1,20}$/),
  fc.uint8Array({ minLength: 1, maxLength: 63 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
);

/** Labels of a question name (each 1-63 bytes, latin1). */
export const nameLabels: fc.Arbitrary<string[]> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...KNOWN_NAMES).chain(recased).map((n) => (n === '' ? [] : n.split('.'))) },
  { weight: 1, arbitrary: fc.array(label, { maxLength: 6 }) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.array(label, { minLength: 1, maxLength: 3 }), fc.constantFrom(...KNOWN_NAMES.filter(Boolean))).map(([head, tail]) => [
      ...head,
      ...tail.split('.'),
    ]),
  },
);

export interface EdnsOption {
  readonly code: number;
  readonly data: Uint8Array;
}

export interface OptSpec {
  readonly root: boolean;
  readonly udpSize: number;
  readonly extRcode: number;
  readonly version: number;
  readonly flags: number;
  readonly options: readonly EdnsOption[];
}

const ednsOption: fc.Arbitrary<EdnsOption> = fc.record({
  code: fc.oneof(fc.constantFrom(3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 65001), u16),
  data: fc.oneof(
    { weight: 4, arbitrary: fc.uint8Array({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 1400 }).map((size) => new Uint8Array(size)) },
  ),
});

const opt: fc.Arbitrary<OptSpec> = fc.record({
  root: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  udpSize: oneOf16(INTERESTING_SIZES),
  extRcode: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 255 })),
  version: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) }),
  flags: fc.oneof(fc.constantFrom(0, 0x8000), u16),
  options: fc.array(ednsOption, { maxLength: 4 }),
});

export interface QuerySpec {
  readonly id: number;
  readonly qr: boolean;
  readonly opcode: number;
  /** The remaining flag bits (AA, TC, RD, RA, Z, AD, CD, RCODE) as sent. */
  readonly lowFlags: number;
  readonly questions: readonly { labels: readonly string[]; type: number; class: number }[];
  readonly opts: readonly OptSpec[];
  /** Arbitrary extra records in the answer/authority sections (copied as raw RR bytes). */
  readonly extraAnswers: number;
}

const question = fc.record({
  labels: nameLabels,
  type: oneOf16(INTERESTING_TYPES),
  class: fc.oneof({ weight: 6, arbitrary: fc.constant(1) }, { weight: 2, arbitrary: oneOf16(INTERESTING_CLASSES) }),
});

export const querySpec: fc.Arbitrary<QuerySpec> = fc.record({
  id: u16,
  qr: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  opcode: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.integer({ min: 0, max: 15 }) }),
  lowFlags: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(0x0100, 0x0000, 0x0110) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x07ff }) }),
  questions: fc.oneof(
    { weight: 12, arbitrary: question.map((q) => [q]) },
    { weight: 1, arbitrary: fc.array(question, { maxLength: 3 }) },
  ),
  opts: fc.oneof(
    { weight: 2, arbitrary: fc.constant([]) },
    { weight: 3, arbitrary: opt.map((o) => [o]) },
    { weight: 1, arbitrary: fc.array(opt, { minLength: 2, maxLength: 3 }) },
  ),
  extraAnswers: fc.oneof({ weight: 9, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 }) }),
});

function encodeLabels(labels: readonly string[]): Buffer {
  return Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])), Buffer.from([0])]);
}

function encodeOpt(o: OptSpec): Buffer {
  const options = Buffer.concat(
    o.options.map((option) => {
      const head = Buffer.alloc(4);
      head.writeUInt16BE(option.code, 0);
      head.writeUInt16BE(option.data.length, 2);
      return Buffer.concat([head, Buffer.from(option.data)]);
    }),
  );
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(41, 0);
  fixed.writeUInt16BE(o.udpSize, 2);
  fixed[4] = o.extRcode;
  fixed[5] = o.version;
  fixed.writeUInt16BE(o.flags, 6);
  fixed.writeUInt16BE(options.length, 8);
  return Buffer.concat([o.root ? Buffer.from([0]) : encodeLabels(['x']), fixed, options]);
}

/** An A record owned by a pointer to the question name: a plausible stray answer. */
function strayAnswer(index: number): Buffer {
  const rr = Buffer.alloc(16);
  rr.writeUInt16BE(0xc00c, 0);
  rr.writeUInt16BE(1, 2);
  rr.writeUInt16BE(1, 4);
  rr.writeUInt32BE(60, 6);
  rr.writeUInt16BE(4, 10);
  rr.writeUInt32BE(0x0a000000 + index, 12);
  return rr;
}

/** The query as wire bytes (no TCP length prefix). */
export function encodeQuery(spec: QuerySpec): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(spec.id, 0);
  header.writeUInt16BE((spec.qr ? 0x8000 : 0) | (spec.opcode << 11) | spec.lowFlags, 2);
  header.writeUInt16BE(spec.questions.length, 4);
  header.writeUInt16BE(spec.extraAnswers, 6);
  header.writeUInt16BE(spec.opts.length, 10);
  const questions = spec.questions.map((q) => {
    const tail = Buffer.alloc(4);
    tail.writeUInt16BE(q.type, 0);
    tail.writeUInt16BE(q.class, 2);
    return Buffer.concat([encodeLabels(q.labels), tail]);
  });
  const answers = Array.from({ length: spec.extraAnswers }, (_, i) => strayAnswer(i));
  return Buffer.concat([header, ...questions, ...answers, ...spec.opts.map(encodeOpt)]);
}

/** One edit of a message; applied in sequence by `mutated`. */
export type Mutation = (bytes: Buffer) => Buffer;

const at = (bytes: Buffer, fraction: number): number => Math.min(bytes.length - 1, Math.floor(fraction * bytes.length));
const fraction = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // bit flip
  fc.tuple(fraction, fc.integer({ min: 0, max: 7 })).map(([f, bit]) => (b: Buffer) => {
    if (b.length === 0) return b;
    const out = Buffer.from(b);
    const i = at(out, f);
    out[i] = (out[i] as number) ^ (1 << bit);
    return out;
  }),
  // truncation
  fraction.map((f) => (b: Buffer) => b.subarray(0, Math.floor(f * b.length))),
  // a count field set to anything
  fc.tuple(fc.integer({ min: 0, max: 3 }), oneOf16([0, 1, 2, 3, 255, 65535])).map(([field, value]) => (b: Buffer) => {
    if (b.length < 12) return b;
    const out = Buffer.from(b);
    out.writeUInt16BE(value, 4 + field * 2);
    return out;
  }),
  // a compression pointer anywhere (forward, backward, to itself: a loop)
  fc.tuple(fraction, fc.oneof(fc.integer({ min: 0, max: 0x3fff }), fc.integer({ min: 0, max: 80 }), fc.constant(-1))).map(([f, target]) => (b: Buffer) => {
    if (b.length < 2) return b;
    const out = Buffer.from(b);
    const i = Math.max(12, Math.min(out.length - 2, at(out, f)));
    if (i + 2 > out.length) return out;
    out.writeUInt16BE(0xc000 | (target < 0 ? i : target), i);
    return out;
  }),
  // two pointers at each other (a two-hop loop) right at the question name
  fc.constant((b: Buffer) => {
    if (b.length < 16) return b;
    const out = Buffer.from(b);
    out.writeUInt16BE(0xc00e, 12);
    out.writeUInt16BE(0xc00c, 14);
    return out;
  }),
  // a label length byte that is too long, or reserved (0x40, 0x80)
  fc.tuple(fraction, fc.integer({ min: 64, max: 0xbf })).map(([f, length]) => (b: Buffer) => {
    if (b.length < 13) return b;
    const out = Buffer.from(b);
    out[Math.max(12, at(out, f))] = length;
    return out;
  }),
  // an oversized label or name spliced in at the question
  fc.integer({ min: 60, max: 300 }).map((size) => (b: Buffer) => {
    if (b.length < 12) return b;
    const labels: Buffer[] = [];
    for (let left = size; left > 0; left -= 64) labels.push(Buffer.concat([Buffer.from([Math.min(63, left)]), Buffer.alloc(Math.min(63, left), 0x61)]));
    return Buffer.concat([b.subarray(0, 12), ...labels, b.subarray(12)]);
  }),
  // random bytes overwritten or appended
  fc.tuple(fraction, fc.uint8Array({ minLength: 1, maxLength: 16 })).map(([f, junk]) => (b: Buffer) => {
    if (b.length === 0) return Buffer.from(junk);
    const out = Buffer.from(b);
    Buffer.from(junk).copy(out, at(out, f));
    return out;
  }),
  fc.uint8Array({ minLength: 1, maxLength: 64 }).map((junk) => (b: Buffer) => Buffer.concat([b, Buffer.from(junk)])),
);

export const validQuery: fc.Arbitrary<Buffer> = querySpec.map(encodeQuery);

export const mutatedQuery: fc.Arbitrary<Buffer> = fc
  .tuple(validQuery, fc.array(mutation, { minLength: 1, maxLength: 4 }))
  .map(([bytes, edits]) => edits.reduce((b, edit) => edit(b), bytes));

export const randomDatagram: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
  fc.uint8Array({ minLength: 12, maxLength: 600 }).map((b) => Buffer.from(b)),
);

/** Every kind of datagram, mostly shaped like DNS. */
export const anyDatagram: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 3, arbitrary: validQuery },
  { weight: 5, arbitrary: mutatedQuery },
  { weight: 2, arbitrary: randomDatagram },
);

/** One piece of a TCP conversation. */
export type TcpPiece =
  | { readonly kind: 'frame'; readonly message: Buffer }
  | { readonly kind: 'lying-length'; readonly length: number; readonly message: Buffer }
  | { readonly kind: 'raw'; readonly bytes: Buffer };

export interface TcpStream {
  readonly pieces: readonly TcpPiece[];
  /** How the bytes are cut into writes (sizes cycle). */
  readonly chunking: readonly number[];
  /** How the client leaves: half-close and wait for replies, or reset. */
  readonly ending: 'half-close' | 'reset';
}

export const tcpStream: fc.Arbitrary<TcpStream> = fc.record({
  pieces: fc.array(
    fc.oneof(
      {
        weight: 6,
        arbitrary: fc
          .oneof({ weight: 3, arbitrary: validQuery }, { weight: 2, arbitrary: mutatedQuery }, { weight: 1, arbitrary: randomDatagram })
          .map((message) => ({ kind: 'frame' as const, message })),
      },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('lying-length' as const), length: u16, message: mutatedQuery }) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }).map((b) => ({ kind: 'raw' as const, bytes: Buffer.from(b) })) },
    ),
    { minLength: 1, maxLength: 6 },
  ),
  chunking: fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 4 }),
  ending: fc.oneof({ weight: 4, arbitrary: fc.constant('half-close' as const) }, { weight: 1, arbitrary: fc.constant('reset' as const) }),
});

/** The stream's bytes, and the messages a server would read as complete frames before any bad framing. */
export function streamBytes(stream: TcpStream): { bytes: Buffer; frames: Buffer[] } {
  const parts: Buffer[] = [];
  for (const piece of stream.pieces) {
    if (piece.kind === 'raw') parts.push(piece.bytes);
    else {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(piece.kind === 'frame' ? piece.message.length : piece.length);
      parts.push(length, piece.message);
    }
  }
  const bytes = Buffer.concat(parts);
  // Re-read the framing the way the server will: only whole frames count.
  const frames: Buffer[] = [];
  for (let at = 0; at + 2 <= bytes.length; ) {
    const length = bytes.readUInt16BE(at);
    if (at + 2 + length > bytes.length) break;
    frames.push(bytes.subarray(at + 2, at + 2 + length));
    at += 2 + length;
  }
  return { bytes, frames };
}
