// Endpoints refer to their Pod object; readers compare and look pods up by
// namespace and name, since another build (or a readiness override) holds
// other objects for the same pods.

import { describe, expect, it } from 'vitest';
import { PodMap, samePod } from '../../src/cluster/model/pod-ref.js';
import type { PodRef } from '../../src/cluster/model/state.js';

const ref = (namespace: string, name: string): PodRef => ({ namespace, name });

describe('samePod', () => {
  const web0 = ref('shop', 'web-0');
  const rows: Array<{ why: string; a: PodRef | undefined; b: PodRef | undefined; same: boolean }> = [
    { why: 'the same object', a: web0, b: web0, same: true },
    { why: 'another object, same namespace and name', a: web0, b: ref('shop', 'web-0'), same: true },
    { why: 'another name', a: web0, b: ref('shop', 'web-1'), same: false },
    { why: 'another namespace', a: web0, b: ref('prod', 'web-0'), same: false },
    { why: 'names that join alike are still two pods', a: ref('a-b', 'c'), b: ref('a', 'b-c'), same: false },
    { why: 'one absent (an endpoint given by a slice)', a: web0, b: undefined, same: false },
    { why: 'both absent', a: undefined, b: undefined, same: true },
  ];
  it.each(rows)('$why', ({ a, b, same }) => {
    expect(samePod(a, b)).toBe(same);
    expect(samePod(b, a)).toBe(same);
  });
});

describe('PodMap', () => {
  it('finds a value through any object naming the pod', () => {
    const map = new PodMap<string>().set(ref('shop', 'web-0'), 'x').set(ref('prod', 'web-0'), 'y');
    expect(map.size).toBe(2);
    expect(map.get(ref('shop', 'web-0'))).toBe('x');
    expect(map.get(ref('prod', 'web-0'))).toBe('y');
    expect(map.get(ref('shop', 'web-1'))).toBeUndefined();
    expect(map.has(ref('prod', 'web-0'))).toBe(true);
    expect(map.get(undefined)).toBeUndefined();
    expect(map.has(undefined)).toBe(false);
  });

  it('counts a pod set twice once, keeping the last value', () => {
    const map = new PodMap<number>().set(ref('shop', 'web-0'), 1).set(ref('shop', 'web-0'), 2);
    expect(map.size).toBe(1);
    expect(map.get(ref('shop', 'web-0'))).toBe(2);
  });

  it('reads `namespace/name` keys as the control API writes them (a name holds no slash, a namespace neither)', () => {
    const map = PodMap.fromKeys([
      ['shop/web-0', false],
      ['kube-system/coredns-5d78c9869d-abcde', true],
    ]);
    expect(map.get(ref('shop', 'web-0'))).toBe(false);
    expect(map.get(ref('kube-system', 'coredns-5d78c9869d-abcde'))).toBe(true);
    expect(map.size).toBe(2);
  });

  it('empty: nothing found', () => {
    expect(new PodMap<number>().get(ref('shop', 'web-0'))).toBeUndefined();
  });
});
