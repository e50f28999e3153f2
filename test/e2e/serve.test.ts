// End to end: the real CLI serving the example manifests, asked by the real `dig`
// over UDP and TCP — the README's commands, as a user runs them.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Resolver } from 'node:dns/promises';
import { dig } from '../helpers/dig.js';
import { startServe, type ServerProcess } from '../helpers/server-process.js';

const run = promisify(execFile);
let server: ServerProcess;

beforeAll(async () => {
  server = await startServe(['-f', 'manifests/', '-f', 'test/fixtures/e2e/']);
});

afterAll(async () => {
  await server?.stop();
});

const POD_IP = /^10\.244\.\d+\.\d+$/;

function addresses(lines: readonly string[]): string[] {
  return lines.filter((line) => / IN A /.test(line)).map((line) => line.split(' ').at(-1)!);
}

describe('the README examples, over UDP and TCP', () => {
  for (const transport of ['+notcp', '+tcp']) {
    describe(transport, () => {
      it('answers a ClusterIP service with its cluster IP, authoritatively', async () => {
        const result = await dig(server.port, [transport, 'userlist-svc.user03.svc.cluster.local']);
        expect(result.status).toBe('NOERROR');
        expect(result.flags).toContain('aa');
        expect(result.answer).toEqual(['userlist-svc.user03.svc.cluster.local. 5 IN A 10.43.113.209']);
      });

      it('answers a headless service with every ready pod', async () => {
        const result = await dig(server.port, [transport, 'userlist-svc-hl.user03.svc.cluster.local']);
        expect(result.status).toBe('NOERROR');
        const ips = addresses(result.answer);
        expect(ips).toHaveLength(2);
        for (const ip of ips) expect(ip).toMatch(POD_IP);
      });

      it('answers a StatefulSet pod by its stable name', async () => {
        const result = await dig(server.port, [transport, 'web-0.nginx.default.svc.cluster.local']);
        expect(result.status).toBe('NOERROR');
        expect(addresses(result.answer)).toHaveLength(1);
        expect(addresses(result.answer)[0]).toMatch(POD_IP);
      });

      it('answers SRV for a named port with the service port and the address in additional', async () => {
        const result = await dig(server.port, [transport, '_http._tcp.userlist-svc.user03.svc.cluster.local', 'SRV']);
        expect(result.answer).toEqual([
          '_http._tcp.userlist-svc.user03.svc.cluster.local. 5 IN SRV 0 100 80 userlist-svc.user03.svc.cluster.local.',
        ]);
        expect(result.additional).toEqual(['userlist-svc.user03.svc.cluster.local. 5 IN A 10.43.113.209']);
      });

      it('answers PTR for the kubernetes service cluster IP', async () => {
        const result = await dig(server.port, [transport, '-x', '10.96.0.1']);
        expect(result.answer).toEqual(['1.0.96.10.in-addr.arpa. 5 IN PTR kubernetes.default.svc.cluster.local.']);
      });

      it('answers NXDOMAIN with the SOA for a name that does not exist', async () => {
        const result = await dig(server.port, [transport, 'nope.user03.svc.cluster.local']);
        expect(result.status).toBe('NXDOMAIN');
        expect(result.flags).toContain('aa');
        expect(result.authority).toHaveLength(1);
        expect(result.authority[0]).toMatch(
          /^cluster\.local\. 5 IN SOA ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\. \d+ 7200 1800 86400 5$/,
        );
      });
    });
  }

  it('rotates the order of a headless answer between queries', async () => {
    const orders = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const result = await dig(server.port, ['userlist-svc-hl.user03.svc.cluster.local']);
      orders.add(addresses(result.answer).join(','));
    }
    expect(orders.size).toBe(2);
  });

  it('keeps the case the client used in the owner name', async () => {
    const result = await dig(server.port, ['UserList-Svc.USER03.svc.cluster.local']);
    expect(result.answer).toEqual(['UserList-Svc.USER03.svc.cluster.local. 5 IN A 10.43.113.209']);
  });

  it('answers the ExternalName service with a CNAME', async () => {
    const result = await dig(server.port, ['svc-ext.default.svc.cluster.local', 'CNAME']);
    expect(result.answer).toEqual(['svc-ext.default.svc.cluster.local. 5 IN CNAME google.com.']);
  });

  it('answers the hostname/subdomain pod and the hand-made endpoints', async () => {
    const pod = await dig(server.port, ['sample-hostname.sample-subdomain.default.svc.cluster.local']);
    expect(addresses(pod.answer)).toHaveLength(1);
    const endpoint = await dig(server.port, ['11-11-11-11.example-endpoints.default.svc.cluster.local']);
    expect(endpoint.answer).toEqual(['11-11-11-11.example-endpoints.default.svc.cluster.local. 5 IN A 11.11.11.11']);
    const ptr = await dig(server.port, ['-x', '22.22.22.22']);
    expect(ptr.answer).toEqual(['22.22.22.22.in-addr.arpa. 5 IN PTR 22-22-22-22.example-endpoints.default.svc.cluster.local.']);
  });

  it('refuses names outside the cluster (forwarding is not configured)', async () => {
    const result = await dig(server.port, ['example.com']);
    expect(result.status).toBe('REFUSED');
  });
});

describe('other real clients', () => {
  it("Node's resolver (c-ares) gets A, SRV and PTR answers", async () => {
    const resolver = new Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([`127.0.0.1:${server.port}`]);
    expect(await resolver.resolve4('userlist-svc.user03.svc.cluster.local')).toEqual(['10.43.113.209']);
    expect((await resolver.resolve4('userlist-svc-hl.user03.svc.cluster.local')).length).toBe(2);
    // toMatchObject: Node 24's resolver adds `type: 'SRV'` to each record; Node 20's does not.
    expect(await resolver.resolveSrv('_http._tcp.userlist-svc.user03.svc.cluster.local')).toMatchObject([
      { name: 'userlist-svc.user03.svc.cluster.local', port: 80, priority: 0, weight: 100 },
    ]);
    expect(await resolver.reverse('10.96.0.1')).toEqual(['kubernetes.default.svc.cluster.local']);
    await expect(resolver.resolve4('nope.user03.svc.cluster.local')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('nslookup resolves a StatefulSet pod', async () => {
    const { stdout } = await run('nslookup', [`-port=${server.port}`, 'web-0.nginx.default.svc.cluster.local', '127.0.0.1']);
    expect(stdout).toMatch(/Name:\s+web-0\.nginx\.default\.svc\.cluster\.local\nAddress: 10\.244\./);
  });
});

describe('truncation', () => {
  it('sets TC on a UDP answer that does not fit 512 bytes, and dig gets it whole over TCP', async () => {
    const udpOnly = await dig(server.port, ['+noedns', '+ignore', 'many.load.svc.cluster.local']);
    expect(udpOnly.flags).toContain('tc');
    expect(addresses(udpOnly.answer).length).toBeLessThan(100);

    const retried = await dig(server.port, ['+noedns', 'many.load.svc.cluster.local']);
    expect(retried.text).toContain('Truncated, retrying in TCP mode');
    expect(retried.flags).not.toContain('tc');
    expect(addresses(retried.answer)).toHaveLength(100);
  });

  it('echoes EDNS and fits more into the size the client offers', async () => {
    const result = await dig(server.port, ['+edns=0', '+bufsize=1232', '+ignore', 'many.load.svc.cluster.local']);
    expect(result.text).toContain('OPT PSEUDOSECTION');
    expect(result.flags).toContain('tc');
    expect(addresses(result.answer).length).toBeGreaterThan(addresses((await dig(server.port, ['+noedns', '+ignore', 'many.load.svc.cluster.local'])).answer).length);
  });
});

describe('malformed packets', () => {
  it('answers FORMERR to a query with no question, and keeps serving', async () => {
    // ID 0xBEEF, flags RD, QDCOUNT 0: the packet that kills a naive async dns2 handler.
    const noQuestion = Buffer.from([0xbe, 0xef, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
    const reply = await sendUdp(server.port, noQuestion);
    expect(reply.readUInt16BE(0)).toBe(0xbeef);
    expect(reply[3]! & 0x0f).toBe(1); // FORMERR
    const after = await dig(server.port, ['userlist-svc.user03.svc.cluster.local']);
    expect(after.status).toBe('NOERROR');
  });
});

function sendUdp(port: number, packet: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error('no reply'));
    }, 2000);
    socket.once('message', (message) => {
      clearTimeout(timer);
      socket.close();
      resolve(message);
    });
    socket.send(packet, port, '127.0.0.1');
  });
}
