// Issue 15 item 6: compression pointers that point forward or into the
// header, and an OPT record outside the additional section (or a second
// one), are FORMERR, as BIND answers (lib/dns/name.c, lib/dns/message.c).
// Hand-built packets: the structure check alone, the UDP fast path (which
// must hand every one of them to the full path), then a real server over
// UDP and TCP.

import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { structureProblem } from '../../src/dns/structure.js';
import { writeEmptyResponse } from '../../src/dns/wire.js';
import { scanQuery } from '../../src/server/scan.js';
import { startDnsServer, type DnsServer } from '../../src/server/index.js';
import { decode } from '../wire/decode.js';
import { tcpExchange, frame, UdpClient } from './clients.js';

function header(id: number, qd: number, an = 0, ns = 0, ar = 0): number[] {
  return [id >> 8, id & 0xff, 0x01, 0x00, 0, qd, 0, an, 0, ns, 0, ar];
}
/** "web.test" at offset 12 (ends at 22), then type A class IN. */
const QUESTION = [3, ...Buffer.from('web'), 4, ...Buffer.from('test'), 0, 0, 1, 0, 1];
/** A root OPT record, payload 1232, no options. */
const OPT = [0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0];
/** An A record owned by a pointer to the question name. */
const A_AT_QUESTION = [0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 1];

interface Row {
  readonly why: string;
  readonly bytes: (id: number) => number[];
  /** undefined: structurally fine. */
  readonly problem?: { readonly inQuestion: boolean; readonly reason: RegExp };
}

const rows: readonly Row[] = [
  { why: 'plain query', bytes: (id) => [...header(id, 1), ...QUESTION] },
  { why: 'one OPT in additional', bytes: (id) => [...header(id, 1, 0, 0, 1), ...QUESTION, ...OPT] },
  { why: 'record owner pointing back at the question', bytes: (id) => [...header(id, 1, 1), ...QUESTION, ...A_AT_QUESTION] },
  {
    why: 'question name is a pointer to itself',
    bytes: (id) => [...header(id, 1), 0xc0, 12, 0, 1, 0, 1],
    problem: { inQuestion: true, reason: /points forward/ },
  },
  {
    why: 'question name points into the header',
    bytes: (id) => [...header(id, 1), 0xc0, 4, 0, 1, 0, 1],
    problem: { inQuestion: true, reason: /into the header/ },
  },
  {
    why: 'question name points forward (to a name after it)',
    bytes: (id) => [...header(id, 1, 0, 0, 1), 1, 0x61, 0xc0, 20, 0, 1, 0, 1, 1, 0x62, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0],
    problem: { inQuestion: true, reason: /points forward/ },
  },
  {
    why: 'record owner pointing into its own labels',
    bytes: (id) => [...header(id, 1, 0, 0, 1), ...QUESTION, 1, 0x61, 0xc0, 26, ...OPT.slice(1)],
    problem: { inQuestion: false, reason: /points forward/ },
  },
  {
    why: 'record owner pointing into the header',
    bytes: (id) => [...header(id, 1, 1), ...QUESTION, 0xc0, 0, ...A_AT_QUESTION.slice(2)],
    problem: { inQuestion: false, reason: /into the header/ },
  },
  {
    why: 'OPT in the answer section',
    bytes: (id) => [...header(id, 1, 1), ...QUESTION, ...OPT],
    problem: { inQuestion: false, reason: /OPT record in the answer section/ },
  },
  {
    why: 'OPT in the authority section',
    bytes: (id) => [...header(id, 1, 0, 1), ...QUESTION, ...OPT],
    problem: { inQuestion: false, reason: /OPT record in the authority section/ },
  },
  {
    why: 'two OPT records',
    bytes: (id) => [...header(id, 1, 0, 0, 2), ...QUESTION, ...OPT, ...OPT],
    problem: { inQuestion: false, reason: /more than one OPT/ },
  },
];

describe('structureProblem', () => {
  it.each(rows)('$why', ({ bytes, problem }) => {
    const found = structureProblem(Buffer.from(bytes(1)));
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toMatchObject({ inQuestion: problem.inQuestion, reason: expect.stringMatching(problem.reason) });
  });

  it('says nothing about a message cut short (the decoder reports that)', () => {
    expect(structureProblem(Buffer.from([...header(1, 1, 1), ...QUESTION, 0xc0]))).toBeUndefined();
  });
});

describe('the UDP fast path', () => {
  it.each(rows.filter((row) => row.problem))('hands "$why" to the full path', ({ bytes }) => {
    expect(scanQuery(Buffer.from(bytes(1)), undefined)).toBeUndefined();
  });
});

describe('a real server answers FORMERR (UDP and TCP)', () => {
  let server: DnsServer;
  let client: UdpClient;
  beforeAll(async () => {
    const handler = (query: Parameters<typeof writeEmptyResponse>[0]): Buffer => writeEmptyResponse(query, { rcode: 0 });
    server = await startDnsServer({ host: '127.0.0.1', port: 0, handler, logger: pino({ level: 'silent' }) });
    client = new UdpClient(server.port);
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  const numbered = rows.map((row, index) => ({ ...row, id: 100 + index }));

  it.each(numbered)('$why', async ({ bytes, problem, id }) => {
    const message = Buffer.from(bytes(id));
    await client.send(message);
    const [udp] = await client.until(id);
    const [tcp] = await tcpExchange(server.port, [frame(message)], 1);
    for (const reply of [udp, tcp]) {
      const decoded = decode(reply ?? Buffer.alloc(0));
      expect(decoded.rcode).toBe(problem ? 1 : 0);
      if (problem) expect(decoded.counts.qd).toBe(problem.inQuestion ? 0 : 1);
    }
  });
});
