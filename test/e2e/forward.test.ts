// End to end: the real CLI forwarding to a real (fake) upstream on loopback,
// asked with `dig` — issue 3 as a user sees it.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeUdpPort } from '../helpers/net.js';
import { dig } from '../helpers/dig.js';
import { spawn } from 'node:child_process';
import { CLI, ROOT, runCli, startServe, type ServerProcess } from '../helpers/server-process.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { RCode, RRType } from '../../src/dns/types.js';

let upstream: FakeUpstream;
let server: ServerProcess;

beforeAll(async () => {
  upstream = await startFakeUpstream((query) => {
    const name = query.name.toLowerCase();
    if (name === 'google.com' && query.qtype === RRType.A) {
      return { kind: 'reply', answer: [{ name: 'google.com', ttl: 300, data: { type: 'A', address: '142.250.1.1' } }] };
    }
    if (name === 'example.com' && query.qtype === RRType.A) {
      return { kind: 'reply', answer: [{ name: 'example.com', ttl: 120, data: { type: 'A', address: '93.184.215.14' } }] };
    }
    if (name === '8.8.8.8.in-addr.arpa') {
      return { kind: 'reply', answer: [{ name: '8.8.8.8.in-addr.arpa', ttl: 600, data: { type: 'PTR', target: 'dns.google' } }] };
    }
    return {
      kind: 'reply',
      rcode: RCode.NXDOMAIN,
      authority: [
        {
          name: 'com',
          ttl: 900,
          data: { type: 'SOA', mname: 'a.gtld-servers.net', rname: 'nstld.verisign-grs.com', serial: 1, refresh: 1800, retry: 900, expire: 604800, minimum: 60 },
        },
      ],
    };
  });
  server = await startServe(['-f', 'manifests/', '--upstream', `127.0.0.1:${upstream.port}`]);
});

afterAll(async () => {
  await server?.stop();
  await upstream?.close();
});

describe('forwarding names outside the cluster', () => {
  for (const transport of ['+notcp', '+tcp']) {
    it(`relays an upstream answer, not authoritative, recursion available (${transport})`, async () => {
      const result = await dig(server.port, [transport, 'example.com']);
      expect(result.status).toBe('NOERROR');
      expect(result.flags).toContain('ra');
      expect(result.flags).not.toContain('aa');
      expect(result.answer).toHaveLength(1);
      expect(result.answer[0]).toMatch(/^example\.com\. \d+ IN A 93\.184\.215\.14$/);
    });
  }

  it('relays NXDOMAIN with the upstream SOA', async () => {
    const result = await dig(server.port, ['no-such-host.com']);
    expect(result.status).toBe('NXDOMAIN');
    expect(result.authority[0]).toMatch(/^com\. \d+ IN SOA a\.gtld-servers\.net\./);
  });

  it('serves the second ask from the cache with a TTL that does not grow', async () => {
    const before = upstream.received.length;
    const first = await dig(server.port, ['+notcp', 'cache-me.example.com']);
    const second = await dig(server.port, ['+notcp', 'cache-me.example.com']);
    expect(first.status).toBe('NXDOMAIN');
    expect(second.status).toBe('NXDOMAIN');
    expect(upstream.received.length - before).toBe(1);
  });

  it('answers an ExternalName A with the CNAME and the target records from upstream, authoritatively', async () => {
    const result = await dig(server.port, ['svc-ext.default.svc.cluster.local']);
    expect(result.status).toBe('NOERROR');
    expect(result.flags).toContain('aa');
    expect(result.answer[0]).toBe('svc-ext.default.svc.cluster.local. 5 IN CNAME google.com.');
    expect(result.answer[1]).toMatch(/^google\.com\. \d+ IN A 142\.250\.1\.1$/);
  });

  it('sends reverse names the cluster does not know upstream', async () => {
    const result = await dig(server.port, ['-x', '8.8.8.8']);
    expect(result.answer[0]).toMatch(/^8\.8\.8\.8\.in-addr\.arpa\. \d+ IN PTR dns\.google\.$/);
  });

  it('still answers cluster names itself, never forwarding them', async () => {
    const before = upstream.received.length;
    const result = await dig(server.port, ['nope.user03.svc.cluster.local']);
    expect(result.status).toBe('NXDOMAIN');
    expect(result.flags).toContain('aa');
    expect(upstream.received.length).toBe(before);
  });
});

describe('forwarding loops', () => {
  it('refuses at start an upstream that is its own address', async () => {
    const port = await freeUdpPort();
    const result = await runCli(['serve', '-f', 'manifests/', '--port', String(port), '--upstream', `127.0.0.1:${port}`]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--upstream 127.0.0.1:${port} is this server's own address`);
  });

  it('detects two servers forwarding to each other, and stops with a clear message', async () => {
    const [portA, portB] = [await freeUdpPort(), await freeUdpPort()];
    const start = (port: number, upstreamPort: number) =>
      spawn(process.execPath, [CLI, 'serve', '-f', 'manifests/', '--port', String(port), '--upstream', `127.0.0.1:${upstreamPort}`, '--upstream-timeout', '500'], {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
    const servers = [start(portA, portB), start(portB, portA)];
    const stderr = servers.map(() => '');
    servers.forEach((child, i) => child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr[i] += chunk)));
    const exits = servers.map((child) => new Promise<number | null>((resolve) => child.once('exit', resolve)));
    try {
      const first = await Promise.race(exits.map((exit, i) => exit.then((code) => ({ i, code }))));
      expect(first.code).toBe(1);
      expect(stderr[first.i]).toContain('forwarding loop detected');
    } finally {
      for (const child of servers) child.kill('SIGTERM');
      await Promise.all(exits);
    }
  });
});


describe('--upstream-0x20 (issue 15)', () => {
  it('the upstream is asked in random letter case; dig gets its own spelling back', async () => {
    const name = 'www.example-randomised.com';
    const fake = await startFakeUpstream((query) => ({
      kind: 'reply', answer: [{ name: query.name, ttl: 60, data: { type: 'A', address: '192.0.2.7' } }],
    }));
    const serve = await startServe(['-f', 'manifests/', '--upstream', `127.0.0.1:${fake.port}`, '--upstream-0x20', '--no-cache']);
    try {
      for (let i = 0; i < 4; i++) {
        const result = await dig(serve.port, [name]);
        expect(result.status).toBe('NOERROR');
        expect(result.answer).toEqual([`${name}. 60 IN A 192.0.2.7`]);
      }
      // (The startup loop probe goes there too.)
      const asked = fake.received.map((received) => received.query.name).filter((sent) => sent.toLowerCase() === name);
      expect(asked).toHaveLength(4);
      expect(new Set(asked).size).toBeGreaterThan(1);
    } finally {
      await serve.stop();
      await fake.close();
    }
  });
});
