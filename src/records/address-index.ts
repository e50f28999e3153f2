// Which services and endpoints hold each address, for PTR answers, in about
// 12 bytes per address: IPv4 addresses sorted in a typed array with the
// owner's service and endpoint positions beside them, found by binary search.
// (A Map of owner objects took about 30 MB at 150,000 pods.) Other addresses
// (IPv6) are few and kept in a Map.

import { parseIPv4 } from '../cluster/index.js';

/** Owners of one address as positions: `services[service]`, and `.endpoints[endpoint]` or -1 for its cluster IP. */
export interface OwnerPosition {
  readonly service: number;
  readonly endpoint: number;
}

/** Visits beyond this count do not fit the sort key; such clusters keep every address in the Map. */
const MAX_VISITS = 2 ** 21;

export class AddressIndex {
  private readonly addresses: Uint32Array;
  private readonly services: Int32Array;
  private readonly endpoints: Int32Array;
  private readonly other = new Map<string, OwnerPosition[]>();

  /** `visits` in PTR order: (address, service position, endpoint position or -1). */
  constructor(visits: (visit: (ip: string, service: number, endpoint: number) => void) => void) {
    const keys: number[] = [];
    const serviceOf: number[] = [];
    const endpointOf: number[] = [];
    visits((ip, service, endpoint) => {
      const v4 = parseIPv4(ip);
      if (v4 === undefined || keys.length >= MAX_VISITS) {
        let owners = this.other.get(ip);
        if (!owners) this.other.set(ip, (owners = []));
        owners.push({ service, endpoint });
        return;
      }
      // Address first, then visit order: a numeric sort keeps each address's owners in PTR order.
      keys.push(v4 * MAX_VISITS + serviceOf.length);
      serviceOf.push(service);
      endpointOf.push(endpoint);
    });
    const sorted = Float64Array.from(keys).sort();
    this.addresses = new Uint32Array(sorted.length);
    this.services = new Int32Array(sorted.length);
    this.endpoints = new Int32Array(sorted.length);
    sorted.forEach((key, i) => {
      const visit = key % MAX_VISITS;
      this.addresses[i] = (key - visit) / MAX_VISITS;
      this.services[i] = serviceOf[visit]!;
      this.endpoints[i] = endpointOf[visit]!;
    });
  }

  /** The owners of `ip` (canonical text) in PTR order; empty when none. */
  owners(ip: string): OwnerPosition[] {
    const v4 = parseIPv4(ip);
    if (v4 === undefined) return this.other.get(ip) ?? [];
    const owners: OwnerPosition[] = [];
    let low = 0;
    let high = this.addresses.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.addresses[middle]! < v4) low = middle + 1;
      else high = middle;
    }
    for (let i = low; i < this.addresses.length && this.addresses[i] === v4; i++) {
      owners.push({ service: this.services[i]!, endpoint: this.endpoints[i]! });
    }
    // Visits past MAX_VISITS came later, so they follow.
    for (const owner of this.other.get(ip) ?? []) owners.push(owner);
    return owners;
  }
}
