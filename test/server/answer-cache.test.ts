// The UDP wire path (src/server/answer-cache.ts): a repeated question answered
// from its bytes must be byte for byte what the ordinary path (scan.ts, then
// the responder's writeResponse) sends, and everything else must be left to
// the ordinary path. Two responders over one index keep equal rotation turns:
// one answers the ordinary way, the other feeds the cache.
import { describe, expect, it } from 'vitest';
import { buildRecordIndex, type IndexOptions, type RecordIndex } from '../../src/records/index.js';
import { createResponder } from '../../src/resolve/responder.js';
import { AnswerCache, ORDINARY, UNSEEN } from '../../src/server/answer-cache.js';
import { scanQuery } from '../../src/server/scan.js';
import { cluster, endpoint, exampleCluster, headless, port } from '../helpers/cluster.js';
import { craft, query } from '../helpers/clients.js';

const Z = 'cluster.local';
const OPTIONS: IndexOptions = { zone: Z, ttl: 5, podMode: 'insecure', serial: 42, nameserverAddresses: ['127.0.0.1'] };

function setup(index: () => RecordIndex = constant(buildRecordIndex(exampleCluster(), OPTIONS))) {
  const ordinary = createResponder({ index });
  const cache = new AnswerCache(createResponder({ index }));
  cache.startBatch();
  return { ordinary, cache };
}

function constant<T>(value: T): () => T {
  return () => value;
}

/** The cache's reply to `request` (learning it first when unseen), or the ORDINARY verdict. */
function viaCache(cache: AnswerCache, request: Buffer): Buffer | typeof ORDINARY {
  const out = Buffer.alloc(65536);
  let written = cache.answer(request, request.length, out);
  if (written === UNSEEN) {
    const scanned = scanQuery(request, undefined);
    if (!scanned || !cache.learn(request, scanned)) return ORDINARY;
    written = cache.answer(request, request.length, out);
  }
  return written < 0 ? ORDINARY : Buffer.from(out.subarray(0, written));
}

function viaOrdinaryPath(responder: ReturnType<typeof createResponder>, request: Buffer): Buffer {
  const scanned = scanQuery(request, undefined);
  if (!scanned) throw new Error('the test request is not a plain query');
  const reply = responder.respond(scanned);
  if (!Buffer.isBuffer(reply)) throw new Error('expected an answer at once');
  return reply;
}

/** A request with an OPT record carrying one option (a cookie, as dig sends). */
function withCookie(request: Buffer): Buffer {
  const copy = Buffer.from(request);
  copy.writeUInt16BE(12, copy.length - 2); // RDLENGTH
  const option = Buffer.from([0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8]);
  return Buffer.concat([copy, option]);
}

describe('answer-cache: the same bytes as the ordinary path', () => {
  const rows: Array<{ what: string; request: Buffer }> = [
    { what: 'ClusterIP A', request: query(1, `web.prod.svc.${Z}`) },
    { what: 'headless A (rotating run)', request: query(2, `db.prod.svc.${Z}`) },
    { what: 'headless A again: the next rotation', request: query(3, `db.prod.svc.${Z}`) },
    { what: 'mixed case (0x20): the question echoed as sent', request: query(4, `Db.PROD.svc.Cluster.Local`) },
    { what: 'SRV with additional records', request: craft({ id: 5, questions: [{ name: `_pg._tcp.db.prod.svc.${Z}`, type: 33 }] }) },
    { what: 'NODATA (AAAA of an IPv4 service)', request: craft({ id: 6, questions: [{ name: `web.prod.svc.${Z}`, type: 28 }] }) },
    { what: 'NXDOMAIN (search-list expansion)', request: query(7, `web.prod.svc.${Z}.prod.svc.${Z}`) },
    { what: 'EDNS 1232', request: query(8, `db.prod.svc.${Z}`, { opts: [{ udpSize: 1232 }] }) },
    { what: 'EDNS 4096 with DO', request: query(9, `web.prod.svc.${Z}`, { opts: [{ udpSize: 4096, do: true }] }) },
    { what: 'EDNS below 512', request: query(10, `web.prod.svc.${Z}`, { opts: [{ udpSize: 100 }] }) },
    { what: 'CD set, RD clear', request: query(11, `web.prod.svc.${Z}`, { cd: true, rd: false }) },
    { what: 'the apex SOA', request: craft({ id: 12, questions: [{ name: Z, type: 6 }] }) },
  ];
  const { ordinary, cache } = setup();
  for (const row of rows) {
    it(row.what, () => {
      expect(viaCache(cache, row.request)).toEqual(viaOrdinaryPath(ordinary, row.request));
    });
  }

  it('a 100-address answer is cut to whole records with TC, as the ordinary path cuts it (no EDNS: 512 bytes; EDNS 1232)', () => {
    const endpoints = Array.from({ length: 100 }, (_, i) => endpoint(`10.244.3.${i}`, { ports: [port('http', 80)] }));
    const index = buildRecordIndex(cluster({ services: [headless('prod/wide', { ports: [port('http', 80)], endpoints })] }), OPTIONS);
    const { ordinary: plain, cache: wide } = setup(constant(index));
    for (const [id, opts] of [[1, []], [2, [{ udpSize: 1232 }]], [3, [{ udpSize: 1232 }]]] as const) {
      const request = query(id, `wide.prod.svc.${Z}`, { opts });
      const expected = viaOrdinaryPath(plain, request);
      expect(expected[2]! & 0x02).toBe(0x02);
      expect(viaCache(wide, request)).toEqual(expected);
    }
  });
});

describe('answer-cache: what it leaves to the ordinary path', () => {
  const rows: Array<{ what: string; request: Buffer }> = [
    { what: 'a response (QR set)', request: craft({ id: 1, qr: true, questions: [{ name: `web.prod.svc.${Z}` }] }) },
    { what: 'opcode NOTIFY', request: craft({ id: 2, opcode: 4, questions: [{ name: `web.prod.svc.${Z}` }] }) },
    { what: 'class CH', request: craft({ id: 3, questions: [{ name: `web.prod.svc.${Z}`, class: 3 }] }) },
    { what: 'class ANY (answered, but not from the table)', request: craft({ id: 4, questions: [{ name: `web.prod.svc.${Z}`, class: 255 }] }) },
    { what: 'two questions', request: craft({ id: 5, questions: [{ name: `web.prod.svc.${Z}` }, { name: `db.prod.svc.${Z}` }] }) },
    { what: 'two OPT records', request: query(6, `web.prod.svc.${Z}`, { opts: [{}, {}] }) },
    { what: 'EDNS version 1', request: query(7, `web.prod.svc.${Z}`, { opts: [{ version: 1 }] }) },
    { what: 'an EDNS option (cookie)', request: withCookie(query(8, `web.prod.svc.${Z}`, { opts: [{}] })) },
    { what: 'trailing bytes', request: Buffer.concat([query(9, `web.prod.svc.${Z}`), Buffer.from([0])]) },
    { what: 'a name outside the zone (forwarded or REFUSED)', request: query(10, 'example.com') },
    { what: 'a zone transfer (REFUSED)', request: craft({ id: 11, questions: [{ name: Z, type: 252 }] }) },
    { what: 'a truncated header', request: query(12, `web.prod.svc.${Z}`).subarray(0, 14) },
  ];
  for (const row of rows) {
    it(row.what, () => {
      const { cache } = setup();
      expect(viaCache(cache, row.request)).toBe(ORDINARY);
      expect(viaCache(cache, row.request)).toBe(ORDINARY); // and still, once seen
    });
  }

  it('a compressed question name', () => {
    const { cache } = setup();
    const plain = query(1, `web.prod.svc.${Z}`);
    const pointer = Buffer.concat([plain.subarray(0, 12), Buffer.from([0xc0, 12]), plain.subarray(-4)]);
    expect(cache.answer(pointer, pointer.length, Buffer.alloc(512))).toBe(ORDINARY);
  });
});

describe('answer-cache: keys and reloads', () => {
  it('a name learned in one case answers every case; QTYPE bytes are not case-folded (0x41 HTTPS vs 0x61)', () => {
    const { cache } = setup();
    expect(viaCache(cache, query(1, `web.prod.svc.${Z}`))).not.toBe(ORDINARY);
    const upper = query(2, `WEB.PROD.SVC.${Z.toUpperCase()}`);
    expect(cache.answer(upper, upper.length, Buffer.alloc(512))).toBeGreaterThan(0);
    const https = craft({ id: 3, questions: [{ name: `web.prod.svc.${Z}`, type: 0x41 }] });
    expect(viaCache(cache, https)).not.toBe(ORDINARY);
    const other = craft({ id: 4, questions: [{ name: `web.prod.svc.${Z}`, type: 0x61 }] });
    expect(cache.answer(other, other.length, Buffer.alloc(512))).toBe(UNSEEN);
  });

  it('a swapped index (reload) empties the table at the next batch', () => {
    let index = buildRecordIndex(exampleCluster(), OPTIONS);
    const { cache } = setup(() => index);
    const request = query(1, `web.prod.svc.${Z}`);
    expect(viaCache(cache, request)).not.toBe(ORDINARY);
    index = buildRecordIndex(cluster({ services: [] }), OPTIONS);
    cache.startBatch();
    expect(cache.answer(request, request.length, Buffer.alloc(512))).toBe(UNSEEN);
    const reply = viaCache(cache, request);
    expect(reply).not.toBe(ORDINARY);
    expect((reply as Buffer)[3]! & 0xf).toBe(3); // NXDOMAIN now
  });

  it("a stand-in's questions, relearned after a swap, are answered from the new index without being learned again", () => {
    let index = buildRecordIndex(exampleCluster(), OPTIONS);
    const { ordinary, cache } = setup(() => index);
    const request = query(1, `Web.Prod.svc.${Z}`);
    viaCache(cache, request);
    viaCache(cache, request); // asked again: a stand-in question
    const [question] = cache.standInQuestions();
    expect(question?.query.name).toBe(`Web.Prod.svc.${Z}`);
    const next = buildRecordIndex(cluster({ services: [] }), OPTIONS);
    const prepared = createResponder({ index: () => next }).prepared(question!.query) ?? null;
    index = next;
    cache.relearn([{ ...question!, prepared }]);
    const out = Buffer.alloc(512);
    const written = cache.answer(request, request.length, out);
    expect(written).toBeGreaterThan(0);
    expect(out.subarray(0, written)).toEqual(viaOrdinaryPath(ordinary, request));
    expect(cache.standInQuestions()).toHaveLength(1);
  });
});
