// A growable byte buffer plus the name encoder with compression (RFC 1035 §4.1.4).
//
// Used at load time only (prepareAnswer), so clarity beats speed here; the
// per-query path in wire.ts only copies the bytes this produces.

import { labelStarts, nameLabels, nameWireLength } from './escape.js';

/** Compression pointers hold a 14-bit offset. */
const MAX_POINTER_OFFSET = 0x3fff;
const MAX_LABEL = 63;
const MAX_NAME = 255;

export class WireWriter {
  private buffer: Buffer;
  length = 0;

  /** `base` is the message offset of this writer's byte 0. */
  constructor(readonly base: number, initialSize = 256) {
    this.buffer = Buffer.alloc(initialSize);
  }

  /** Message offset of the next byte written. */
  get offset(): number {
    return this.base + this.length;
  }

  u8(value: number): void {
    this.reserve(1);
    this.buffer[this.length++] = value & 0xff;
  }

  u16(value: number): void {
    this.reserve(2);
    this.buffer.writeUInt16BE(value & 0xffff, this.length);
    this.length += 2;
  }

  u32(value: number): void {
    this.reserve(4);
    this.buffer.writeUInt32BE(value >>> 0, this.length);
    this.length += 4;
  }

  bytes(data: Uint8Array): void {
    this.reserve(data.length);
    this.buffer.set(data, this.length);
    this.length += data.length;
  }

  latin1(text: string): void {
    this.reserve(text.length);
    this.length += this.buffer.write(text, this.length, 'latin1');
  }

  /** Overwrite two bytes already written (RDLENGTH back-fill). */
  patchU16(at: number, value: number): void {
    this.buffer.writeUInt16BE(value, at);
  }

  /** A copy of the bytes written, sized exactly. */
  toBuffer(): Buffer {
    return Buffer.from(this.buffer.subarray(0, this.length));
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + extra) size *= 2;
    const grown = Buffer.alloc(size);
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
}

/** DNS compares names ASCII-case-insensitively; other bytes are compared as is. */
export function asciiLower(text: string): string {
  if (!/[A-Z]/.test(text)) return text;
  return text.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

/**
 * Split an absolute name (no trailing dot, root = '') into labels, checking
 * the RFC 1035 limits. Characters are written as single bytes (latin1), the
 * way the server decodes question names, so a name round-trips unchanged;
 * `\.` and `\\` stand for a '.' or '\' inside a label (src/dns/escape.ts).
 */
function splitName(name: string): string[] {
  if (name === '') return [];
  if (nameWireLength(name) > MAX_NAME) throw new Error(`cannot encode name "${name}": longer than ${MAX_NAME} octets`);
  if (/[^\x00-\xff]/.test(name)) throw new Error(`cannot encode name "${name}": characters outside one octet`);
  const labels = nameLabels(name);
  for (const label of labels) {
    if (label.length === 0) throw new Error(`cannot encode name "${name}": empty label`);
    if (label.length > MAX_LABEL) {
      throw new Error(`cannot encode name "${name}": label longer than ${MAX_LABEL} octets`);
    }
  }
  return labels;
}

export interface NameOptions {
  /** Replace a known suffix by a pointer (false for SRV targets, RFC 2782). */
  readonly compress: boolean;
  /** Remember the suffixes written here as pointer targets for later names. */
  readonly register: boolean;
}

/** Suffix (lower-cased) → message offset where it was written. */
export class CompressionTable {
  private readonly offsets = new Map<string, number>();

  /** Seed with every suffix of a name that sits at `offset` in the message. */
  seed(name: string, offset: number): void {
    const labels = splitName(name);
    const lower = asciiLower(name);
    const starts = labelStarts(name);
    let wire = 0;
    labels.forEach((label, i) => {
      this.remember(lower.slice(starts[i]), offset + wire);
      wire += label.length + 1;
    });
  }

  /** Write `name` at the writer's end, compressing and registering as asked. */
  writeName(writer: WireWriter, name: string, options: NameOptions): void {
    const labels = splitName(name);
    // Suffix keys are tails of the lower-cased name text: label i starts at starts[i].
    const lower = asciiLower(name);
    const starts = labelStarts(name);
    for (const [i, label] of labels.entries()) {
      const key = lower.slice(starts[i]);
      const pointer = options.compress ? this.offsets.get(key) : undefined;
      if (pointer !== undefined) {
        writer.u16(0xc000 | pointer);
        return;
      }
      if (options.register) this.remember(key, writer.offset);
      writer.u8(label.length);
      writer.latin1(label);
    }
    writer.u8(0);
  }

  private remember(key: string, offset: number): void {
    // First occurrence wins: it is the earliest, so pointers only go backwards.
    if (offset <= MAX_POINTER_OFFSET && !this.offsets.has(key)) this.offsets.set(key, offset);
  }
}
