// The CoreDNS corners of spec §10 where the wire matters, asked of the real
// CLI with the real `dig` (and hand-built packets for NOTIFY), with a fake
// upstream on loopback. Each test cites §10; the zone-text rows are in
// test/resolve/table.test.ts.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig } from '../helpers/dig.js';
import { startServe, type ServerProcess } from '../helpers/server-process.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { craft, frame, tcpExchange, UdpClient } from '../server/clients.js';
import { decode } from '../wire/decode.js';
import { RCode, RRType } from '../../src/dns/types.js';

const CH = 3;
let upstream: FakeUpstream;
let server: ServerProcess;
let alone: ServerProcess;

beforeAll(async () => {
  upstream = await startFakeUpstream((query) => {
    const name = query.name.toLowerCase();
    if (name === 'version.bind' && query.qtype === RRType.TXT) {
      return { kind: 'reply', answer: [{ name: 'version.bind', ttl: 0, data: { type: 'TXT', text: ['fake-upstream'] } }] };
    }
    if (name === 'ttl.example.com') {
      return {
        kind: 'reply',
        answer: [{ name: 'ttl.example.com', ttl: 300, data: { type: 'A', address: '192.0.2.7' } }],
      };
    }
    return { kind: 'reply', rcode: RCode.NXDOMAIN };
  });
  const manifests = ['-f', 'manifests/', '-f', 'test/fixtures/e2e/big-headless.yaml', '-f', 'test/fixtures/e2e/corners.yaml'];
  server = await startServe([...manifests, '--upstream', `127.0.0.1:${upstream.port}`]);
  alone = await startServe([...manifests, '--upstream', 'none']);
});

afterAll(async () => {
  await server?.stop();
  await alone?.stop();
  await upstream?.close();
});

describe('§10 classes other than IN', () => {
  it('forwarding on: `dig CH TXT version.bind` gets the upstream answer', async () => {
    const before = upstream.received.length;
    const result = await dig(server.port, ['CH', 'TXT', 'version.bind']);
    expect(result.status).toBe('NOERROR');
    expect(result.answer.join('\n')).toContain('"fake-upstream"');
    expect(upstream.received.slice(before).map((r) => [r.query.name, r.query.qclass])).toEqual([['version.bind', CH]]);
  });

  for (const transport of ['+notcp', '+tcp']) {
    it(`forwarding on: CH inside the zone is answered as IN, authoritatively (${transport})`, async () => {
      const result = await dig(server.port, [transport, 'CH', 'A', 'kubernetes.default.svc.cluster.local']);
      expect(result.status).toBe('NOERROR');
      expect(result.flags).toContain('aa');
      expect(result.answer).toEqual(['kubernetes.default.svc.cluster.local. 5 IN A 10.96.0.1']);
    });
  }

  it('--upstream none: REFUSED inside and outside the zone', async () => {
    expect((await dig(alone.port, ['CH', 'TXT', 'version.bind'])).status).toBe('REFUSED');
    expect((await dig(alone.port, ['CH', 'A', 'kubernetes.default.svc.cluster.local'])).status).toBe('REFUSED');
    expect((await dig(alone.port, ['kubernetes.default.svc.cluster.local'])).status).toBe('NOERROR');
  });
});

describe('§10 NOTIFY is answered like a QUERY', () => {
  const notify = (id: number) => craft({ id, opcode: 4, questions: [{ name: 'kubernetes.default.svc.cluster.local' }] });

  it('over UDP', async () => {
    const client = new UdpClient(server.port);
    try {
      await client.send(notify(4001));
      const reply = decode((await client.until(4001)).at(-1)!);
      expect([reply.rcode, reply.flags.opcode, reply.flags.aa]).toEqual([RCode.NOERROR, 4, true]);
      expect(reply.answer).toEqual([{ name: 'kubernetes.default.svc.cluster.local', ttl: 5, data: { type: 'A', address: '10.96.0.1' } }]);
    } finally {
      await client.close();
    }
  });

  it('over TCP', async () => {
    const [raw] = await tcpExchange(server.port, [frame(notify(4002))], 1);
    const reply = decode(raw!);
    expect([reply.id, reply.rcode, reply.flags.opcode]).toEqual([4002, RCode.NOERROR, 4]);
    expect(reply.answer).toHaveLength(1);
  });
});

describe('§10 EDNS: echo the client size, truncate to it (at least 512), no cap of our own', () => {
  const name = 'many.load.svc.cluster.local';

  it('+bufsize=4096: the 100 records (1,600+ bytes) come whole over UDP, OPT says 4096', async () => {
    const result = await dig(server.port, ['+notcp', '+ignore', '+bufsize=4096', name]);
    expect(result.flags).not.toContain('tc');
    expect(result.answer).toHaveLength(100);
    expect(result.text).toMatch(/; EDNS: version: 0, flags:; udp: 4096/);
  });

  it('+bufsize=800: truncated to what fits 800 bytes, TC set, OPT says 800', async () => {
    const result = await dig(server.port, ['+notcp', '+ignore', '+bufsize=800', name]);
    expect(result.flags).toContain('tc');
    // header 12, question 33, OPT 11, each A record 16 (name compressed)
    expect(result.answer).toHaveLength(Math.floor((800 - 12 - 33 - 11) / 16));
    expect(result.text).toMatch(/udp: 800/);
  });

  it('+bufsize=100: at least 512 bytes, the client size still echoed', async () => {
    const result = await dig(server.port, ['+notcp', '+ignore', '+bufsize=100', name]);
    expect(result.flags).toContain('tc');
    expect(result.answer).toHaveLength(Math.floor((512 - 12 - 33 - 11) / 16));
    expect(result.text).toMatch(/udp: 100\b/);
  });

  it('TCP still carries everything', async () => {
    expect((await dig(server.port, ['+tcp', name])).answer).toHaveLength(100);
  });
});

describe('§10 TTLs: cache 30 caps every answer, the first reply included', () => {
  it('a forwarded answer of TTL 300 is 30 on the first ask', async () => {
    const result = await dig(server.port, ['ttl.example.com']);
    expect(result.answer).toEqual(['ttl.example.com. 30 IN A 192.0.2.7']);
  });

  it('dns-version TXT is 30', async () => {
    expect((await dig(server.port, ['dns-version.cluster.local', 'TXT'])).answer).toEqual(['dns-version.cluster.local. 30 IN TXT "1.1.0"']);
  });
});

describe('§10 kube-dns, NS, reverse names and ExternalName', () => {
  it('the zone NS names the implicit kube-dns, its address in additional', async () => {
    const result = await dig(server.port, ['cluster.local', 'NS']);
    expect(result.answer).toEqual(['cluster.local. 5 IN NS kube-dns.kube-system.svc.cluster.local.']);
    expect(result.additional).toEqual(['kube-dns.kube-system.svc.cluster.local. 5 IN A 10.96.0.10']);
    expect((await dig(server.port, ['-x', '10.96.0.10'])).answer).toEqual(['10.0.96.10.in-addr.arpa. 5 IN PTR kube-dns.kube-system.svc.cluster.local.']);
    expect((await dig(server.port, ['+short', '_dns-tcp._tcp.kube-dns.kube-system.svc.cluster.local', 'SRV'])).text.trim()).toBe(
      '0 100 53 kube-dns.kube-system.svc.cluster.local.',
    );
  });

  it('the reverse apex NS (sic)', async () => {
    const result = await dig(server.port, ['in-addr.arpa', 'NS']);
    expect(result.answer).toEqual(['in-addr.arpa. 5 IN NS kube-dns.kube-system.svc.in-addr.arpa.']);
    expect(result.additional).toEqual(['kube-dns.kube-system.svc.in-addr.arpa. 5 IN A 10.96.0.10']);
  });

  it('A at a known reverse name goes upstream; PTR and SOA stay ours', async () => {
    const before = upstream.received.length;
    await dig(server.port, ['1.0.96.10.in-addr.arpa', 'A']);
    expect(upstream.received.slice(before).map((r) => r.query.name.toLowerCase())).toEqual(['1.0.96.10.in-addr.arpa']);
    const soa = await dig(server.port, ['1.0.96.10.in-addr.arpa', 'SOA']);
    expect([soa.status, soa.flags.includes('aa'), soa.authority.length]).toEqual(['NOERROR', true, 1]);
    expect(upstream.received.length).toBe(before + 1);
  });

  it('an ExternalName whose target the upstream cannot resolve: the CNAME alone, NOERROR', async () => {
    const result = await dig(server.port, ['gone.default.svc.cluster.local']);
    expect(result.status).toBe('NOERROR');
    expect(result.answer).toEqual(['gone.default.svc.cluster.local. 5 IN CNAME nowhere.example.']);
  });
});
