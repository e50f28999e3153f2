import { describe, expect, it } from 'vitest';
import { addressAt, cidrContains, parseCIDR, parseIP } from '../../src/cluster/model/ip.js';
import { canonicalIP } from '../../src/net/ip.js';

describe('canonicalIP', () => {
  const rows: { name: string; input: string; want: string | undefined }[] = [
    { name: 'IPv4 as is', input: '10.244.3.1', want: '10.244.3.1' },
    { name: 'IPv4 with leading zero refused', input: '010.0.0.1', want: undefined },
    { name: 'short IPv4 refused', input: '10.1', want: undefined },
    { name: 'IPv6 compressed lower-case (RFC 5952)', input: '2001:DB8:0:0:0:0:0:1', want: '2001:db8::1' },
    { name: 'IPv6 longest zero run compressed', input: '2001:db8:0:1:0:0:0:0', want: '2001:db8:0:1::' },
    { name: 'IPv6 unspecified', input: '::', want: '::' },
    { name: 'IPv6 zone id refused', input: 'fe80::1%eth0', want: undefined },
    { name: 'not an IP', input: 'web', want: undefined },
    { name: 'empty', input: '', want: undefined },
  ];
  it.each(rows)('$name', ({ input, want }) => {
    expect(canonicalIP(input)).toBe(want);
  });
});

describe('parseCIDR', () => {
  const rows: { name: string; input: string; want: string | undefined; size?: bigint }[] = [
    { name: 'IPv4 /12', input: '10.96.0.0/12', want: '10.96.0.0/12', size: 1n << 20n },
    { name: 'IPv6 /56', input: 'fd00:10:244::/56', want: 'fd00:10:244::/56', size: 1n << 72n },
    { name: 'host bits set refused', input: '10.96.0.1/12', want: undefined },
    { name: 'prefix too long refused', input: '10.0.0.0/33', want: undefined },
    { name: 'no prefix refused', input: '10.0.0.0', want: undefined },
  ];
  it.each(rows)('$name', ({ input, want, size }) => {
    const cidr = parseCIDR(input);
    expect(cidr?.text).toBe(want);
    if (size !== undefined) expect(cidr?.size).toBe(size);
  });

  it('indexes and containment', () => {
    const v6 = parseCIDR('fd00:10:96::/112')!;
    expect(addressAt(v6, 10n).text).toBe('fd00:10:96::a');
    const v4 = parseCIDR('10.96.0.0/12')!;
    expect(addressAt(v4, 257n).text).toBe('10.96.1.1');
    expect(cidrContains(v4, parseIP('10.111.255.255')!)).toBe(true);
    expect(cidrContains(v4, parseIP('10.112.0.0')!)).toBe(false);
    expect(cidrContains(v4, parseIP('fd00::1')!)).toBe(false);
  });
});

describe('hand-written fast paths agree with ipaddr.js', () => {
  it('random IPv6 values print as ipaddr.js prints them', async () => {
    const { default: ipaddr } = await import('ipaddr.js');
    const { ipFromValue } = await import('../../src/cluster/model/ip.js');
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
    for (let i = 0; i < 2000; i++) {
      // Groups biased towards zero so that runs of every length occur.
      const groups = Array.from({ length: 8 }, () => (next() % 3 === 0 ? next() % 65536 : 0));
      const value = groups.reduce((v, g) => (v << 16n) | BigInt(g), 0n);
      const want = new ipaddr.IPv6(groups).toRFC5952String();
      expect(ipFromValue('IPv6', value).text).toBe(want);
      expect(canonicalIP(new ipaddr.IPv6(groups).toNormalizedString())).toBe(want);
      expect(canonicalIP(want.toUpperCase())).toBe(want);
    }
  });

  const rows: { name: string; input: string; want: string | undefined }[] = [
    { name: 'embedded IPv4 tail via ipaddr.js', input: '::ffff:10.0.0.1', want: '::ffff:a00:1' },
    { name: 'two :: refused', input: '1::2::3', want: undefined },
    { name: 'nine groups refused', input: '1:2:3:4:5:6:7:8:9', want: undefined },
    { name: ':: standing for nothing refused', input: '1:2:3:4::5:6:7:8', want: undefined },
    { name: 'five hex digits refused', input: '12345::1', want: undefined },
    { name: 'octet over 255 refused', input: '10.0.0.256', want: undefined },
    { name: 'IPv4 hex octet refused', input: '0x0a.0.0.1', want: undefined },
  ];
  it.each(rows)('$name', ({ input, want }) => {
    expect(canonicalIP(input)).toBe(want);
  });
});
