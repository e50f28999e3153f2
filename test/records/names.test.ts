import { describe, expect, it } from 'vitest';
import { canonicalIP } from '../../src/net/ip.js';
import {
  endpointId,
  normalizeName,
  parsePodLabel,
  parseReverseName,
  reverseName,
  stripZone,
} from '../../src/dns/names.js';

describe('normalizeName', () => {
  const rows = [
    { name: 'Web.PROD.svc.Cluster.Local.', want: 'web.prod.svc.cluster.local' },
    { name: 'web', want: 'web' },
    { name: '', want: '' },
    { name: 'ÀB.c', want: 'Àb.c' },
  ];
  it.each(rows)('$name → $want', ({ name, want }) => expect(normalizeName(name)).toBe(want));
});

describe('stripZone', () => {
  const rows = [
    { name: 'cluster.local', zone: 'cluster.local', want: '' },
    { name: 'web.prod.svc.cluster.local', zone: 'cluster.local', want: 'web.prod.svc' },
    { name: 'xcluster.local', zone: 'cluster.local', want: undefined },
    { name: 'example.com', zone: 'cluster.local', want: undefined },
  ];
  it.each(rows)('$name in $zone', ({ name, zone, want }) => expect(stripZone(name, zone)).toBe(want));
});

describe('reverse names (§3.7)', () => {
  const rows = [
    { ip: '10.96.0.1', name: '1.0.96.10.in-addr.arpa' },
    {
      ip: 'fd00:10:96::1',
      name: '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.1.0.0.0.0.d.f.ip6.arpa',
    },
    { ip: '2001:db8::', name: '0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa' },
  ];
  it.each(rows)('$ip ↔ $name', ({ ip, name }) => {
    expect(reverseName(ip)).toBe(name);
    expect(parseReverseName(name)).toBe(ip);
  });

  const invalid = [
    { name: '0.96.10.in-addr.arpa', reason: 'partial IPv4' },
    { name: '5.1.0.96.10.in-addr.arpa', reason: 'too many labels' },
    { name: '256.0.96.10.in-addr.arpa', reason: 'octet out of range' },
    { name: 'in-addr.arpa', reason: 'apex' },
    { name: '1.0.ip6.arpa', reason: 'partial IPv6' },
    { name: 'example.com', reason: 'not reverse' },
  ];
  it.each(invalid)('$name is not an address ($reason)', ({ name }) => expect(parseReverseName(name)).toBeUndefined());
});

describe('endpointId (§3.2)', () => {
  const rows = [
    { ip: '10.244.3.3', want: '10-244-3-3' },
    { ip: 'fd00:10:244::7', want: 'fd00-10-244--7' },
    { ip: '2001:db8::', want: '2001-db8--0' },
    { ip: '::1', want: '0--1' },
    { ip: 'FD00:0010:0244:0:0:0:0:7', want: 'fd00-10-244--7' },
  ];
  it.each(rows)('$ip → $want', ({ ip, want }) => expect(endpointId(ip)).toBe(want));
});

describe('parsePodLabel (§3.5)', () => {
  const rows = [
    { label: '10-244-3-1', want: '10.244.3.1' },
    { label: '2001-db8-244--7', want: '2001:db8:244::7' },
    { label: 'fd00-10-244-0-0-0-0-7', want: 'fd00:10:244::7' },
    { label: '2001-db8--0', want: '2001:db8::' },
    { label: '0--1', want: '::1' },
    { label: '10-244--3-1', want: '10:244::3:1' }, // a `--` makes it IPv6, and a valid one
  ];
  it.each(rows)('$label → $want', ({ label, want }) => expect(parsePodLabel(label)).toBe(want));

  const invalid = [
    { label: 'busybox1', reason: 'pod name' },
    { label: '10-244-3', reason: 'two dashes, not IPv6 either' },
    { label: '10-244-3-256', reason: 'octet out of range' },
    { label: '10-244--3--1', reason: 'two `::` runs' },
    { label: '1-2-3-4-5', reason: 'four dashes read as IPv6, invalid' },
    { label: '', reason: 'empty' },
  ];
  it.each(invalid)('$label is not an IP ($reason)', ({ label }) => expect(parsePodLabel(label)).toBeUndefined());
});

describe('canonicalIP', () => {
  const rows = [
    { text: '10.0.0.1', want: '10.0.0.1' },
    { text: '010.0.0.1', want: undefined },
    { text: '10.1', want: undefined },
    { text: 'FD00::A', want: 'fd00::a' },
    { text: 'fe80::1%eth0', want: undefined },
    { text: 'example.com', want: undefined },
  ];
  it.each(rows)('$text → $want', ({ text, want }) => expect(canonicalIP(text)).toBe(want));
});
