// The compact address → owners index behind PTR answers: owners come back in
// the order they were visited, whatever order the addresses came in.

import { describe, expect, it } from 'vitest';
import { AddressIndex } from '../../src/records/address-index.js';

describe('AddressIndex', () => {
  const visits: Array<[string, number, number]> = [
    ['10.0.0.9', 0, -1],
    ['10.0.0.1', 1, 0],
    ['fd00::1', 1, 1],
    ['10.0.0.1', 2, 3],
    ['0.0.0.0', 3, 0],
    ['255.255.255.255', 3, 1],
    ['10.0.0.1', 4, 0],
  ];
  const index = new AddressIndex((visit) => visits.forEach(([ip, service, endpoint]) => visit(ip, service, endpoint)));

  it.each([
    { ip: '10.0.0.1', owners: [[1, 0], [2, 3], [4, 0]] },
    { ip: '10.0.0.9', owners: [[0, -1]] },
    { ip: 'fd00::1', owners: [[1, 1]] },
    { ip: '0.0.0.0', owners: [[3, 0]] },
    { ip: '255.255.255.255', owners: [[3, 1]] },
    { ip: '10.0.0.2', owners: [] },
    { ip: '010.0.0.1', owners: [] },
    { ip: 'fd00::2', owners: [] },
  ])('$ip → $owners', ({ ip, owners }) => {
    expect(index.owners(ip).map((owner) => [owner.service, owner.endpoint])).toEqual(owners);
  });
});
