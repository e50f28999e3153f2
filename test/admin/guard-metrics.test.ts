// /metrics counts what the guards turned away (issue 7): TCP caps, the UDP
// rate limit and --allow, each provoked against a real server with small
// limits, then read back from a real scrape.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { connectTcp, crafted, frame, rcodeOf, sleep, tcpAsk, truncated, udpBurst } from '../hardening/net.js';
import { startLive, waitFor, type LiveServer } from '../live/helpers.js';
import { parsePrometheus } from '../helpers/prometheus.js';

const CLUSTER_NAME = 'kubernetes.default.svc.cluster.local';
let upstream: FakeUpstream;
let server: LiveServer;

beforeAll(async () => {
  upstream = await startFakeUpstream((query) => ({
    kind: 'reply',
    answer: [{ name: query.name, ttl: 60, data: { type: 'A', address: '192.0.2.1' } }],
  }));
  server = await startLive([
    '-f', 'test/fixtures/e2e',
    '--upstream', `127.0.0.1:${upstream.port}`,
    // Bound to loopback, but 127.0.0.1 is not in the list: every client here is outside it.
    '--allow', '10.0.0.0/8',
    '--rate-limit', '5', '--rate-limit-slip', '2',
    '--tcp-max-per-client', '2', '--tcp-max-inflight', '1', '--tcp-max-message', '512', '--tcp-idle-timeout', '300',
  ]);
});
afterAll(async () => {
  await server?.stop();
  await upstream?.close();
});

/** One real scrape of the server's /metrics. */
async function scrape(): Promise<Map<string, number>> {
  const response = await fetch(`${server.http}/metrics`);
  expect(response.status).toBe(200);
  return parsePrometheus(await response.text());
}

async function deltaOf(action: () => Promise<void>): Promise<(name: string) => number> {
  const before = await scrape();
  await action();
  const after = await scrape();
  return (name) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
}

describe('guard counters in /metrics', () => {
  it('every guard series is there from the start, at 0 before anything is turned away', async () => {
    const samples = await scrape();
    for (const name of [
      'clusterdns_tcp_connections_refused_total{reason="per_client"}',
      'clusterdns_tcp_connections_refused_total{reason="full"}',
      'clusterdns_tcp_connections_closed_total{reason="evicted"}',
      'clusterdns_tcp_connections_closed_total{reason="evicted_per_client"}',
      'clusterdns_tcp_connections_closed_total{reason="idle"}',
      'clusterdns_tcp_connections_closed_total{reason="oversize"}',
      'clusterdns_tcp_queries_queued_total',
      'clusterdns_rate_limited_responses_total{action="dropped"}',
      'clusterdns_rate_limited_responses_total{action="slipped"}',
      'clusterdns_forward_refused_total',
    ]) expect(samples.get(name), name).toBe(0);
  });

  it('TCP: a 3rd connection from one address, an oversize message and idle connections are counted by reason', async () => {
    const delta = await deltaOf(async () => {
      const two = [await connectTcp(server.port, '127.0.0.3'), await connectTcp(server.port, '127.0.0.3')];
      const third = await connectTcp(server.port, '127.0.0.3'); // closes the longest-idle of the two
      await two[0]!.closed;
      const big = await connectTcp(server.port, '127.0.0.4');
      big.socket.write(Buffer.from([0xea, 0x60, 0, 0])); // announces 60000 bytes
      await big.closed;
      await Promise.all([two[1]!.closed, third.closed]); // idle timeout 300 ms
    });
    expect({
      perClient: delta('clusterdns_tcp_connections_refused_total{reason="per_client"}'),
      evictedPerClient: delta('clusterdns_tcp_connections_closed_total{reason="evicted_per_client"}'),
      oversize: delta('clusterdns_tcp_connections_closed_total{reason="oversize"}'),
      idle: delta('clusterdns_tcp_connections_closed_total{reason="idle"}'),
    }).toEqual({ perClient: 0, evictedPerClient: 1, oversize: 1, idle: 2 });
  });

  it('TCP: queries past the in-flight cap of 1 wait their turn, all answered, and are counted as queued', async () => {
    let rcodes: number[] = [];
    const delta = await deltaOf(async () => {
      const connection = await connectTcp(server.port, '127.0.0.6');
      const replies: Buffer[] = [];
      let buffered = Buffer.alloc(0);
      connection.socket.on('data', (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
          replies.push(buffered.subarray(2, 2 + buffered.readUInt16BE(0)));
          buffered = buffered.subarray(2 + buffered.readUInt16BE(0));
        }
      });
      connection.socket.write(Buffer.concat([1, 2, 3].map((id) => frame(crafted(id, CLUSTER_NAME)))));
      await waitFor(() => replies.length === 3, 'three replies');
      connection.socket.destroy();
      rcodes = replies.map(rcodeOf);
    });
    expect(rcodes).toEqual([0, 0, 0]);
    // Cluster names are answered at once, so a query may or may not have had to wait.
    expect(delta('clusterdns_tcp_queries_queued_total')).toBeLessThanOrEqual(2);
  });

  it('UDP: 20 queries at once past --rate-limit 5: the withheld ones are counted dropped or slipped', async () => {
    let answered = 0;
    let slipped = 0;
    const delta = await deltaOf(async () => {
      const replies = await udpBurst(server.port, Array.from({ length: 20 }, (_, i) => crafted(100 + i, CLUSTER_NAME)), 500, '127.0.0.5');
      answered = [...replies.values()].filter((reply) => !truncated(reply)).length;
      slipped = [...replies.values()].filter(truncated).length;
    });
    expect(answered).toBeLessThan(20);
    expect(delta('clusterdns_rate_limited_responses_total{action="slipped"}')).toBe(slipped);
    expect(delta('clusterdns_rate_limited_responses_total{action="dropped"}')).toBe(20 - answered - slipped);
    await sleep(1100); // let the bucket refill for whoever asks over UDP next
  });

  it('--allow: a name outside the cluster asked by a client outside the list is counted once', async () => {
    let rcode = -1;
    const delta = await deltaOf(async () => {
      const reply = await tcpAsk(server.port, crafted(7, 'outside.example'), 1000, '127.0.0.7');
      rcode = reply ? rcodeOf(reply) : -1;
    });
    expect(rcode).toBe(5);
    expect(delta('clusterdns_forward_refused_total')).toBe(1);
    expect(upstream.received.filter((r) => r.query.name === 'outside.example')).toEqual([]);
  });
});
