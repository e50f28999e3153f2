import { describe, expect, it } from 'vitest';
import { Hash64, hash64, hashToIndex, hashToRange } from '../../src/cluster/addresses/hash.js';

// Names and addresses hash their identity in pieces (namespace, '/', name …)
// so that no joined string is built per pod; the result must be exactly the
// hash of the joined string, or every generated name and address would move.
describe('hashing in pieces = hashing the joined string', () => {
  const rows: { pieces: string[] }[] = [
    { pieces: [] },
    { pieces: ['', ''] },
    { pieces: ['ns-000', '/', 'app-00000-d54659b8f-xltnm', '/', 'IPv4'] },
    { pieces: ['default/Deployment/web/', '17'] },
    { pieces: ['tëxt ', 'with ', 'ünïcode ☃'] },
  ];

  it.each(rows)('$pieces', ({ pieces }) => {
    const joined = pieces.join('');
    const hash = new Hash64();
    for (const piece of pieces) hash.update(piece);
    expect(hash.digest()).toEqual(hash64(joined));
    expect(hashToRange(pieces, 1000n)).toBe(hashToRange(joined, 1000n));
    expect(hashToRange(pieces, 2n ** 64n + 13n)).toBe(hashToRange(joined, 2n ** 64n + 13n));
    expect(BigInt(hashToIndex(pieces, 254))).toBe(hashToRange(joined, 254n));
  });

  it('a copy continues from the shared prefix without disturbing it', () => {
    const start = new Hash64().update('default/StatefulSet/db/');
    expect(start.copy().update('1').digest()).toEqual(hash64('default/StatefulSet/db/1'));
    expect(start.copy().update('2').digest()).toEqual(hash64('default/StatefulSet/db/2'));
    expect(start.digest()).toEqual(hash64('default/StatefulSet/db/'));
  });
});
