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
import { newStormResult, probeQuery, tcpStorm, udpStorm } from './sockets.js';

const UDP_INPUTS = 2_000;
const TCP_STREAMS = 200;
const SEED = 11_2026;

describe(`request path fuzz against a real server (${UDP_INPUTS} datagrams, ${TCP_STREAMS} TCP streams)`, () => {
  let server: ServerProcess;
  const udp = newStormResult();
  const tcp = newStormResult();

  beforeAll(async () => {
    server = await startServe(FUZZ_MANIFESTS.flatMap((path) => ['-f', path]));
    await udpStorm(server.port, fc.sample(anyDatagram, { numRuns: UDP_INPUTS, seed: SEED }), udp);
    await tcpStorm(server.port, fc.sample(tcpStream, { numRuns: TCP_STREAMS, seed: SEED }), tcp);
  }, 60_000);
  afterAll(async () => {
    await server.stop();
  });

  it('UDP: every reply parses, matches its query and fits the client (inputs and replies counted)', () => {
    console.log(`UDP fuzz: ${udp.inputs} inputs, ${udp.replies} replies checked, ${udp.findings.length} findings`);
    expect(udp.inputs).toBe(UDP_INPUTS);
    expect(udp.replies).toBeGreaterThan(UDP_INPUTS / 3);
    expect(udp.findings).toEqual([]);
  });

  it('TCP: every framed reply parses and matches its frame; partial frames and resets are survived', () => {
    console.log(`TCP fuzz: ${TCP_STREAMS} streams, ${tcp.inputs} complete frames, ${tcp.replies} replies checked, ${tcp.findings.length} findings`);
    expect(tcp.replies).toBeGreaterThan(0);
    expect(tcp.findings).toEqual([]);
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

  it('over TCP a QR=1 message gets no reply, and a client that half-closed after it is closed at once (not at the idle timeout)', async () => {
    const { frames, closedWithinMs } = await tcpExchange(server.port, [qrSet(probeQuery(0x5151))], 2_000);
    expect(frames).toEqual([]);
    expect(closedWithinMs).toBe(true); // the idle timeout is 5 s; a normal query closes the same way at once
  });

  it('over TCP a pipelined QR=1 message and a normal query in one stream get exactly one answer, to the query', async () => {
    const { frames, closedWithinMs } = await tcpExchange(server.port, [qrSet(probeQuery(0x5252)), probeQuery(0x5353)], 2_000);
    expect(frames.map((reply) => reply.readUInt16BE(0))).toEqual([0x5353]);
    expect(closedWithinMs).toBe(true);
  });
});

function qrSet(message: Buffer): Buffer {
  const copy = Buffer.from(message);
  copy[2] = (copy[2] as number) | 0x80;
  return copy;
}

/**
 * Write `messages` framed in one stream, half-close, and collect the framed
 * replies until the server closes or `waitMs` passes.
 */
async function tcpExchange(port: number, messages: Buffer[], waitMs: number): Promise<{ frames: Buffer[]; closedWithinMs: boolean }> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  let buffered = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => (buffered = Buffer.concat([buffered, chunk])));
  socket.end(Buffer.concat(messages.map((m) => Buffer.concat([Buffer.from([m.length >> 8, m.length & 0xff]), m]))));
  const closedWithinMs = await Promise.race([
    new Promise<boolean>((resolve) => socket.once('close', () => resolve(true))),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), waitMs)),
  ]);
  socket.destroy();
  const frames: Buffer[] = [];
  while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
    frames.push(buffered.subarray(2, 2 + buffered.readUInt16BE(0)));
    buffered = buffered.subarray(2 + buffered.readUInt16BE(0));
  }
  return { frames, closedWithinMs };
}
