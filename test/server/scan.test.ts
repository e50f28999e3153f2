// The UDP fast path must read every message it accepts exactly as the full
// path (dns2 decode + readRequest) does, and hand everything else back.

import { Packet } from 'dns2';
import { describe, expect, it } from 'vitest';
import { readRequest } from '../../src/server/request.js';
import { scanQuery } from '../../src/server/scan.js';
import { craft } from './clients.js';

/** The full path's reading of a message: its Query when the verdict is 'query'. */
function fullPath(message: Buffer): unknown {
  const verdict = readRequest(Packet.parse(message), 'udp');
  return verdict.kind === 'query' ? verdict.query : verdict.kind;
}

function withOption(code: number, data: Buffer): Buffer {
  const base = craft({ id: 7, questions: [{ name: 'web.prod.svc.cluster.local' }], opts: [{}] });
  const option = Buffer.alloc(4 + data.length);
  option.writeUInt16BE(code, 0);
  option.writeUInt16BE(data.length, 2);
  data.copy(option, 4);
  const out = Buffer.concat([base, option]);
  out.writeUInt16BE(option.length, base.length - 2); // OPT RDLENGTH
  return out;
}

const accepted: Array<{ why: string; message: Buffer }> = [
  { why: 'plain A query', message: craft({ id: 1, questions: [{ name: 'web.prod.svc.cluster.local' }] }) },
  { why: 'mixed case kept', message: craft({ id: 2, questions: [{ name: 'WeB.PROD.svc.Cluster.local', type: 33 }] }) },
  { why: 'root name', message: craft({ id: 3, questions: [{ name: '', type: 2 }] }) },
  { why: 'RD clear, CD set', message: craft({ id: 4, rd: false, cd: true, questions: [{ name: 'a.b' }] }) },
  { why: 'EDNS with DO', message: craft({ id: 5, questions: [{ name: 'x.y' }], opts: [{ udpSize: 4096, do: true }] }) },
  { why: 'EDNS small size', message: craft({ id: 6, questions: [{ name: 'x.y', class: 255 }], opts: [{ udpSize: 100 }] }) },
  { why: 'EDNS cookie option', message: withOption(10, Buffer.alloc(8, 1)) },
  { why: 'odd bytes in a label', message: craft({ id: 8, questions: [{ name: 'a\u00ff\u0001b.c d' }] }) },
  // §10: NOTIFY is answered like a QUERY, on both paths
  { why: 'opcode NOTIFY', message: craft({ id: 12, opcode: 4, questions: [{ name: 'a' }] }) },
  { why: 'class CH', message: craft({ id: 17, questions: [{ name: 'version.bind', type: 16, class: 3 }] }) },
];

function rejectedCases(): Array<{ why: string; message: Buffer }> {
  const base = craft({ id: 9, questions: [{ name: 'web.prod' }] });
  const compressed = Buffer.from(base);
  compressed[12] = 0xc0;
  compressed[13] = 12;
  const trailing = Buffer.concat([base, Buffer.from([0])]);
  const dotted = craft({ id: 10, questions: [{ name: 'x' }] });
  dotted[13] = 0x2e;
  const unfinished = base.subarray(0, base.length - 5);
  return [
    { why: 'response (QR)', message: craft({ id: 11, qr: true, questions: [{ name: 'a' }] }) },
    { why: 'opcode UPDATE', message: craft({ id: 12, opcode: 5, questions: [{ name: 'a' }] }) },
    { why: 'two questions', message: craft({ id: 13, questions: [{ name: 'a' }, { name: 'b' }] }) },
    { why: 'no question', message: craft({ id: 14, questions: [] }) },
    { why: 'two OPT records', message: craft({ id: 15, questions: [{ name: 'a' }], opts: [{}, {}] }) },
    { why: 'EDNS version 1', message: craft({ id: 16, questions: [{ name: 'a' }], opts: [{ version: 1 }] }) },
    { why: 'ECS option (dns2 decodes it)', message: withOption(8, Buffer.from([0, 1, 24, 0, 10, 0, 0])) },
    { why: 'option longer than RDATA', message: withOption(10, Buffer.alloc(8)).subarray(0, -2) },
    { why: 'compressed question name', message: compressed },
    { why: 'trailing bytes', message: trailing },
    { why: 'dot inside a label', message: dotted },
    { why: 'question cut short', message: unfinished },
  ];
}

describe('scanQuery (UDP fast path)', () => {
  it.each(accepted)('reads $why as the full path does', ({ message }) => {
    const scanned = scanQuery(message, undefined);
    expect(scanned).toBeDefined();
    expect(scanned).toEqual(fullPath(message));
  });

  it('leaves the message bytes as they were', () => {
    const message = craft({ id: 1, questions: [{ name: 'web.prod.svc.cluster.local' }] });
    const copy = Buffer.from(message);
    scanQuery(message, undefined);
    expect(message).toEqual(copy);
  });

  it('attaches the client it is given', () => {
    const client = { address: '127.0.0.1', port: 5353, size: 40 };
    expect(scanQuery(craft({ id: 1, questions: [{ name: 'a' }] }), client)?.client).toEqual(client);
  });

  it.each(rejectedCases())('hands $why to the full decoder', ({ message }) => {
    expect(scanQuery(message, undefined)).toBeUndefined();
  });
});
