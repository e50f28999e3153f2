// Not an open resolver (issue 7 part 3), with the real CLI: names outside
// the cluster are forwarded only for --allow clients, cluster names are
// answered to everyone, and --rate-limit keeps the server from amplifying.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type ServerProcess } from '../helpers/server-process.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { crafted, rcodeOf, tcpAsk, truncated, udpAsk, udpBurst } from '../helpers/net.js';

const CLUSTER_NAME = 'kubernetes.default.svc.cluster.local';
let upstream: FakeUpstream;
const servers: ServerProcess[] = [];

beforeAll(async () => {
  upstream = await startFakeUpstream((query) => ({
    kind: 'reply',
    answer: [{ name: query.name, ttl: 60, data: { type: 'A', address: '192.0.2.1' } }],
  }));
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  await upstream?.close();
});

async function serve(extra: string[]): Promise<ServerProcess> {
  const server = await startServe(['-f', 'test/fixtures/e2e', '--upstream', `127.0.0.1:${upstream.port}`, '--no-cache', ...extra]);
  servers.push(server);
  return server;
}

/** rcode of one question over UDP and over TCP from `from` (-1 = no reply). */
async function ask(port: number, name: string, from: string): Promise<[number, number]> {
  const question = crafted(42, name);
  const [udp, tcp] = await Promise.all([udpAsk(port, question, 1000, '127.0.0.1', from), tcpAsk(port, question, 1000, from)]);
  return [udp ? rcodeOf(udp) : -1, tcp ? rcodeOf(tcp) : -1];
}

describe('--allow', () => {
  it('default list: a loopback client gets forwarded answers', async () => {
    const server = await serve([]);
    expect(await ask(server.port, 'example.org', '127.0.0.1')).toEqual([0, 0]);
  });

  it('bound to 0.0.0.0 with --allow 127.0.0.1/32: 127.0.0.2 gets REFUSED for outside names (0 sent upstream) and answers for cluster names', async () => {
    const server = await serve(['--bind', '0.0.0.0', '--allow', '127.0.0.1/32']);
    const before = upstream.received.filter((r) => r.query.name === 'outside.example').length;
    expect(await ask(server.port, 'outside.example', '127.0.0.2')).toEqual([5, 5]);
    expect(upstream.received.filter((r) => r.query.name === 'outside.example').length - before).toBe(0);
    expect(await ask(server.port, CLUSTER_NAME, '127.0.0.2')).toEqual([0, 0]);
    expect(await ask(server.port, 'outside.example', '127.0.0.1')).toEqual([0, 0]);
    const refusal = server.logs.find((line) => String(line['msg']).startsWith('not forwarding for a client outside --allow'));
    expect(refusal).toMatchObject({ client: '127.0.0.2' });
  });

  it('rejects a bad --allow entry with a message naming it', async () => {
    const { runCli } = await import('../helpers/server-process.js');
    const result = await runCli(['serve', '-f', 'test/fixtures/e2e', '--allow', '10.0.0.0/33']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('--allow must be a CIDR or an address like 10.0.0.0/8, fd00::/8 or 192.0.2.7, got "10.0.0.0/33"');
  });
});

describe('--rate-limit', () => {
  it('a burst of 40 UDP queries at 5/s: about 5 answered, the rest half truncated (slip 2), half dropped; TCP and other networks unaffected', async () => {
    const server = await serve(['--rate-limit', '5/s']);
    const questions = Array.from({ length: 40 }, (_, i) => crafted(i + 1, CLUSTER_NAME));
    const replies = await udpBurst(server.port, questions, 500, '127.0.0.7');
    const answered = [...replies.values()].filter((r) => !truncated(r)).length;
    const slipped = [...replies.values()].filter((r) => truncated(r)).length;
    const dropped = 40 - replies.size;
    expect(answered).toBeGreaterThanOrEqual(5);
    expect(answered).toBeLessThanOrEqual(8);
    expect(Math.abs(slipped - dropped)).toBeLessThanOrEqual(1);
    expect(answered + slipped + dropped).toBe(40);
    // The same client over TCP (its address is proven), and another /24 over UDP.
    const tcp = await tcpAsk(server.port, crafted(99, CLUSTER_NAME), 1000, '127.0.0.7');
    expect(tcp && rcodeOf(tcp)).toBe(0);
    const other = await udpAsk(server.port, crafted(98, CLUSTER_NAME), 1000, '127.0.0.1', '127.0.1.7');
    expect(other && !truncated(other) && rcodeOf(other)).toBe(0);
    expect(server.logs.some((line) => String(line['msg']).startsWith('rate limit:'))).toBe(true);
  });
});
