// Printing a response like dig: what a server sent, every record of it.

import { describe, expect, it } from 'vitest';
import { decodeResponse, encodeQuery, formatResponse } from '../../src/cli/dig-format.js';
import { RRType } from '../../src/dns/types.js';

/** A forwarded-looking response to `example.com MX`: one MX, which our record types do not model. */
function mxResponse(): Buffer {
  const query = encodeQuery(0x1234, 'Example.com', RRType.MX);
  const header = Buffer.from(query.subarray(0, 12));
  header.writeUInt16BE(0x8180, 2); // qr rd ra, NOERROR
  header.writeUInt16BE(1, 6); // one answer
  const rdata = Buffer.from([0, 10, 4, ...Buffer.from('mail'), 0xc0, 12]);
  const record = Buffer.alloc(12);
  record.writeUInt16BE(0xc00c, 0);
  record.writeUInt16BE(RRType.MX, 2);
  record.writeUInt16BE(1, 4);
  record.writeUInt32BE(300, 6);
  record.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([header, query.subarray(12), record, rdata]);
}

describe('dig-like printing', () => {
  it('prints the header, the question as asked and unmodelled records in RFC 3597 form', () => {
    const decoded = decodeResponse(mxResponse());
    if (decoded instanceof Error) throw decoded;
    expect(formatResponse(decoded)).toBe(
      [
        ';; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 4660',
        ';; flags: qr rd ra; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 0',
        '',
        ';; QUESTION SECTION:',
        ';Example.com. IN MX',
        '',
        ';; ANSWER SECTION:',
        'Example.com. 300 IN MX \\# 9 000a046d61696cc00c',
        '',
      ].join('\n'),
    );
  });

  it('reports a malformed response as an error value', () => {
    expect(decodeResponse(Buffer.from([0, 1, 2]))).toBeInstanceOf(Error);
  });
});
