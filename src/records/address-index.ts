// Which services and endpoints hold each address, for PTR answers, in about
// 12 bytes per address: IPv4 addresses sorted in a typed array with the
// owner's service and endpoint positions beside them, found by binary search.
// (A Map of owner objects took about 30 MB at 150,000 pods.) Other addresses
// (IPv6) are few and kept in a Map.

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
      const v4 = ipv4Number(ip);
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
    const v4 = ipv4Number(ip);
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

/** A canonical dotted-quad as a number; undefined for anything else (read by hand: split() cost a second at 150,000 pods). */
function ipv4Number(ip: string): number | undefined {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const code = ip.charCodeAt(i);
    if (code === 46) {
      if (digits === 0 || dots === 3) return undefined;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
      continue;
    }
    // Digits only, no leading zero, at most 255.
    if (code < 48 || code > 57 || (digits > 0 && octet === 0)) return undefined;
    octet = octet * 10 + (code - 48);
    digits++;
    if (octet > 255) return undefined;
  }
  return dots === 3 && digits > 0 ? value * 256 + octet : undefined;
}
