// The index keeps computed answers in a memo bounded by generations, and each
// service's records in tables built on its first query, bounded the same way.

import { describe, expect, it } from 'vitest';
import { AnswerMemo } from '../../src/records/memo.js';
import { ServiceTables, type ServiceTable } from '../../src/records/service-tables.js';
import { NameTable } from '../../src/records/table.js';
import { buildRecordIndex } from '../../src/records/index.js';
import { RRType } from '../../src/dns/types.js';
import type { Lookup } from '../../src/records/types.js';
import type { Service } from '../../src/cluster/model/state.js';
import { clusterIP, exampleCluster } from '../helpers/cluster.js';

const answer = (n: number): Lookup => ({ kind: 'external', cnames: [], target: `t${n}`, nodata: undefined as never });

describe('AnswerMemo', () => {
  it('never holds more than two generations, however many names are asked', () => {
    const memo = new AnswerMemo(100);
    for (let i = 0; i < 10_000; i++) memo.set(`random-${i}.cluster.local`, RRType.A, answer(i));
    expect(memo.size).toBeLessThanOrEqual(200);
  });

  it('never recomputes a working set that fits a generation, while one-off names keep turning generations', () => {
    const memo = new AnswerMemo(100);
    const hot = Array.from({ length: 80 }, (_, i) => `name-${i}.cluster.local`);
    let computed = 0;
    let oneOff = 0;
    const ask = (name: string) => {
      if (memo.get(name, RRType.A) !== undefined) return;
      computed++;
      memo.set(name, RRType.A, answer(0));
    };
    for (const name of hot) ask(name);
    for (let pass = 0; pass < 20; pass++) {
      for (const name of hot) {
        ask(name);
        if (Number(name.slice(5, -14)) % 6 === 0) ask(`random-${oneOff++}.cluster.local`);
      }
    }
    expect(oneOff).toBeGreaterThan(200); // several generations turned
    expect(computed).toBe(80 + oneOff);
  });

  it('tells qtypes of one name apart', () => {
    const memo = new AnswerMemo(10);
    const a = answer(1);
    memo.set('web.prod.svc.cluster.local', RRType.A, a);
    expect(memo.get('web.prod.svc.cluster.local', RRType.A)).toBe(a);
    expect(memo.get('web.prod.svc.cluster.local', RRType.AAAA)).toBeUndefined();
  });
});

describe('ServiceTables', () => {
  const services: Service[] = Array.from({ length: 20 }, (_, i) => clusterIP(`prod/web${i}`, [`10.96.0.${i + 10}`]));

  function tables(limit: number) {
    const built: string[] = [];
    const completed: string[] = [];
    const store = new ServiceTables(
      services,
      {
        build(group): ServiceTable {
          built.push(group[0]!.name);
          const table = new NameTable();
          for (let i = 0; i < 5; i++) table.touch(`n${i}.${group[0]!.name}`, 'cluster.local');
          return { table, hostnames: new Map() };
        },
        complete(table) {
          completed.push([...table.table.all()][0]!.name);
        },
      },
      limit,
    );
    return { store, built, completed };
  }

  it('builds a service table on its first query only, and not for unknown services', () => {
    const { store, built, completed } = tables(1000);
    expect(built).toEqual([]);
    const first = store.get('prod', 'web3');
    expect(store.get('prod', 'web3')).toBe(first);
    expect(store.get('prod', 'nope')).toBeUndefined();
    expect(store.get('other', 'web3')).toBeUndefined();
    expect(built).toEqual(['web3']);
    expect(completed).toEqual(['n0.web3']);
  });

  it('drops tables beyond two generations and rebuilds them when asked again', () => {
    const { store, built } = tables(10); // two tables of 5 names per generation
    for (const service of services) store.get('prod', service.name);
    expect(built).toHaveLength(20);
    store.get('prod', 'web19'); // current generation
    store.get('prod', 'web17'); // previous generation: kept
    expect(built).toHaveLength(20);
    store.get('prod', 'web0'); // long gone: rebuilt
    expect(built).toHaveLength(21);
  });
});

describe('the index memo', () => {
  it('answers a repeated query with the same Lookup object', () => {
    const index = buildRecordIndex(exampleCluster(), { zone: 'cluster.local', ttl: 5, podMode: 'insecure', serial: 1, nameserverAddresses: [] });
    for (const [name, qtype] of [
      ['web.prod.svc.cluster.local', RRType.A],
      ['db-0.db.prod.svc.cluster.local', RRType.A],
      ['_pg._tcp.db.prod.svc.cluster.local', RRType.SRV],
      ['nope.prod.svc.cluster.local', RRType.A],
      ['10-244-9-9.team.pod.cluster.local', RRType.A],
      ['1.30.96.10.in-addr.arpa', RRType.PTR],
    ] as const) {
      expect(index.lookup(name, qtype)).toBe(index.lookup(name, qtype));
    }
  });
});
