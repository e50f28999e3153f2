// The --allow list: which clients may have names forwarded upstream.
import { describe, expect, it } from 'vitest';
import { AllowList, DEFAULT_ALLOW, isLoopbackBind, parseAllowList } from '../../src/guard/acl.js';

describe('the default allow list (loopback, private, link-local)', () => {
  const acl = new AllowList(DEFAULT_ALLOW);
  const rows: { address: string; allowed: boolean; why: string }[] = [
    { address: '127.0.0.1', allowed: true, why: 'loopback' },
    { address: '127.9.9.9', allowed: true, why: 'all of 127/8' },
    { address: '::1', allowed: true, why: 'IPv6 loopback' },
    { address: '10.244.1.7', allowed: true, why: 'RFC 1918 10/8 (pod networks)' },
    { address: '172.16.0.1', allowed: true, why: 'RFC 1918 172.16/12' },
    { address: '172.31.255.255', allowed: true, why: 'end of 172.16/12' },
    { address: '172.32.0.1', allowed: false, why: 'just past 172.16/12' },
    { address: '192.168.1.1', allowed: true, why: 'RFC 1918 192.168/16' },
    { address: '169.254.1.1', allowed: true, why: 'IPv4 link-local' },
    { address: 'fd00:10:244::5', allowed: true, why: 'RFC 4193 unique-local' },
    { address: 'fe80::1', allowed: true, why: 'IPv6 link-local' },
    { address: 'fe80::1%eth0', allowed: true, why: 'link-local with a zone index' },
    { address: '::ffff:10.0.0.1', allowed: true, why: 'IPv4-mapped private address (dual-stack socket)' },
    { address: '::ffff:8.8.8.8', allowed: false, why: 'IPv4-mapped public address' },
    { address: '8.8.8.8', allowed: false, why: 'public IPv4' },
    { address: '100.64.0.1', allowed: false, why: 'CGNAT is not private by default' },
    { address: '2001:db8::1', allowed: false, why: 'public IPv6' },
    { address: 'not-an-address', allowed: false, why: 'garbage' },
    { address: '', allowed: false, why: 'unknown peer' },
  ];
  for (const row of rows) {
    it(`${row.address || '(empty)'} → ${row.allowed ? 'allowed' : 'refused'} (${row.why})`, () => {
      expect(acl.allows(row.address)).toBe(row.allowed);
      expect(acl.allows(row.address)).toBe(row.allowed); // second time from the memo
    });
  }
});

describe('parseAllowList', () => {
  it('normalizes CIDRs and bare addresses', () => {
    expect(parseAllowList(['203.0.113.0/24', '198.51.100.7', '2001:DB8::/32'])).toEqual({
      cidrs: ['203.0.113.0/24', '198.51.100.7/32', '2001:db8::/32'],
      invalid: [],
    });
  });
  it('reports every bad entry', () => {
    const { invalid } = parseAllowList(['10.0.0.0/33', 'example.com', '10.0.0.0/8']);
    expect(invalid).toEqual(['10.0.0.0/33', 'example.com']);
  });
  it('a custom list allows only what it names', () => {
    const acl = new AllowList(parseAllowList(['203.0.113.0/24']).cidrs);
    expect([acl.allows('203.0.113.9'), acl.allows('127.0.0.1'), acl.allows('10.0.0.1')]).toEqual([true, false, false]);
  });
});

describe('isLoopbackBind', () => {
  const rows = [
    { bind: '127.0.0.1', loopback: true },
    { bind: '127.0.0.53', loopback: true },
    { bind: '::1', loopback: true },
    { bind: '0.0.0.0', loopback: false },
    { bind: '::', loopback: false },
    { bind: '10.0.0.10', loopback: false },
  ];
  for (const row of rows) {
    it(`${row.bind} → ${row.loopback}`, () => expect(isLoopbackBind(row.bind)).toBe(row.loopback));
  }
});
