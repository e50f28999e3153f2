// Any byte inside a label is echoed as sent (RFC 1035 §4.1.1: a reply's
// question is the query's). A '.' inside a label used to come back as two
// labels (dns2 joins labels with '.'); names are now escaped end to end
// (src/dns/escape.ts). The real server over real UDP and TCP sockets; names
// outside the cluster go to a fake upstream on loopback, twice (the second
// answer comes from the cache).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RCODE_NAMES } from '../helpers/dns.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { startServe, type ServerProcess } from '../helpers/server-process.js';
import { frame, tcpExchange, UdpClient } from '../helpers/clients.js';

/** A query for `labels` (raw bytes each, latin1), type A, RD set, no OPT. */
function queryFor(id: number, labels: readonly string[]): Buffer {
  const header = Buffer.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
  const name = labels.map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, 'latin1')]));
  return Buffer.concat([header, ...name, Buffer.from([0, 0, 1, 0, 1])]);
}

/** The question section of a message whose name is uncompressed (ours and the server's echo). */
function questionBytes(message: Buffer): Buffer {
  let at = 12;
  while (message[at] !== 0) at += 1 + (message[at] as number);
  return message.subarray(12, at + 5);
}

const LABELS = [
  { label: 'a.b', what: 'a dot' },
  { label: 'a\\b', what: 'a backslash' },
  { label: 'a\x00b', what: 'a zero byte' },
  { label: 'a\xffb', what: 'byte 0xff' },
  { label: 'a b', what: 'a space' },
  { label: 'NoSuch', what: 'upper-case letters' },
  { label: 'A.\\B.', what: 'upper case, dots and a backslash' },
] as const;

interface Row {
  readonly name: string;
  readonly labels: readonly string[];
  /** What CoreDNS answers: NXDOMAIN for a name in the zone (no cluster name has such a label), the upstream's answer outside. */
  readonly rcode: (typeof RCODE_NAMES)[number];
  readonly forwarded: boolean;
}

/** The rows for one transport; names outside the zone end in `tld` so each transport fills its own cache entries. */
function rows(tld: string): Row[] {
  return [
    ...LABELS.map((row) => ({ name: `${row.what}, in the zone`, labels: [row.label, 'default', 'svc', 'cluster', 'local'], rcode: 'NXDOMAIN' as const, forwarded: false })),
    ...LABELS.map((row) => ({ name: `${row.what}, outside the zone`, labels: [row.label, 'example', tld], rcode: 'NOERROR' as const, forwarded: true })),
    // Joined with '.', this is kubernetes.default.svc.cluster.local, which exists: the label must not be split.
    { name: 'one label "kubernetes.default"', labels: ['kubernetes.default', 'svc', 'cluster', 'local'], rcode: 'NXDOMAIN', forwarded: false },
    // Two labels, "x.cluster" and "local": not under cluster.local, so forwarded as CoreDNS does.
    { name: `one label "x.cluster" before "local" (${tld})`, labels: [`x.cluster`, 'local', tld], rcode: 'NOERROR', forwarded: true },
  ];
}
const TRANSPORTS = [
  { transport: 'udp', rows: rows('org') },
  { transport: 'tcp', rows: rows('net') },
] as const;

let upstream: FakeUpstream;
let server: ServerProcess;
let udp: UdpClient;
let nextId = 0x4000;

beforeAll(async () => {
  upstream = await startFakeUpstream((query) => ({
    kind: 'reply',
    answer: [{ name: query.name, ttl: 60, data: { type: 'A', address: '192.0.2.7' } }],
  }));
  server = await startServe(['-f', 'manifests', '--upstream', `127.0.0.1:${upstream.port}`]);
  udp = new UdpClient(server.port);
});

afterAll(async () => {
  await udp?.close();
  await server?.stop();
  await upstream?.close();
});

async function ask(transport: 'udp' | 'tcp', message: Buffer): Promise<Buffer> {
  if (transport === 'tcp') {
    const [reply] = await tcpExchange(server.port, [frame(message)], 1);
    if (!reply) throw new Error('no TCP reply');
    return reply;
  }
  await udp.send(message);
  const received = await udp.until(message.readUInt16BE(0));
  return received[received.length - 1] as Buffer;
}

describe(`a label holding any byte is echoed as sent (${TRANSPORTS[0].rows.length} names × UDP and TCP, forwarded ones asked twice)`, () => {
  for (const { transport, rows } of TRANSPORTS) {
    it.each(rows)(`${transport}: $name → $rcode, question byte for byte`, async (row) => {
      const before = upstream.received.length;
      for (let attempt = 0; attempt < (row.forwarded ? 2 : 1); attempt++) {
        const query = queryFor(nextId++, row.labels);
        const reply = await ask(transport, query);
        expect(reply.readUInt16BE(0)).toBe(query.readUInt16BE(0));
        expect(reply.readUInt16BE(4)).toBe(1);
        expect(questionBytes(reply).toString('hex')).toBe(questionBytes(query).toString('hex'));
        expect(RCODE_NAMES[(reply[3] as number) & 0x0f]).toBe(row.rcode);
        expect(((reply[2] as number) & 0x04) !== 0).toBe(!row.forwarded); // AA: ours, not relayed
      }
      // Forwarded once (the second answer came from the cache) with the question as the client wrote it; names in the zone never.
      const asked = questionBytes(queryFor(0, row.labels)).toString('hex');
      const sent = upstream.received.slice(before).filter((received) => questionBytes(received.raw).toString('hex') === asked);
      expect(sent).toHaveLength(row.forwarded ? 1 : 0);
    });
  }

  it('the server logged no error', () => {
    expect(server.logs.filter((line) => Number(line['level']) >= 50)).toEqual([]);
  });
});
