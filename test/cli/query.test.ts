// `clusterdns query`: offline answers come from the server's own responder,
// --server asks a running server (UDP, TCP after TC) and fails clearly when
// nothing answers.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import { runCli, startServe, type ServerProcess } from '../helpers/server-process.js';
import { dig, parseDig } from '../helpers/dig.js';
import { parseServerAddress } from '../../src/cli/ask.js';

function sorted(lines: readonly string[]): string[] {
  return [...lines].sort();
}

describe('clusterdns query, offline', () => {
  it('prints a dig-like NOERROR answer with aa set', async () => {
    const result = await runCli(['query', 'userlist-svc.user03.svc.cluster.local', '-f', 'manifests']);
    expect(result.code).toBe(0);
    const answer = parseDig(result.stdout);
    expect(answer.status).toBe('NOERROR');
    expect(answer.flags).toEqual(['qr', 'aa', 'rd']);
    expect(answer.answer).toEqual(['userlist-svc.user03.svc.cluster.local. 5 IN A 10.43.113.209']);
    expect(result.stdout).toContain(';userlist-svc.user03.svc.cluster.local. IN A');
  });

  it('prints NXDOMAIN with the SOA in authority, exit 0 (an answer is an answer)', async () => {
    const result = await runCli(['query', 'nope.default.svc.cluster.local', '-f', 'manifests']);
    expect(result.code).toBe(0);
    const answer = parseDig(result.stdout);
    expect(answer.status).toBe('NXDOMAIN');
    expect(answer.authority[0]).toMatch(/^cluster\.local\. 5 IN SOA ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\. \d+ 7200 1800 86400 5$/);
  });

  it('reads an IP as its reverse name, PTR', async () => {
    const result = await runCli(['query', '10.96.0.1', '-f', 'manifests']);
    expect(parseDig(result.stdout).answer).toEqual(['1.0.96.10.in-addr.arpa. 5 IN PTR kubernetes.default.svc.cluster.local.']);
  });

  it('says why a name outside the zone is REFUSED offline', async () => {
    const result = await runCli(['query', 'example.com', '-f', 'manifests']);
    expect(result.code).toBe(0);
    expect(parseDig(result.stdout).status).toBe('REFUSED');
    expect(result.stdout).toContain(';; note: example.com. is outside cluster.local.: a running server forwards it upstream');
  });

  it('exits 2 on an unknown type, a bad name or bad manifests', async () => {
    const type = await runCli(['query', 'a.cluster.local', 'BOGUS', '-f', 'manifests']);
    expect(type.code).toBe(2);
    expect(type.stderr).toContain('unknown record type "BOGUS"');
    const name = await runCli(['query', 'a..cluster.local', '-f', 'manifests']);
    expect(name.code).toBe(2);
    expect(name.stderr).toContain('"a..cluster.local" is not a valid DNS name');
    const manifests = await runCli(['query', 'a.cluster.local', '-f', 'test/fixtures/e2e-invalid']);
    expect(manifests.code).toBe(2);
    expect(manifests.stderr).toContain('spec.ports[0].port');
  });
});

describe('clusterdns query --server', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServe(['-f', 'manifests', '-f', 'test/fixtures/e2e/big-headless.yaml']);
  });
  afterAll(async () => {
    await server.stop();
  });

  it('asks a running server and gives the same answer as offline and as dig', async () => {
    const name = '_web._tcp.nginx.default.svc.cluster.local';
    const fromServer = await runCli(['query', name, 'SRV', '--server', `127.0.0.1:${server.port}`]);
    expect(fromServer.code).toBe(0);
    const offline = await runCli(['query', name, 'SRV', '-f', 'manifests', '-f', 'test/fixtures/e2e/big-headless.yaml']);
    const byDig = await dig(server.port, [name, 'SRV']);
    const served = parseDig(fromServer.stdout);
    expect(served.answer).toHaveLength(3);
    expect(sorted(served.answer)).toEqual(sorted(parseDig(offline.stdout).answer));
    expect(sorted(served.answer)).toEqual(sorted(byDig.answer));
    expect(sorted(served.additional)).toEqual(sorted(byDig.additional));
  });

  it('retries over TCP when the UDP answer is truncated', async () => {
    const result = await runCli(['query', 'many.load.svc.cluster.local', '--server', `127.0.0.1:${server.port}`]);
    expect(result.code).toBe(0);
    const answer = parseDig(result.stdout);
    expect(answer.flags).not.toContain('tc');
    expect(answer.answer).toHaveLength(100);
  });

  it('exits 1 with a clear message when nothing answers', async () => {
    const silent = dgram.createSocket('udp4');
    const port = await new Promise<number>((resolve) => silent.bind(0, '127.0.0.1', () => resolve(silent.address().port)));
    try {
      const result = await runCli(['query', 'a.cluster.local', '--server', `127.0.0.1:${port}`, '--timeout', '300']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`clusterdns: no answer from 127.0.0.1:${port} over UDP within 0.3 s`);
      expect(result.stdout).toBe('');
    } finally {
      silent.close();
    }
  });

  it('exits 2 on a malformed --server or --timeout', async () => {
    const address = await runCli(['query', 'a.cluster.local', '--server', 'localhost:53']);
    expect(address.code).toBe(2);
    expect(address.stderr).toContain('--server: expected ADDR or ADDR:PORT ([IPv6]:PORT), got "localhost:53"');
    const timeout = await runCli(['query', 'a.cluster.local', '--server', '127.0.0.1', '--timeout', '0']);
    expect(timeout.code).toBe(2);
    expect(timeout.stderr).toContain('--timeout: expected 1-60000 milliseconds, got "0"');
  });
});

describe('parseServerAddress', () => {
  it.each([
    { text: '127.0.0.1', expected: { host: '127.0.0.1', port: 53 } },
    { text: '127.0.0.1:1053', expected: { host: '127.0.0.1', port: 1053 } },
    { text: '[::1]:1053', expected: { host: '::1', port: 1053 } },
    { text: '::1', expected: { host: '::1', port: 53 } },
    { text: 'localhost', expected: undefined },
    { text: '127.0.0.1:0', expected: undefined },
    { text: '127.0.0.1:70000', expected: undefined },
  ])('$text', ({ text, expected }) => {
    expect(parseServerAddress(text)).toEqual(expected);
  });
});
