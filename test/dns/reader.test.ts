// The strict raw reader: malformed messages are Error values, never throws.

import { describe, expect, it } from 'vitest';
import { parseMessage, readName } from '../../src/dns/reader.js';

/** Header with id 1, QR, the given counts. */
function header(qd: number, an = 0, ns = 0, ar = 0): number[] {
  return [0, 1, 0x81, 0x80, 0, qd, 0, an, 0, ns, 0, ar];
}
const WWW = [3, 0x77, 0x57, 0x77, 7, ...Buffer.from('example'), 3, ...Buffer.from('com'), 0];
const QTAIL = [0, 1, 0, 1];
/** An A record whose owner points at the question name (offset 12). */
const A_RECORD = [0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 192, 0, 2, 1];
/** A root OPT record, payload 1232, no options. */
const OPT = [0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0];

describe('parseMessage', () => {
  it('finds the question (lower-cased) and each record with its TTL offset', () => {
    const message = Buffer.from([...header(1, 1), ...WWW, ...QTAIL, ...A_RECORD]);
    const parsed = parseMessage(message);
    if (parsed instanceof Error) throw parsed;
    expect(parsed.question).toEqual({ name: 'www.example.com', nameLength: 17, type: 1, class: 1 });
    expect(parsed.records).toEqual([
      { section: 'answer', start: 33, end: 49, type: 1, class: 1, ttl: 3600, ttlOffset: 39, rdataOffset: 45, rdlength: 4 },
    ]);
  });

  it.each([
    { case: 'shorter than a header', bytes: [0, 1, 0x81] },
    { case: 'no question', bytes: header(0) },
    { case: 'two questions', bytes: [...header(2), ...WWW, ...QTAIL, ...WWW, ...QTAIL] },
    { case: 'question name runs past the end', bytes: [...header(1), 3, 0x77, 0x77] },
    { case: 'question type cut', bytes: [...header(1), ...WWW, 0] },
    { case: 'pointer to itself', bytes: [...header(1), 0xc0, 12, ...QTAIL] },
    { case: 'forward pointer', bytes: [...header(1), 0xc0, 20, ...QTAIL, 0, 0, 0, 0] },
    { case: 'pointer into the header', bytes: [...header(1), 0xc0, 2, ...QTAIL] },
    { case: 'unknown label type 0x40', bytes: [...header(1), 0x41, 0x61, 0, ...QTAIL] },
    { case: 'answer count larger than the records', bytes: [...header(1, 2), ...WWW, ...QTAIL, ...A_RECORD] },
    { case: 'rdata past the end', bytes: [...header(1, 1), ...WWW, ...QTAIL, ...A_RECORD.slice(0, -1)] },
    // BIND's rule: pointers point before the name being read, so a name can never loop on itself.
    { case: 'owner pointing into its own labels', bytes: [...header(1, 1), ...WWW, ...QTAIL, 1, 0x61, 0xc0, 33, ...A_RECORD.slice(2)] },
    { case: 'OPT in the answer section', bytes: [...header(1, 1), ...WWW, ...QTAIL, ...OPT] },
    { case: 'OPT in the authority section', bytes: [...header(1, 0, 1), ...WWW, ...QTAIL, ...OPT] },
    { case: 'two OPT records', bytes: [...header(1, 0, 0, 2), ...WWW, ...QTAIL, ...OPT, ...OPT] },
  ])('rejects a message with $case', ({ bytes }) => {
    expect(parseMessage(Buffer.from(bytes))).toBeInstanceOf(Error);
  });

  it('rejects a name longer than 255 octets', () => {
    const label = [63, ...Buffer.alloc(63, 0x61)];
    const name = [...label, ...label, ...label, ...label, 0];
    expect(readName(Buffer.from([...header(1), ...name]), 12)).toBeInstanceOf(Error);
  });

  it('accepts one OPT record in the additional section', () => {
    const parsed = parseMessage(Buffer.from([...header(1, 1, 0, 1), ...WWW, ...QTAIL, ...A_RECORD, ...OPT]));
    if (parsed instanceof Error) throw parsed;
    expect(parsed.records.map((record) => record.type)).toEqual([1, 41]);
  });

  it('follows a chain of backward pointers', () => {
    // question www.example.com; then "mail" + pointer to "example.com" (offset 16)
    const message = Buffer.from([...header(1), ...WWW, ...QTAIL, 4, ...Buffer.from('mail'), 0xc0, 16]);
    expect(readName(message, 33)).toEqual({ name: 'mail.example.com', end: 40 });
  });
});
