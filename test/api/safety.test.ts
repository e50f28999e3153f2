// The Node API runs through the same composition root as `clusterdns serve`,
// so it has the CLI's safeties: the startup loop check, metrics on its admin
// server, and a stop that answers queries still waiting on an upstream.

import dgram from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { ClusterDnsError, startClusterDns } from '../../src/index.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { crafted, freeUdpPort, udpAsk } from '../helpers/net.js';
import { parsePrometheus } from '../helpers/prometheus.js';
import { RCode } from '../../src/dns/types.js';

const SERVICE = 'apiVersion: v1\nkind: Service\nmetadata: {name: orders, namespace: shop}\nspec: {clusterIP: 10.96.50.1, ports: [{port: 80}]}\n';


/**
 * A resolver that sends every query on to 127.0.0.1:`target` and its answer
 * back to whoever asked: as an upstream of the server at `target`, a loop.
 */
async function startRelay(target: number): Promise<{ port: number; relayed: number; close(): Promise<void> }> {
  const socket = dgram.createSocket('udp4');
  const askers = new Map<number, dgram.RemoteInfo>();
  const relay = { port: 0, relayed: 0, close: () => new Promise<void>((resolve) => socket.close(() => resolve())) };
  socket.on('message', (message, from) => {
    const id = message.readUInt16BE(0);
    if ((message[2]! & 0x80) === 0) {
      askers.set(id, from);
      relay.relayed++;
      socket.send(message, target, '127.0.0.1');
      return;
    }
    const asker = askers.get(id);
    askers.delete(id);
    if (asker) socket.send(message, asker.port, asker.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  relay.port = socket.address().port;
  return relay;
}

/** Whether a UDP socket can bind 127.0.0.1:`port` (nothing holds it). */
function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', () => resolve(false));
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

describe('the Node API through the composition root', () => {
  it('an upstream that sends queries back is a forwarding loop: start rejects with code loop and releases the port', async () => {
    const port = await freeUdpPort();
    const relay = await startRelay(port);
    try {
      const error = await startClusterDns({ manifests: SERVICE, port, upstreams: [`127.0.0.1:${relay.port}`] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ClusterDnsError);
      expect(error).toMatchObject({ code: 'loop' });
      expect((error as Error).message).toBe(
        `forwarding loop detected: upstream 127.0.0.1:${relay.port} sends our queries back to this server; name an upstream that does not use clusterdns`,
      );
      expect(relay.relayed).toBeGreaterThan(0);
      expect(await canBind(port)).toBe(true);
    } finally {
      await relay.close();
    }
  });

  it('an honest upstream passes the loop check, and names outside the cluster are forwarded', async () => {
    const upstream = await startFakeUpstream(() => ({ kind: 'reply', answer: [{ name: 'example.com', ttl: 60, data: { type: 'A', address: '192.0.2.7' } }] }));
    const dns = await startClusterDns({ manifests: SERVICE, upstreams: [`127.0.0.1:${upstream.port}`] });
    try {
      expect(upstream.received.some((received) => received.query.name.includes('clusterdns-loop-check'))).toBe(true);
      expect(await dns.resolver().resolve4('example.com')).toEqual(['192.0.2.7']);
    } finally {
      await dns.close();
      await upstream.close();
    }
  });

  it('the http option serves /metrics, counting the queries answered', async () => {
    const dns = await startClusterDns({ manifests: SERVICE, http: '127.0.0.1:0' });
    try {
      expect(await dns.resolver().resolve4('orders.shop.svc.cluster.local')).toEqual(['10.96.50.1']);
      const scrape = await fetch(`${dns.http!}/metrics`);
      expect(scrape.status).toBe(200);
      const samples = parsePrometheus(await scrape.text());
      const requests = [...samples].filter(([name]) => name.startsWith('coredns_dns_requests_total{'));
      expect(requests.reduce((sum, [, value]) => sum + value, 0)).toBeGreaterThanOrEqual(1);
      expect(samples.get('clusterdns_objects{kind="Service"}')).toBeGreaterThanOrEqual(1);
    } finally {
      await dns.close();
    }
  });

  it('close() answers a query still waiting on an upstream SERVFAIL instead of dropping it', async () => {
    // Probes are answered (the loop check passes); every other query is held forever.
    const upstream = await startFakeUpstream((query) =>
      query.name.includes('clusterdns-loop-check') ? { kind: 'reply', rcode: RCode.NXDOMAIN } : { kind: 'drop' },
    );
    const dns = await startClusterDns({ manifests: SERVICE, upstreams: [`127.0.0.1:${upstream.port}`], upstreamTimeoutMs: 30_000 });
    try {
      const answer = udpAsk(dns.port, crafted(4242, 'held.example.com'), 20_000);
      await upstream.until((received) => received.some((r) => r.query.name.startsWith('held.example.com')));
      await dns.close();
      const reply = await answer;
      expect(reply).toBeDefined();
      expect(reply!.readUInt16BE(0)).toBe(4242);
      expect(reply![3]! & 0x0f).toBe(RCode.SERVFAIL);
    } finally {
      await dns.close();
      await upstream.close();
    }
  });
});
