// The helpers that read a pod's IPs however the Pod holds them (PodIPs in
// state.ts): one address as a string, two as an array, none as NO_IPS.

import { describe, expect, it } from 'vitest';
import { hasIP, ipAt, ipCount, ipList, NO_IPS, packIPs, sameIPs } from '../../src/cluster/model/pod-ip-list.js';
import type { PodIPs } from '../../src/cluster/model/state.js';

const DUAL = ['10.244.1.2', 'fd00:10:244::2'] as const;

describe('PodIPs readers (table)', () => {
  const rows: { held: string; ips: PodIPs; list: readonly string[] }[] = [
    { held: 'one address, as a string', ips: '10.244.1.1', list: ['10.244.1.1'] },
    { held: 'one IPv6 address, as a string', ips: 'fd00:10:244::7', list: ['fd00:10:244::7'] },
    { held: 'two addresses (dual-stack), as an array', ips: DUAL, list: DUAL },
    { held: 'no address, as NO_IPS', ips: NO_IPS, list: [] },
  ];
  it.each(rows)('$held', ({ ips, list }) => {
    expect(ipCount(ips)).toBe(list.length);
    expect(ipList(ips)).toEqual(list);
    for (let i = 0; i <= list.length; i++) expect(ipAt(ips, i)).toBe(list[i]);
    for (const ip of list) expect(hasIP(ips, ip)).toBe(true);
    // A string is one address, never searched by substring.
    expect(hasIP(ips, '10.244.1')).toBe(false);
    expect(hasIP(ips, '')).toBe(false);
    expect(sameIPs(ips, packIPs([...list]))).toBe(true);
  });

  it('ipList hands out a dual-stack pod\'s own array, not a copy', () => {
    expect(ipList(DUAL)).toBe(DUAL);
  });
});

describe('packIPs (table)', () => {
  const rows: { given: string; ips: PodIPs; packed: PodIPs }[] = [
    { given: 'one address in an array', ips: ['10.244.1.1'], packed: '10.244.1.1' },
    { given: 'one address', ips: '10.244.1.1', packed: '10.244.1.1' },
    { given: 'two addresses', ips: DUAL, packed: DUAL },
    { given: 'an empty array', ips: [], packed: NO_IPS },
  ];
  it.each(rows)('$given', ({ ips, packed }) => {
    expect(packIPs(ips)).toBe(packed);
  });
});

describe('sameIPs (table)', () => {
  const rows: { pair: string; a: PodIPs; b: PodIPs; same: boolean }[] = [
    { pair: 'the same address', a: '10.244.1.1', b: '10.244.1.1', same: true },
    { pair: 'another address', a: '10.244.1.1', b: '10.244.1.2', same: false },
    { pair: 'one address and a list holding it and another', a: '10.244.1.2', b: DUAL, same: false },
    { pair: 'equal lists, different arrays', a: DUAL, b: [...DUAL], same: true },
    { pair: 'the same two in the other order', a: DUAL, b: [DUAL[1], DUAL[0]], same: false },
    { pair: 'none and none', a: NO_IPS, b: [], same: true },
    { pair: 'none and one', a: NO_IPS, b: '10.244.1.1', same: false },
  ];
  it.each(rows)('$pair → $same', ({ a, b, same }) => {
    expect(sameIPs(a, b)).toBe(same);
    expect(sameIPs(b, a)).toBe(same);
  });
});
