// The two ways the server reads UDP: `--udp-io batch` (recvmmsg/sendmmsg in
// batches, src/native/udp_batch.c) and `--udp-io dgram` (node:dgram, one
// datagram at a time). A client must not be able to tell them apart: the same
// datagrams sent to both get the same bytes back (or nothing from both), late
// replies (forwarded names) reach the client that asked, and a burst is
// answered in full. Real CLI processes, raw UDP sockets, a fake upstream, all
// on loopback.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode } from '../helpers/dns.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { runCli, startServe, type ServerProcess } from '../helpers/server-process.js';
import { craft, query, UdpClient } from '../helpers/clients.js';

const MODES = ['batch', 'dgram'] as const;
type Mode = (typeof MODES)[number];

/** 60 pods behind a headless service: an A answer of about 1 KB (cut with TC for a client without EDNS). */
const WIDE = `apiVersion: v1
kind: Service
metadata: {name: wide, namespace: default}
spec: {clusterIP: None, selector: {app: wide}, ports: [{name: http, port: 80}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: wide, namespace: default}
spec:
  replicas: 60
  selector: {matchLabels: {app: wide}}
  template:
    metadata: {labels: {app: wide}}
    spec: {containers: [{name: c, image: x}]}
`;

/** A datagram whose label holds a '.': the fast path declines it, the codec's readRequest reads it. */
function dottedLabelQuery(id: number): Buffer {
  const header = Buffer.from([id >> 8, id & 0xff, 0x01, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
  const labels = ['a.b', 'default', 'svc', 'cluster', 'local'].map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  return Buffer.concat([header, ...labels, Buffer.from([0, 0, 1, 0, 1])]);
}

/** What is sent, by id. Each row is sent to both servers, in this order. */
const ROWS: { name: string; message: (id: number) => Buffer }[] = [
  { name: 'ClusterIP A', message: (id) => query(id, 'userlist-svc.user03.svc.cluster.local') },
  { name: 'ClusterIP AAAA (NODATA + SOA)', message: (id) => craft({ id, questions: [{ name: 'userlist-svc.user03.svc.cluster.local', type: 28 }] }) },
  { name: 'headless A', message: (id) => query(id, 'userlist-svc-hl.user03.svc.cluster.local') },
  { name: 'headless A again (rotated)', message: (id) => query(id, 'userlist-svc-hl.user03.svc.cluster.local') },
  { name: 'StatefulSet pod', message: (id) => query(id, 'web-0.nginx.default.svc.cluster.local') },
  { name: 'SRV', message: (id) => craft({ id, questions: [{ name: '_http._tcp.userlist-svc.user03.svc.cluster.local', type: 33 }] }) },
  { name: 'search-list NXDOMAIN', message: (id) => query(id, 'userlist-svc.user03.svc.cluster.local.user03.svc.cluster.local') },
  { name: '60 addresses, EDNS 1232', message: (id) => craft({ id, questions: [{ name: 'wide.default.svc.cluster.local' }], opts: [{ udpSize: 1232 }] }) },
  { name: '60 addresses, no EDNS (TC)', message: (id) => query(id, 'wide.default.svc.cluster.local') },
  { name: 'mixed-case name', message: (id) => query(id, 'UserList-Svc.USER03.svc.cluster.local') },
  { name: 'a "." inside a label (codec path)', message: dottedLabelQuery },
  { name: 'opcode STATUS (NOTIMP)', message: (id) => craft({ id, opcode: 2, questions: [{ name: 'cluster.local' }] }) },
  { name: 'two questions (FORMERR)', message: (id) => craft({ id, questions: [{ name: 'a.cluster.local' }, { name: 'b.cluster.local' }] }) },
  { name: 'EDNS version 1 (BADVERS)', message: (id) => craft({ id, questions: [{ name: 'cluster.local' }], opts: [{ version: 1 }] }) },
  { name: 'a response (QR set): no reply', message: (id) => craft({ id, qr: true, questions: [{ name: 'cluster.local' }] }) },
  { name: 'a truncated header: no reply', message: (id) => Buffer.from([id >> 8, id & 0xff, 1, 0, 0]) },
  { name: 'an empty datagram: no reply', message: () => Buffer.alloc(0) },
  { name: 'a cut question', message: (id) => query(id, 'userlist-svc.user03.svc.cluster.local').subarray(0, 30) },
];

let upstream: FakeUpstream;
let manifests: string;
const servers = new Map<Mode, ServerProcess>();

beforeAll(async () => {
  manifests = mkdtempSync(path.join(tmpdir(), 'clusterdns-udp-io-'));
  writeFileSync(path.join(manifests, 'wide.yaml'), WIDE);
  upstream = await startFakeUpstream((asked) => ({
    kind: 'reply',
    delayMs: asked.name.startsWith('slow') ? 100 : 0,
    answer: [{ name: asked.name, ttl: 300, data: { type: 'A', address: asked.name.startsWith('two') ? '192.0.2.2' : '192.0.2.1' } }],
  }));
  for (const mode of MODES) {
    servers.set(
      mode,
      await startServe(['-f', 'manifests', '-f', manifests, '--udp-io', mode, '--upstream', `127.0.0.1:${upstream.port}`, '--log-level', 'info']),
    );
  }
});

afterAll(async () => {
  for (const server of servers.values()) await server.stop();
  await upstream?.close();
  if (manifests) rmSync(manifests, { recursive: true, force: true });
});

const server = (mode: Mode): ServerProcess => servers.get(mode) as ServerProcess;

/** Send `message`, then a probe; whatever came back before the probe's answer is the reply (or nothing). */
async function exchange(client: UdpClient, message: Buffer, probeId: number): Promise<string[]> {
  await client.send(message);
  await client.send(query(probeId, 'kubernetes.default.svc.cluster.local'));
  const received = await client.until(probeId);
  return received.slice(0, -1).map((reply) => reply.toString('hex'));
}

describe('--udp-io batch and --udp-io dgram', () => {
  it.each(MODES)('%s: the serving line says how UDP is read', (mode) => {
    const serving = server(mode).logs.find((line) => String(line['msg']).startsWith('serving'));
    expect(serving?.['udpIo']).toBe(mode);
  });

  it(`answer ${ROWS.length} kinds of datagram byte for byte alike`, async () => {
    const clients = new Map(MODES.map((mode) => [mode, new UdpClient(server(mode).port)]));
    try {
      let id = 0x2000;
      for (const row of ROWS) {
        const replies = new Map<Mode, string[]>();
        const messageId = id++;
        const probeId = id++;
        for (const mode of MODES) replies.set(mode, await exchange(clients.get(mode)!, row.message(messageId), probeId));
        expect({ row: row.name, reply: replies.get('batch') }).toEqual({ row: row.name, reply: replies.get('dgram') });
        if (row.name.includes('no reply')) expect(replies.get('batch')).toEqual([]);
        else expect(replies.get('batch'), row.name).toHaveLength(1);
      }
      // The rows that must be cut: TC set, no answers; the same name with EDNS fits.
      const cut = decode(Buffer.from((await exchange(clients.get('batch')!, query(1, 'wide.default.svc.cluster.local'), 2))[0] as string, 'hex'));
      expect(cut.tc).toBe(true);
    } finally {
      for (const client of clients.values()) await client.close();
    }
  });

  it.each(MODES)('%s: a forwarded name answered late reaches the client that asked, while cluster names flow', async (mode) => {
    const [first, second] = [new UdpClient(server(mode).port), new UdpClient(server(mode).port)];
    try {
      await first.send(query(0x7001, `slow-one-${mode}.example.org`));
      await second.send(query(0x7002, `slow-two-${mode}.example.org`));
      for (let i = 0; i < 50; i++) await first.send(query(0x7100 + i, 'userlist-svc.user03.svc.cluster.local'));
      const [toFirst] = (await first.until(0x7001)).filter((reply) => reply.readUInt16BE(0) === 0x7001);
      const [toSecond] = (await second.until(0x7002)).filter((reply) => reply.readUInt16BE(0) === 0x7002);
      expect(decode(toFirst!).answer).toEqual([expect.stringContaining('192.0.2.1')]);
      expect(decode(toSecond!).answer).toEqual([expect.stringContaining('192.0.2.1')]);
      expect(decode(toFirst!).question).toContain(`slow-one-${mode}.example.org`);
      expect(decode(toSecond!).question).toContain(`slow-two-${mode}.example.org`);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it.each(MODES)('%s: 3,000 queries from 3 clients in waves of 100 each, mixed with garbage, are all answered', async (mode) => {
    // Batched replies leave in bursts of up to 64: the clients' receive
    // queues must hold a wave (a real resolver has one query out, not 100).
    const clients = [0, 1, 2].map(() => new UdpClient(server(mode).port, { recvBufferSize: 1 << 20 }));
    const names = ['userlist-svc.user03.svc.cluster.local', 'wide.default.svc.cluster.local', 'nosuch.default.svc.cluster.local'];
    try {
      for (let wave = 0; wave < 10; wave++) {
        const sends: Promise<void>[] = [];
        for (let i = wave * 100; i < (wave + 1) * 100; i++) {
          clients.forEach((client, c) => {
            sends.push(client.send(craft({ id: i, questions: [{ name: names[c] as string }], opts: [{ udpSize: 1232 }] })));
            if (i % 10 === 0) sends.push(client.send(Buffer.from([0xff, i & 0xff, 0x80])));
          });
        }
        await Promise.all(sends);
        const replies = await Promise.all(clients.map((client) => client.until(wave * 100 + 99)));
        replies.forEach((received, c) => {
          expect(new Set(received.map((reply) => reply.readUInt16BE(0))).size).toBe(100);
          for (const reply of received) expect(decode(reply).question).toContain(names[c]);
        });
      }
    } finally {
      for (const client of clients) await client.close();
    }
  });

  it.each(MODES)('%s: nothing was logged at error level', (mode) => {
    expect(server(mode).logs.filter((line) => Number(line['level']) >= 50)).toEqual([]);
  });
});

describe('--udp-io validation', () => {
  it('refuses an unknown mode', async () => {
    const result = await runCli(['serve', '-f', 'manifests', '--port', '0', '--udp-io', 'fast']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--udp-io must be one of auto, batch, dgram, got "fast"');
  });
});

describe('--udp-io batch on IPv6 loopback', () => {
  it('answers over ::1 and reports the batched reader', async () => {
    const v6 = await startServe(['-f', 'manifests', '--bind', '::1', '--udp-io', 'batch', '--log-level', 'info']);
    try {
      const { createSocket } = await import('node:dgram');
      const socket = createSocket('udp6');
      const reply = await new Promise<Buffer>((resolve, reject) => {
        socket.once('message', resolve);
        socket.send(query(0x6006, 'userlist-svc.user03.svc.cluster.local'), v6.port, '::1', (err) => err && reject(err));
      });
      socket.close();
      expect(reply.readUInt16BE(0)).toBe(0x6006);
      expect(decode(reply).answer).toHaveLength(1);
      expect(v6.logs.find((line) => String(line['msg']).startsWith('serving'))?.['udpIo']).toBe('batch');
    } finally {
      await v6.stop();
    }
  });
});

describe('--udp-io batch: who sent what', () => {
  it('the query log names each datagram\'s own sender when three addresses alternate within batches', async () => {
    const logged = await startServe(['-f', 'manifests', '--udp-io', 'batch', '--log-queries']);
    const { createSocket } = await import('node:dgram');
    const sources = ['127.0.0.2', '127.0.0.3', '127.0.0.1'];
    const sockets = await Promise.all(
      sources.map((address) => new Promise<import('node:dgram').Socket>((resolve) => {
        const socket = createSocket('udp4');
        socket.bind(0, address, () => resolve(socket));
      })),
    );
    try {
      const answered = new Set<number>();
      for (const socket of sockets) socket.on('message', (reply: Buffer) => answered.add(reply.readUInt16BE(0)));
      for (let id = 0; id < 300; id++) sockets[id % 3]!.send(query(id, 'userlist-svc.user03.svc.cluster.local'), logged.port, '127.0.0.1');
      for (let wait = 0; wait < 100 && (answered.size < 300 || logged.logs.filter((l) => l['module'] === 'query').length < 300); wait++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const lines = logged.logs.filter((line) => line['module'] === 'query');
      expect(lines).toHaveLength(300);
      for (const line of lines) {
        const id = (line['query'] as { id: number }).id;
        expect({ id, remote: line['remote'], port: line['port'] }).toEqual({ id, remote: sources[id % 3], port: sockets[id % 3]!.address().port });
      }
    } finally {
      for (const socket of sockets) socket.close();
      await logged.stop();
    }
  });
});
