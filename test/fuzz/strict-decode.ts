// A small strict DNS message decoder for the fuzz invariants, independent of
// dns2 and of our writer: it walks every section the header counts, follows
// compression pointers only backwards (so a loop cannot hide), checks every
// label and name limit and every RDLENGTH, and insists the message ends
// exactly where the last record does. A reply that passes is one any
// conforming resolver can read.

export interface StrictHeader {
  readonly id: number;
  readonly qr: boolean;
  readonly opcode: number;
  readonly tc: boolean;
  readonly rd: boolean;
  readonly rcode: number;
  readonly counts: readonly [number, number, number, number];
}

export interface StrictQuestion {
  /** Labels as raw bytes (latin1 text), case kept. */
  readonly labels: readonly string[];
  readonly type: number;
  readonly class: number;
}

export interface StrictRecord {
  readonly labels: readonly string[];
  readonly type: number;
  readonly class: number;
  readonly ttl: number;
  readonly rdata: Buffer;
}

export interface StrictMessage {
  readonly header: StrictHeader;
  readonly questions: readonly StrictQuestion[];
  readonly answers: readonly StrictRecord[];
  readonly authorities: readonly StrictRecord[];
  readonly additionals: readonly StrictRecord[];
}

export type StrictResult = { readonly ok: true; readonly message: StrictMessage } | { readonly ok: false; readonly error: string };

const HEADER_SIZE = 12;
const MAX_LABEL = 63;
const MAX_NAME = 255;

class Malformed extends Error {}

/** Decode `bytes` strictly; never throws. */
export function strictDecode(bytes: Buffer): StrictResult {
  try {
    return { ok: true, message: decodeMessage(bytes) };
  } catch (error) {
    if (error instanceof Malformed) return { ok: false, error: error.message };
    throw error;
  }
}

function decodeMessage(bytes: Buffer): StrictMessage {
  if (bytes.length < HEADER_SIZE) throw new Malformed(`${bytes.length} bytes, shorter than a header`);
  const flags = bytes.readUInt16BE(2);
  const counts = [bytes.readUInt16BE(4), bytes.readUInt16BE(6), bytes.readUInt16BE(8), bytes.readUInt16BE(10)] as const;
  const header: StrictHeader = {
    id: bytes.readUInt16BE(0),
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    rcode: flags & 0xf,
    counts,
  };
  const cursor = { at: HEADER_SIZE };
  const questions: StrictQuestion[] = [];
  for (let i = 0; i < counts[0]; i++) {
    const labels = readName(bytes, cursor);
    need(bytes, cursor.at, 4, 'question type and class');
    questions.push({ labels, type: bytes.readUInt16BE(cursor.at), class: bytes.readUInt16BE(cursor.at + 2) });
    cursor.at += 4;
  }
  const section = (count: number, what: string): StrictRecord[] =>
    Array.from({ length: count }, (_, i) => readRecord(bytes, cursor, `${what} ${i + 1}`));
  const answers = section(counts[1], 'answer');
  const authorities = section(counts[2], 'authority');
  const additionals = section(counts[3], 'additional');
  if (cursor.at !== bytes.length) throw new Malformed(`${bytes.length - cursor.at} bytes after the last record`);
  return { header, questions, answers, authorities, additionals };
}

function need(bytes: Buffer, at: number, size: number, what: string): void {
  if (at + size > bytes.length) throw new Malformed(`${what} runs past the end (offset ${at})`);
}

function readRecord(bytes: Buffer, cursor: { at: number }, what: string): StrictRecord {
  const labels = readName(bytes, cursor);
  need(bytes, cursor.at, 10, `${what} fixed fields`);
  const type = bytes.readUInt16BE(cursor.at);
  const rclass = bytes.readUInt16BE(cursor.at + 2);
  const ttl = bytes.readUInt32BE(cursor.at + 4);
  const rdlength = bytes.readUInt16BE(cursor.at + 8);
  cursor.at += 10;
  need(bytes, cursor.at, rdlength, `${what} RDATA`);
  const rdata = bytes.subarray(cursor.at, cursor.at + rdlength);
  checkRdata(bytes, type, cursor.at, rdlength, what);
  cursor.at += rdlength;
  return { labels, type, class: rclass, ttl, rdata };
}

/** The RDATA of the types we send must have their exact shape (names inside end inside it). */
function checkRdata(bytes: Buffer, type: number, start: number, length: number, what: string): void {
  const end = start + length;
  const nameAt = (at: number): number => {
    const cursor = { at };
    readName(bytes, cursor);
    if (cursor.at > end) throw new Malformed(`${what}: name runs past RDATA`);
    return cursor.at;
  };
  const expectEnd = (at: number): void => {
    if (at !== end) throw new Malformed(`${what}: type ${type} RDATA is ${length} bytes, content ends at ${at - start}`);
  };
  switch (type) {
    case 1: return expectEnd(start + 4);
    case 28: return expectEnd(start + 16);
    case 2: case 5: case 12: return expectEnd(nameAt(start));
    case 33: return expectEnd(nameAt(start + 6));
    case 6: return expectEnd(nameAt(nameAt(start)) + 20);
    case 16: {
      let at = start;
      while (at < end) at += 1 + (bytes[at] as number);
      return expectEnd(at);
    }
    case 41: {
      let at = start;
      while (at < end) {
        if (at + 4 > end) throw new Malformed(`${what}: truncated EDNS option`);
        at += 4 + bytes.readUInt16BE(at + 2);
      }
      return expectEnd(at);
    }
    default:
      return undefined;
  }
}

/** Reads a name at cursor.at, following pointers strictly backwards. */
export function readName(bytes: Buffer, cursor: { at: number }): string[] {
  const labels: string[] = [];
  let at = cursor.at;
  let wireLength = 1;
  let jumped = false;
  for (;;) {
    need(bytes, at, 1, 'name');
    const length = bytes[at] as number;
    if (length === 0) {
      if (!jumped) cursor.at = at + 1;
      return labels;
    }
    const kind = length & 0xc0;
    if (kind === 0xc0) {
      need(bytes, at, 2, 'compression pointer');
      const target = bytes.readUInt16BE(at) & 0x3fff;
      if (target >= at) throw new Malformed(`compression pointer at ${at} points forward to ${target}`);
      if (!jumped) cursor.at = at + 2;
      jumped = true;
      at = target;
      continue;
    }
    if (kind !== 0) throw new Malformed(`reserved label type 0x${kind.toString(16)} at ${at}`);
    if (length > MAX_LABEL) throw new Malformed(`label of ${length} bytes`);
    need(bytes, at + 1, length, 'label');
    wireLength += 1 + length;
    if (wireLength > MAX_NAME) throw new Malformed(`name longer than ${MAX_NAME} bytes`);
    labels.push(bytes.toString('latin1', at + 1, at + 1 + length));
    at += 1 + length;
  }
}
