// Name text when a label may hold any byte (src/dns/escape.ts): the escapes,
// the wire lengths and zone checks that depend on them, and the writers that
// turn escaped text back into the bytes the client sent.

import { describe, expect, it } from 'vitest';
import { isLabelBoundary, labelText, nameLabels, nameWireLength } from '../../src/dns/escape.js';
import { writeQuestion } from '../../src/dns/message.js';
import { isSubdomain, normalizeName, stripZone } from '../../src/dns/names.js';
import { prepareAnswer } from '../../src/dns/wire.js';
import { readName } from '../../src/dns/reader.js';
import { Router } from '../../src/forward/routing.js';

/** Wire bytes of a name given as raw labels (latin1). */
function wireName(labels: readonly string[]): Buffer {
  return Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])), Buffer.from([0])]);
}

const NAMES = [
  { labels: ['web', 'prod'], text: 'web.prod', why: 'plain names keep their spelling' },
  { labels: ['a.b', 'c'], text: 'a\\.b.c', why: 'a dot inside a label' },
  { labels: ['a\\b'], text: 'a\\\\b', why: 'a backslash' },
  { labels: ['.', '\\'], text: '\\..\\\\', why: 'labels that are only a dot, only a backslash' },
  { labels: ['a\x00b', 'A B\xff'], text: 'a\x00b.A B\xff', why: 'other bytes stay one character each' },
  { labels: ['x.'], text: 'x\\.', why: 'a label ending in a dot' },
  { labels: [], text: '', why: 'the root' },
];

describe('escaped name text round-trips through the wire (table)', () => {
  it.each(NAMES)('$why: $text', ({ labels, text }) => {
    const wire = wireName(labels);
    // read: the relay's reader and the label helper agree
    const read = readName(Buffer.concat([Buffer.alloc(12), wire]), 12);
    expect(read instanceof Error ? read.message : read.name).toBe(text);
    expect(labels.map((l) => labelText(Buffer.from(l, 'latin1'), 0, l.length)).join('.')).toBe(text);
    // back to labels and bytes
    expect(nameLabels(text)).toEqual(labels);
    expect(nameWireLength(text)).toBe(wire.length);
    const out = Buffer.alloc(wire.length + 4);
    expect(writeQuestion(out, 0, { name: text, qtype: 1, qclass: 1 })).toBe(wire.length + 4);
    expect(out.subarray(0, wire.length).toString('hex')).toBe(wire.toString('hex'));
  });

  it('\\DDD is read as the byte it names (as typed to dig)', () => {
    expect(nameLabels('a\\046b.c')).toEqual(['a.b', 'c']);
    expect(nameWireLength('a\\046b.c')).toBe(7);
  });
});

const BOUNDARIES = [
  { name: 'a.cluster.local', zone: 'cluster.local', under: true, relative: 'a' },
  { name: 'a\\.cluster.local', zone: 'cluster.local', under: false, relative: undefined, why: 'labels a.cluster + local' },
  { name: 'a\\\\.cluster.local', zone: 'cluster.local', under: true, relative: 'a\\\\', why: 'an escaped backslash, then a real dot' },
  { name: 'a\\\\\\.cluster.local', zone: 'cluster.local', under: false, relative: undefined, why: 'escaped backslash, escaped dot' },
  { name: '1\\.2.in-addr.arpa', zone: 'in-addr.arpa', under: true, relative: '1\\.2' },
];

describe('zone checks only split at real label boundaries (table)', () => {
  it.each(BOUNDARIES)('$name under $zone: $under', ({ name, zone, under, relative }) => {
    expect(isSubdomain(name, zone)).toBe(under);
    expect(stripZone(name, zone)).toBe(relative);
  });

  it('a trailing escaped dot is part of the name, a plain one is not', () => {
    expect(normalizeName('X\\.')).toBe('x\\.');
    expect(normalizeName('X\\\\.')).toBe('x\\\\');
    expect(isLabelBoundary('a\\.b', 2)).toBe(false);
  });

  it('stub domains match on label boundaries', () => {
    const stub = { host: '127.0.0.2', port: 53 };
    const router = new Router([{ host: '127.0.0.1', port: 53 }], [{ suffix: 'corp.example', upstreams: [stub] }], 'sequential');
    expect(router.route('db.corp.example')).toEqual([stub]);
    expect(router.route('db\\.corp.example')).toEqual([{ host: '127.0.0.1', port: 53 }]);
  });
});

describe('answers for escaped names compress only at real suffixes', () => {
  it('the SOA of NXDOMAIN under a label "a.cluster" does not point into it', () => {
    const name = 'x.a\\.cluster.local';
    const soa = { name: 'cluster.local', ttl: 5, data: { type: 'SOA' as const, mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 1, refresh: 2, retry: 3, expire: 4, minimum: 5 } };
    const prepared = prepareAnswer(name, 3, { answer: [], authority: [soa], additional: [] });
    expect(prepared.qnameLength).toBe(wireName(['x', 'a.cluster', 'local']).length);
    // The owner "cluster.local" may only point at the question's "local" suffix (offset 12 + 2 + 10), not mid-label.
    const message = Buffer.concat([Buffer.alloc(12), wireName(['x', 'a.cluster', 'local']), Buffer.alloc(4), prepared.body]);
    const owner = readName(message, 12 + prepared.qnameLength + 4);
    expect(owner instanceof Error ? owner.message : owner.name).toBe('cluster.local');
  });
});
