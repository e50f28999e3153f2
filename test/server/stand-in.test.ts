// The stand-in (udp_batch.c, DnsServer.standIn): while this thread builds a
// change, the native module's thread answers the repeated questions from a
// table rendered out of the state answering now. Real sockets; the event
// loop is held busy while the stand-in answers, as a build holds it. What a
// client gets from it must be byte for byte what the ordinary path sends;
// whatever the table has no reply for still reaches JavaScript and is
// answered once the loop turns; after standDown() the event loop reads again.
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { nativeAddon } from '../../src/native/addon.js';
import { buildRecordIndex, type IndexOptions, type RecordIndex } from '../../src/records/index.js';
import { createResponder } from '../../src/resolve/responder.js';
import { startDnsServer, type DnsServer } from '../../src/server/index.js';
import type { Query } from '../../src/dns/index.js';
import { cluster, clusterIP, endpoint, exampleCluster, headless, port } from '../helpers/cluster.js';
import { craft, query, UdpClient } from '../helpers/clients.js';
import { decode } from '../helpers/decode.js';

const Z = 'cluster.local';
const OPTIONS: IndexOptions = { zone: Z, ttl: 5, podMode: 'insecure', serial: 42, nameserverAddresses: ['127.0.0.1'] };
const native = !(nativeAddon() instanceof Error);

/** A server answering from `index()`, with the wire path, telling `observed` of every answer the wire path or the stand-in gives. */
async function serve(index: () => RecordIndex) {
  const responder = createResponder({ index });
  const observed: Query[] = [];
  const dns = await startDnsServer({
    host: '127.0.0.1',
    port: 0,
    handler: (q) => responder.respond(q),
    answers: responder,
    observeWire: (q) => void observed.push(q),
    logger: pino({ level: 'silent' }),
    udpIo: 'batch',
  });
  return { dns, observed };
}

/** Hold the event loop, as a slice of a build does (the stand-in's thread answers meanwhile). */
function holdLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy
  }
}

/** Send every request, hold the loop, then collect the replies (by ID). */
async function askWhileHeld(client: UdpClient, requests: readonly Buffer[], holdMs = 300): Promise<Map<number, Buffer>> {
  for (const request of requests) await client.send(request);
  holdLoop(holdMs);
  const replies = await client.until(requests.at(-1)!.readUInt16BE(0));
  const more = requests.length - replies.length;
  for (let i = 0; i < more; i++) replies.push(...(await client.until(requests[replies.length]!.readUInt16BE(0))));
  return new Map(replies.map((reply) => [reply.readUInt16BE(0), reply]));
}

/** Ask one by one, the ordinary way (no stand-in): the replies to compare with. */
async function askEach(client: UdpClient, requests: readonly Buffer[]): Promise<Map<number, Buffer>> {
  const replies = new Map<number, Buffer>();
  for (const request of requests) {
    await client.send(request);
    const [reply] = (await client.until(request.readUInt16BE(0))).slice(-1);
    replies.set(request.readUInt16BE(0), reply!);
  }
  return replies;
}

/** Ask each twice: a question asked again is one the stand-in's table holds (a one-off is not). */
async function askTwice(client: UdpClient, requests: readonly Buffer[]): Promise<void> {
  await askEach(client, requests);
  await askEach(client, requests.map((r) => withId(r, (r.readUInt16BE(0) + 30000) & 0xffff)));
}

/** A request whose OPT carries a cookie, as dig sends it: not a shape the stand-in answers. */
function withCookie(request: Buffer): Buffer {
  const copy = Buffer.from(request);
  copy.writeUInt16BE(12, copy.length - 2); // RDLENGTH
  return Buffer.concat([copy, Buffer.from([0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8])]);
}

/** The addresses a reply's answer section holds, in order. */
function addresses(reply: Buffer): string[] {
  return decode(reply).answer.map((rr) => ('address' in rr.data ? rr.data.address : rr.data.type));
}

/** A copy of `request` with another ID. */
function withId(request: Buffer, id: number): Buffer {
  const copy = Buffer.from(request);
  copy.writeUInt16BE(id, 0);
  return copy;
}

describe.skipIf(!native)('stand-in: answering while the event loop is held', () => {
  let running: { dns: DnsServer; client: UdpClient } | undefined;
  afterEach(async () => {
    running?.dns.standDown();
    await running?.client.close();
    await running?.dns.close();
    running = undefined;
  });

  // No rotation among these: the stand-in's reply must equal the ordinary one byte for byte.
  const rows: Array<{ what: string; request: Buffer }> = [
    { what: 'ClusterIP A', request: query(1, `web.prod.svc.${Z}`) },
    { what: 'mixed case (0x20): the question echoed as sent', request: query(2, `WeB.pROD.svc.Cluster.Local`) },
    { what: 'SRV with additional records', request: craft({ id: 3, questions: [{ name: `_http._tcp.web.prod.svc.${Z}`, type: 33 }] }) },
    { what: 'NODATA with the SOA', request: craft({ id: 4, questions: [{ name: `web.prod.svc.${Z}`, type: 28 }] }) },
    { what: 'NXDOMAIN', request: query(5, `nothing.prod.svc.${Z}`) },
    { what: 'EDNS 1232', request: query(6, `web.prod.svc.${Z}`, { opts: [{ udpSize: 1232 }] }) },
    { what: 'EDNS 4096 with DO', request: query(7, `web.prod.svc.${Z}`, { opts: [{ udpSize: 4096, do: true }] }) },
    { what: 'EDNS below 512', request: query(8, `web.prod.svc.${Z}`, { opts: [{ udpSize: 100 }] }) },
    { what: 'CD set, RD clear', request: query(9, `web.prod.svc.${Z}`, { cd: true, rd: false }) },
    { what: 'the apex SOA', request: craft({ id: 10, questions: [{ name: Z, type: 6 }] }) },
  ];

  it('answers every repeat, byte for byte as the ordinary path does, while the loop is held', async () => {
    const index = buildRecordIndex(exampleCluster(), OPTIONS);
    const { dns, observed } = await serve(() => index);
    const client = new UdpClient(dns.port);
    running = { dns, client };
    const requests = rows.map((row) => row.request);
    const ordinary = await askEach(client, requests);
    // Learned by the wire path: the stand-in's table holds them all.
    await askEach(client, requests.map((r, i) => withId(r, 100 + i)));
    observed.length = 0;
    expect(dns.standIn()).toBe(true);
    const held = await askWhileHeld(client, requests.map((r, i) => withId(r, 200 + i)));
    // The native thread's own count: every question (5 distinct names and types among the rows) was its answer.
    expect(dns.prepareHandover(index)?.questions).toHaveLength(5);
    dns.standDown();
    for (const [i, row] of rows.entries()) {
      const expected = withId(ordinary.get(row.request.readUInt16BE(0))!, 200 + i);
      expect(held.get(200 + i), row.what).toEqual(expected);
    }
    // Every one was the stand-in's (told to the observer at standDown, as metrics count them).
    expect(observed).toHaveLength(rows.length);
  });

  it('leaves what it has no reply for to JavaScript, which answers it when the loop turns', async () => {
    const index = buildRecordIndex(exampleCluster(), OPTIONS);
    const { dns, observed } = await serve(() => index);
    const client = new UdpClient(dns.port);
    running = { dns, client };
    await askTwice(client, [query(1, `web.prod.svc.${Z}`)]);
    expect(dns.standIn()).toBe(true);
    observed.length = 0;
    const unseen = query(2, `db.prod.svc.${Z}`);
    const cookie = withCookie(query(3, `web.prod.svc.${Z}`, { opts: [{ udpSize: 1232 }] }));
    const held = await askWhileHeld(client, [query(4, `web.prod.svc.${Z}`), unseen, cookie]);
    dns.standDown();
    expect(decode(held.get(2)!).answer.length).toBeGreaterThan(0);
    expect(addresses(held.get(3)!)).toEqual(addresses(held.get(4)!));
    // The stand-in answered the repeat; the unseen name was learned and answered by the wire path once the loop turned.
    expect(observed.map((q) => q.name).sort()).toEqual([`db.prod.svc.${Z}`, `web.prod.svc.${Z}`]);
    // Reading is the event loop's again.
    const after = await askEach(client, [query(5, `web.prod.svc.${Z}`)]);
    expect(addresses(after.get(5)!)).toEqual(['10.96.30.1']);
  });

  it('rotates a headless service among its addresses, as the ordinary path does', async () => {
    const endpoints = ['10.244.1.1', '10.244.1.2', '10.244.1.3'].map((ip) => endpoint(ip, { ports: [port('http', 80)] }));
    const index = buildRecordIndex(cluster({ services: [headless('prod/db', { ports: [port('http', 80)], endpoints })] }), OPTIONS);
    const { dns } = await serve(() => index);
    const client = new UdpClient(dns.port);
    running = { dns, client };
    await askTwice(client, [query(1, `db.prod.svc.${Z}`)]);
    expect(dns.standIn()).toBe(true);
    const held = await askWhileHeld(client, [2, 3, 4].map((id) => query(id, `db.prod.svc.${Z}`)));
    dns.standDown();
    const firsts = [2, 3, 4].map((id) => addresses(held.get(id)!));
    for (const answers of firsts) expect([...answers].sort()).toEqual(['10.244.1.1', '10.244.1.2', '10.244.1.3']);
    expect(new Set(firsts.map((answers) => answers[0])).size).toBe(3);
  });

  it('hands over at a swap, without stopping: it answers the questions it was answering from the next state', async () => {
    const before = buildRecordIndex(cluster({ services: [clusterIP('prod/web', ['10.96.0.20'], { ports: [port('http', 80)] })] }), OPTIONS);
    const next = buildRecordIndex(cluster({ services: [clusterIP('prod/web', ['10.96.0.21'], { ports: [port('http', 80)] })] }), OPTIONS);
    let current = before;
    const { dns } = await serve(() => current);
    const client = new UdpClient(dns.port);
    running = { dns, client };
    await askTwice(client, [query(1, `web.prod.svc.${Z}`)]);
    expect(dns.standIn()).toBe(true);
    const old = await askWhileHeld(client, [query(2, `web.prod.svc.${Z}`)]);
    const handover = dns.prepareHandover(next);
    current = next;
    // Without stopping: the thread answers from the next state's table from its next batch on.
    expect(dns.handOver(handover)).toBe(true);
    const fresh = await askWhileHeld(client, [query(3, `web.prod.svc.${Z}`)]);
    expect(dns.prepareHandover(next)?.questions).toHaveLength(1);
    dns.standDown();
    expect(addresses(old.get(2)!)).toEqual(['10.96.0.20']);
    expect(addresses(fresh.get(3)!)).toEqual(['10.96.0.21']);
  });

  it('tells the observer (metrics) of its answers while it stands in, each once', async () => {
    const index = buildRecordIndex(exampleCluster(), OPTIONS);
    const { dns, observed } = await serve(() => index);
    const client = new UdpClient(dns.port);
    running = { dns, client };
    await askTwice(client, [query(1, `web.prod.svc.${Z}`)]);
    observed.length = 0;
    expect(dns.standIn()).toBe(true);
    await askWhileHeld(client, [2, 3, 4].map((id) => query(id, `web.prod.svc.${Z}`)));
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(observed).toHaveLength(3);
    await askWhileHeld(client, [query(5, `web.prod.svc.${Z}`)], 50);
    dns.standDown();
    expect(observed).toHaveLength(4);
  });

  it('stops at a swap when it has nothing to answer from the next state', async () => {
    const index = buildRecordIndex(exampleCluster(), OPTIONS);
    const { dns } = await serve(() => index);
    const client = new UdpClient(dns.port);
    running = { dns, client };
    await askTwice(client, [query(1, `web.prod.svc.${Z}`)]);
    expect(dns.standIn()).toBe(true);
    // Nothing was asked while it stood in: nothing to hand over.
    expect(dns.handOver(dns.prepareHandover(index))).toBe(false);
    // The event loop reads again.
    expect(addresses((await askEach(client, [query(2, `web.prod.svc.${Z}`)])).get(2)!)).toEqual(['10.96.30.1']);
  });

  it('does not stand in without repeats to answer, or twice', async () => {
    const index = buildRecordIndex(exampleCluster(), OPTIONS);
    const { dns } = await serve(() => index);
    const client = new UdpClient(dns.port);
    running = { dns, client };
    expect(dns.standIn()).toBe(false);
    // Asked once: not a repeat yet.
    await askEach(client, [query(1, `web.prod.svc.${Z}`)]);
    expect(dns.standIn()).toBe(false);
    await askEach(client, [query(2, `web.prod.svc.${Z}`)]);
    expect(dns.standIn()).toBe(true);
    expect(dns.standIn()).toBe(false);
  });
});
