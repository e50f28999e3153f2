// Issue 15 item 1, off-path cache poisoning (RFC 5452): every upstream query
// over UDP leaves from a fresh random port, so forged replies aimed at the
// port an attacker saw on an earlier query reach nothing. The forger is a
// real one: a raw socket (python3, IP_HDRINCL) sending every one of the
// 65,536 IDs from the upstream's own address and port, on loopback. It needs
// root (CI runs as root); without it that test is skipped. Against the old
// relay (one long-lived socket) this same flood poisoned the answer.

import { spawn, spawnSync } from 'node:child_process';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Query } from '../../src/dns/query.js';
import { decodeQuery, encodeReply } from '../helpers/fake-upstream.js';
import { decode, makeQuery } from '../helpers/decode.js';
import { a, Harness } from '../helpers/forward-harness.js';

const FORGER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'tools/forge-udp.py');
const rawSockets =
  process.getuid?.() === 0 &&
  spawnSync('python3', ['-c', 'import socket; socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)']).status === 0;

/**
 * An upstream on 127.0.0.1 that answers at once, except the names in `held`:
 * those wait until the test calls release(name). Every query's source is kept.
 */
class SlowUpstream {
  readonly queries: { query: Query; from: RemoteInfo }[] = [];
  private readonly waiting = new Map<string, () => void>();
  private readonly arrived = new Map<string, () => void>();
  private constructor(private readonly socket: Socket, readonly held: Set<string>) {
    socket.on('message', (raw, from) => this.receive(raw, from));
  }

  static async start(held: string[]): Promise<SlowUpstream> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new SlowUpstream(socket, new Set(held));
  }

  get address(): { host: string; port: number } {
    return { host: '127.0.0.1', port: this.socket.address().port };
  }

  /** Resolves once a query for `name` has arrived (now or later). */
  seen(name: string): Promise<void> {
    if (this.queries.some((q) => q.query.name === name)) return Promise.resolve();
    return new Promise((resolve) => this.arrived.set(name, resolve));
  }

  release(name: string): void {
    this.waiting.get(name)?.();
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private receive(raw: Buffer, from: RemoteInfo): void {
    const query = decodeQuery(raw, 'udp');
    this.queries.push({ query, from });
    const answer = () => {
      for (const message of encodeReply(query, { kind: 'reply', answer: [a(query.name, '192.0.2.10', 300)] }, 'udp')) {
        this.socket.send(message, from.port, from.address);
      }
    };
    if (this.held.has(query.name)) this.waiting.set(query.name, answer);
    else answer();
    this.arrived.get(query.name)?.();
  }
}

/**
 * Run the forger (in its own process: the event loop keeps reading meanwhile),
 * one datagram per ID in [first, first + count), paced. Resolves to how many were sent.
 */
function forge(from: { host: string; port: number }, toPort: number, message: Buffer, first: number, count: number): Promise<number> {
  const args = [FORGER, from.host, String(from.port), '127.0.0.1', String(toPort), String(first), String(count), '16'];
  const child = spawn('python3', args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: 60_000 });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk));
  child.stdin.end(message.toString('hex'));
  return new Promise((resolve, reject) => {
    child.on('close', (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`forger failed (${code}): ${err}`))));
  });
}

const h = new Harness();
const started: SlowUpstream[] = [];
afterEach(async () => {
  await h.close();
  for (const upstream of started.splice(0)) await upstream.close();
});

async function slowUpstream(held: string[] = []): Promise<SlowUpstream> {
  const upstream = await SlowUpstream.start(held);
  started.push(upstream);
  return upstream;
}

describe('source ports of upstream queries', () => {
  it('40 queries leave from at least 35 distinct ports, each connected to the upstream', async () => {
    const upstream = await slowUpstream();
    const fwd = h.forwarder({ upstreams: [upstream.address] });
    for (let i = 0; i < 40; i++) {
      expect(decode(await fwd.forward(makeQuery({ name: `n${i}.example.com` }))).rcode).toBe(0);
    }
    const ports = new Set(upstream.queries.map((q) => q.from.port));
    expect(upstream.queries).toHaveLength(40);
    expect(ports.size).toBeGreaterThanOrEqual(35);
    // The source address is the one the route to the upstream uses, not a wildcard.
    expect(new Set(upstream.queries.map((q) => q.from.address))).toEqual(new Set(['127.0.0.1']));
  });
});

describe.skipIf(!rawSockets)('forged replies from a raw socket (root)', () => {
  it('the forger works: a spoofed datagram arrives from the upstream address and port', async () => {
    const listener = createSocket('udp4');
    await new Promise<void>((resolve) => listener.bind(0, '127.0.0.1', resolve));
    const got = new Promise<RemoteInfo>((resolve) => listener.once('message', (_m, from) => resolve(from)));
    try {
      expect(await forge({ host: '127.0.0.1', port: 4242 }, listener.address().port, Buffer.alloc(12), 7, 1)).toBe(1);
      expect(await got).toMatchObject({ address: '127.0.0.1', port: 4242 });
    } finally {
      listener.close();
    }
  });

  it('65,536 forged replies at the previous query\'s port while a query is in flight poison nothing', async () => {
    const victim = 'victim.example.com';
    const upstream = await slowUpstream([victim]);
    const fwd = h.forwarder({ upstreams: [upstream.address], timeoutMs: 30_000 });
    // The attacker's own query shows it the port the forwarder used.
    expect(decode(await fwd.forward(makeQuery({ name: 'attacker.example.net' }))).rcode).toBe(0);
    const previousPort = upstream.queries[0]!.from.port;

    const pending = fwd.forward(makeQuery({ id: 77, name: victim }));
    await upstream.seen(victim);
    const forged = encodeReply(makeQuery({ name: victim }), { kind: 'reply', answer: [a(victim, '6.6.6.6', 3600)] }, 'udp')[0]!;
    expect(await forge(upstream.address, previousPort, forged, 0, 0x10000)).toBe(0x10000);
    upstream.release(victim);
    // None reached a socket of ours: the previous port was closed with its query.
    expect(fwd.stats.upstreams[`127.0.0.1:${upstream.address.port}`]?.ignored).toBe(0);

    const reply = decode(await pending);
    expect(reply.answer).toEqual([a(victim, '192.0.2.10', 300)]);
    // Another client now gets the cached answer: the genuine one.
    const cached = decode(await fwd.forward(makeQuery({ id: 78, name: victim })));
    expect(cached.answer.map((record) => record.data)).toEqual([{ type: 'A', address: '192.0.2.10' }]);
    expect(fwd.stats.cacheHits).toBe(1);
    expect(upstream.queries.filter((q) => q.query.name === victim)[0]!.from.port).not.toBe(previousPort);
  }, 90_000);
});
