// Short fuzz run against a real `clusterdns serve` process (layer b): random
// and mutated datagrams over UDP, random TCP streams (partial frames, lying
// lengths, pipelining, resets), then a normal query must still be answered.

import fc from 'fast-check';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig } from '../helpers/dig.js';
import { startServe, type ServerProcess } from '../helpers/server-process.js';
import { anyDatagram, tcpStream } from './arbitraries.js';
import { FUZZ_MANIFESTS } from './in-process.js';
import { isKnownLimitation } from './invariants.js';
import { newStormResult, probeQuery, tcpStorm, udpStorm } from './sockets.js';

const UDP_INPUTS = 2_000;
const TCP_STREAMS = 200;
const SEED = 11_2026;

describe(`request path fuzz against a real server (${UDP_INPUTS} datagrams, ${TCP_STREAMS} TCP streams)`, () => {
  let server: ServerProcess;
  const udp = newStormResult();
  const tcp = newStormResult();
  const real = (findings: string[]) => findings.filter((f) => !isKnownLimitation(f.replace(/^\w+: /, '')));

  beforeAll(async () => {
    server = await startServe(FUZZ_MANIFESTS.flatMap((path) => ['-f', path]));
    await udpStorm(server.port, fc.sample(anyDatagram, { numRuns: UDP_INPUTS, seed: SEED }), udp);
    await tcpStorm(server.port, fc.sample(tcpStream, { numRuns: TCP_STREAMS, seed: SEED }), tcp);
  }, 60_000);
  afterAll(async () => {
    await server.stop();
  });

  it('UDP: every reply parses, matches its query and fits the client (inputs and replies counted)', () => {
    console.log(`UDP fuzz: ${udp.inputs} inputs, ${udp.replies} replies checked, ${real(udp.findings).length} findings`);
    expect(udp.inputs).toBe(UDP_INPUTS);
    expect(udp.replies).toBeGreaterThan(UDP_INPUTS / 3);
    expect(real(udp.findings)).toEqual([]);
  });

  it('TCP: every framed reply parses and matches its frame; partial frames and resets are survived', () => {
    console.log(`TCP fuzz: ${TCP_STREAMS} streams, ${tcp.inputs} complete frames, ${tcp.replies} replies checked, ${real(tcp.findings).length} findings`);
    expect(tcp.replies).toBeGreaterThan(0);
    expect(real(tcp.findings)).toEqual([]);
  });

  it('after the storm the process is up, logged no errors, and dig still gets an answer over UDP and TCP', async () => {
    expect(server.child.exitCode).toBeNull();
    expect(server.logs.filter((line) => Number(line['level']) >= 50)).toEqual([]);
    for (const transport of ['+notcp', '+tcp']) {
      const reply = await dig(server.port, [transport, 'kubernetes.default.svc.cluster.local', 'A']);
      expect(reply.status).toBe('NOERROR');
      expect(reply.answer.length).toBe(1);
    }
  });

  it('known limitation: over TCP a QR=1 message gets no reply and keeps a half-closed connection open (until the idle timeout)', async () => {
    const socket = net.connect(server.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    const response = probeQuery(0x5151);
    response[2] = (response[2] as number) | 0x80; // QR=1
    const length = Buffer.from([0, response.length]);
    const data: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => data.push(chunk));
    socket.end(Buffer.concat([length, response]));
    // A normal query in the same position is answered and the connection closed at once (RFC 7766 §6.2.3);
    // here, after a second of waiting, nothing has arrived and the server still holds the connection.
    const closedEarly = await Promise.race([
      new Promise<boolean>((resolve) => socket.once('close', () => resolve(true))),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 1_000)),
    ]);
    socket.destroy();
    expect(data).toEqual([]);
    expect(closedEarly).toBe(false);
  });
});
