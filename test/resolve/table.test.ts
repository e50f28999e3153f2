// Every row of the spec's tables, asked of the responder over exampleCluster()
// and compared as zone-file text (any order, case-insensitive; 0x20 has its
// own test in responder.test.ts).
import { describe, expect, it } from 'vitest';
import { buildRecordIndex } from '../../src/records/index.js';
import { createResponder } from '../../src/resolve/responder.js';
import { exampleCluster } from '../helpers/cluster.js';
import { decode, query, sorted } from '../helpers/dns.js';

const SOA = 'cluster.local. 5 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 42 7200 1800 86400 5';
const SOA4 = 'in-addr.arpa. 5 IN SOA ns.dns.in-addr.arpa. hostmaster.in-addr.arpa. 42 7200 1800 86400 5';
const SOA6 = 'ip6.arpa. 5 IN SOA ns.dns.ip6.arpa. hostmaster.ip6.arpa. 42 7200 1800 86400 5';
const Z = 'cluster.local';

interface Row {
  readonly spec: string;
  readonly name: string;
  readonly type: string;
  readonly rcode: string;
  readonly answer?: readonly string[];
  readonly authority?: readonly string[];
  readonly additional?: readonly string[];
  /** Default true. */
  readonly aa?: boolean;
}

const nodata = (spec: string, name: string, type: string): Row => ({ spec, name, type, rcode: 'NOERROR', authority: [SOA] });
const nxdomain = (spec: string, name: string, type: string, soa = SOA): Row => ({
  spec,
  name,
  type,
  rcode: 'NXDOMAIN',
  authority: [soa],
});

const rows: Row[] = [
  // §1 zone apex, ns.dns, transfers, other names
  { spec: '§1', name: Z, type: 'SOA', rcode: 'NOERROR', answer: [SOA] },
  {
    spec: '§10 the zone NS names kube-dns',
    name: Z,
    type: 'NS',
    rcode: 'NOERROR',
    answer: [`${Z}. 5 IN NS kube-dns.kube-system.svc.${Z}.`],
    additional: [`kube-dns.kube-system.svc.${Z}. 5 IN A 10.96.0.10`],
  },
  nodata('§1', Z, 'A'),
  { spec: '§1', name: `ns.dns.${Z}`, type: 'A', rcode: 'NOERROR', answer: [`ns.dns.${Z}. 5 IN A 10.96.0.10`] },
  nodata('§1', `ns.dns.${Z}`, 'AAAA'),
  nxdomain('§1', `dns.${Z}`, 'A'),
  { spec: '§1', name: Z, type: 'AXFR', rcode: 'REFUSED', aa: false },
  { spec: '§1', name: Z, type: 'IXFR', rcode: 'REFUSED', aa: false },
  { spec: '§1', name: 'in-addr.arpa', type: 'AXFR', rcode: 'REFUSED', aa: false },
  { spec: '§1', name: 'example.com', type: 'A', rcode: 'REFUSED', aa: false },
  { spec: '§1', name: 'in-addr.arpa', type: 'SOA', rcode: 'NOERROR', answer: [SOA4] },

  // §2 / §7 type labels, namespace nodes, other qtypes
  nodata('§2', `svc.${Z}`, 'A'),
  nodata('§2', `pod.${Z}`, 'A'),
  nodata('§2', `prod.svc.${Z}`, 'A'),
  nodata('§2', `team.svc.${Z}`, 'AAAA'),
  nodata('§2', `default.svc.${Z}`, 'A'),
  nodata('§2', `team.pod.${Z}`, 'A'),
  nxdomain('§2', `nope.svc.${Z}`, 'A'),
  nxdomain('§2', `nope.pod.${Z}`, 'A'),
  nxdomain('§2', `web.prod.${Z}`, 'A'),
  nxdomain('§2', `a.b.c.d.e.svc.${Z}`, 'A'),
  nxdomain('§2', `x.db-0.db.prod.svc.${Z}`, 'A'),
  nxdomain('§2', `missing.prod.svc.${Z}`, 'A'),
  nodata('§7', `web.prod.svc.${Z}`, 'MX'),
  nodata('§7', `web.prod.svc.${Z}`, 'TXT'),
  nodata('§7', `web.prod.svc.${Z}`, 'ANY'),
  nodata('§7', `web.prod.svc.${Z}`, 'CNAME'),
  nodata('§7', `web.prod.svc.${Z}`, 'PTR'),
  nodata('§7', `web.prod.svc.${Z}`, 'SOA'),
  nodata('§7', `db.prod.svc.${Z}`, 'MX'),
  nxdomain('§10 TXT at a namespace node', `prod.svc.${Z}`, 'TXT'),
  nxdomain('§7', `missing.prod.svc.${Z}`, 'MX'),
  nxdomain('§7', `missing.prod.svc.${Z}`, 'TXT'),

  // §3.1 ClusterIP
  { spec: '§3.1', name: `web.prod.svc.${Z}`, type: 'A', rcode: 'NOERROR', answer: [`web.prod.svc.${Z}. 5 IN A 10.96.30.1`] },
  nodata('§3.1', `web.prod.svc.${Z}`, 'AAAA'),
  { spec: '§3.1', name: `dual.prod.svc.${Z}`, type: 'A', rcode: 'NOERROR', answer: [`dual.prod.svc.${Z}. 5 IN A 10.96.30.2`] },
  {
    spec: '§3.1',
    name: `dual.prod.svc.${Z}`,
    type: 'AAAA',
    rcode: 'NOERROR',
    answer: [`dual.prod.svc.${Z}. 5 IN AAAA fd00:10:96::2`],
  },
  {
    spec: '§3.1',
    name: `_http._tcp.web.prod.svc.${Z}`,
    type: 'SRV',
    rcode: 'NOERROR',
    answer: [`_http._tcp.web.prod.svc.${Z}. 5 IN SRV 0 100 80 web.prod.svc.${Z}.`],
    additional: [`web.prod.svc.${Z}. 5 IN A 10.96.30.1`],
  },
  {
    spec: '§3.1',
    name: `_dns._udp.web.prod.svc.${Z}`,
    type: 'SRV',
    rcode: 'NOERROR',
    answer: [`_dns._udp.web.prod.svc.${Z}. 5 IN SRV 0 100 53 web.prod.svc.${Z}.`],
    additional: [`web.prod.svc.${Z}. 5 IN A 10.96.30.1`],
  },
  {
    spec: '§3.1 bare-name SRV, unnamed port included, weight floor(100/3)',
    name: `web.prod.svc.${Z}`,
    type: 'SRV',
    rcode: 'NOERROR',
    answer: [
      `web.prod.svc.${Z}. 5 IN SRV 0 33 80 web.prod.svc.${Z}.`,
      `web.prod.svc.${Z}. 5 IN SRV 0 33 53 web.prod.svc.${Z}.`,
      `web.prod.svc.${Z}. 5 IN SRV 0 33 9090 web.prod.svc.${Z}.`,
    ],
    additional: [`web.prod.svc.${Z}. 5 IN A 10.96.30.1`],
  },
  {
    spec: '§3.1 dual-stack SRV: additional has both families; §10 weight counts both cluster IPs',
    name: `_http._tcp.dual.prod.svc.${Z}`,
    type: 'SRV',
    rcode: 'NOERROR',
    answer: [`_http._tcp.dual.prod.svc.${Z}. 5 IN SRV 0 50 80 dual.prod.svc.${Z}.`],
    additional: [`dual.prod.svc.${Z}. 5 IN A 10.96.30.2`, `dual.prod.svc.${Z}. 5 IN AAAA fd00:10:96::2`],
  },
  nxdomain('§3.1', `_nope._tcp.web.prod.svc.${Z}`, 'SRV'),
  nxdomain('§3.1 wrong protocol', `_http._udp.web.prod.svc.${Z}`, 'SRV'),
  nxdomain('§3.1 bad protocol label', `_http._xyz.web.prod.svc.${Z}`, 'SRV'),
  {
    spec: '§3.1 PTR of a cluster IP',
    name: '1.30.96.10.in-addr.arpa',
    type: 'PTR',
    rcode: 'NOERROR',
    answer: [`1.30.96.10.in-addr.arpa. 5 IN PTR web.prod.svc.${Z}.`],
  },
  {
    spec: '§3.1 PTR of an IPv6 cluster IP',
    name: '2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.1.0.0.0.0.d.f.ip6.arpa',
    type: 'PTR',
    rcode: 'NOERROR',
    answer: [`2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.1.0.0.0.0.d.f.ip6.arpa. 5 IN PTR dual.prod.svc.${Z}.`],
  },

  // §3.2 headless
  {
    spec: '§3.2 ready endpoints only',
    name: `db.prod.svc.${Z}`,
    type: 'A',
    rcode: 'NOERROR',
    answer: [
      `db.prod.svc.${Z}. 5 IN A 10.244.2.10`,
      `db.prod.svc.${Z}. 5 IN A 10.244.2.11`,
      `db.prod.svc.${Z}. 5 IN A 10.244.2.12`,
    ],
  },
  nodata('§3.2 other family', `db.prod.svc.${Z}`, 'AAAA'),
  nxdomain('§3.2 no ready endpoints', `empty.prod.svc.${Z}`, 'A'),
  nxdomain('§3.2 no ready endpoints', `empty.prod.svc.${Z}`, 'SRV'),
  nodata('§3.2 only the other family ready', `v6.prod.svc.${Z}`, 'A'),
  { spec: '§3.2', name: `v6.prod.svc.${Z}`, type: 'AAAA', rcode: 'NOERROR', answer: [`v6.prod.svc.${Z}. 5 IN AAAA fd00:10:244::7`] },
  { spec: '§3.2', name: `db-0.db.prod.svc.${Z}`, type: 'A', rcode: 'NOERROR', answer: [`db-0.db.prod.svc.${Z}. 5 IN A 10.244.2.10`] },
  {
    spec: '§3.2 generated id',
    name: `10-244-2-12.db.prod.svc.${Z}`,
    type: 'A',
    rcode: 'NOERROR',
    answer: [`10-244-2-12.db.prod.svc.${Z}. 5 IN A 10.244.2.12`],
  },
  {
    spec: '§3.2 IPv6 generated id',
    name: `fd00-10-244--7.v6.prod.svc.${Z}`,
    type: 'AAAA',
    rcode: 'NOERROR',
    answer: [`fd00-10-244--7.v6.prod.svc.${Z}. 5 IN AAAA fd00:10:244::7`],
  },
  nxdomain('§3.2 a named endpoint is not reachable by its dashed id', `10-244-2-10.db.prod.svc.${Z}`, 'A'),
  nxdomain('§3.2 not-ready endpoint', `db-3.db.prod.svc.${Z}`, 'A'),
  {
    spec: '§3.2 endpoints sharing a hostname',
    name: `h.shared.prod.svc.${Z}`,
    type: 'A',
    rcode: 'NOERROR',
    answer: [`h.shared.prod.svc.${Z}. 5 IN A 10.244.4.1`, `h.shared.prod.svc.${Z}. 5 IN A 10.244.4.2`],
  },
  {
    spec: '§3.2 named-port SRV over ready endpoints',
    name: `_pg._tcp.db.prod.svc.${Z}`,
    type: 'SRV',
    rcode: 'NOERROR',
    answer: [
      `_pg._tcp.db.prod.svc.${Z}. 5 IN SRV 0 33 5432 db-0.db.prod.svc.${Z}.`,
      `_pg._tcp.db.prod.svc.${Z}. 5 IN SRV 0 33 5432 db-1.db.prod.svc.${Z}.`,
      `_pg._tcp.db.prod.svc.${Z}. 5 IN SRV 0 33 5432 10-244-2-12.db.prod.svc.${Z}.`,
    ],
    additional: [
      `db-0.db.prod.svc.${Z}. 5 IN A 10.244.2.10`,
      `db-1.db.prod.svc.${Z}. 5 IN A 10.244.2.11`,
      `10-244-2-12.db.prod.svc.${Z}. 5 IN A 10.244.2.12`,
    ],
  },
  {
    spec: '§3.2 bare-name SRV',
    name: `db.prod.svc.${Z}`,
    type: 'SRV',
    rcode: 'NOERROR',
    answer: [
      `db.prod.svc.${Z}. 5 IN SRV 0 33 5432 db-0.db.prod.svc.${Z}.`,
      `db.prod.svc.${Z}. 5 IN SRV 0 33 5432 db-1.db.prod.svc.${Z}.`,
      `db.prod.svc.${Z}. 5 IN SRV 0 33 5432 10-244-2-12.db.prod.svc.${Z}.`,
    ],
    additional: [
      `db-0.db.prod.svc.${Z}. 5 IN A 10.244.2.10`,
      `db-1.db.prod.svc.${Z}. 5 IN A 10.244.2.11`,
      `10-244-2-12.db.prod.svc.${Z}. 5 IN A 10.244.2.12`,
    ],
  },
  {
    spec: '§3.2 SRV with a shared hostname: one target; §10 weight counts both endpoints',
    name: `_web._tcp.shared.prod.svc.${Z}`,
    type: 'SRV',
    rcode: 'NOERROR',
    answer: [`_web._tcp.shared.prod.svc.${Z}. 5 IN SRV 0 50 80 h.shared.prod.svc.${Z}.`],
    additional: [`h.shared.prod.svc.${Z}. 5 IN A 10.244.4.1`, `h.shared.prod.svc.${Z}. 5 IN A 10.244.4.2`],
  },
  { spec: '§3.2 headless without ports', name: `bare.prod.svc.${Z}`, type: 'A', rcode: 'NOERROR', answer: [`bare.prod.svc.${Z}. 5 IN A 10.244.3.3`] },
  nodata('§3.2 headless without ports has no SRV', `bare.prod.svc.${Z}`, 'SRV'),
  {
    spec: '§3.2 PTR of a named endpoint',
    name: '10.2.244.10.in-addr.arpa',
    type: 'PTR',
    rcode: 'NOERROR',
    answer: [`10.2.244.10.in-addr.arpa. 5 IN PTR db-0.db.prod.svc.${Z}.`],
  },
  {
    spec: '§3.2 PTR of an unnamed endpoint',
    name: '12.2.244.10.in-addr.arpa',
    type: 'PTR',
    rcode: 'NOERROR',
    answer: [`12.2.244.10.in-addr.arpa. 5 IN PTR 10-244-2-12.db.prod.svc.${Z}.`],
  },
  nxdomain('§3.7 not-ready endpoint has no PTR', '13.2.244.10.in-addr.arpa', 'PTR', SOA4),

  // §3.3 endpoint names under a ClusterIP service
  {
    spec: '§3.3',
    name: `10-244-1-1.web.prod.svc.${Z}`,
    type: 'A',
    rcode: 'NOERROR',
    answer: [`10-244-1-1.web.prod.svc.${Z}. 5 IN A 10.244.1.1`],
  },
  nxdomain('§3.3 not-ready endpoint', `10-244-1-2.web.prod.svc.${Z}`, 'A'),
  {
    spec: '§3.3 PTR',
    name: '1.1.244.10.in-addr.arpa',
    type: 'PTR',
    rcode: 'NOERROR',
    answer: [`1.1.244.10.in-addr.arpa. 5 IN PTR 10-244-1-1.web.prod.svc.${Z}.`],
  },

  // §3.4 ExternalName
  {
    spec: '§3.4',
    name: `ext.prod.svc.${Z}`,
    type: 'CNAME',
    rcode: 'NOERROR',
    answer: [`ext.prod.svc.${Z}. 5 IN CNAME example.com.`],
  },
  {
    spec: '§10 outside target that cannot be resolved (no upstream): the CNAME alone',
    name: `ext.prod.svc.${Z}`,
    type: 'A',
    rcode: 'NOERROR',
    answer: [`ext.prod.svc.${Z}. 5 IN CNAME example.com.`],
  },
  {
    spec: '§3.4 target inside the zone',
    name: `extin.prod.svc.${Z}`,
    type: 'A',
    rcode: 'NOERROR',
    answer: [`extin.prod.svc.${Z}. 5 IN CNAME web.prod.svc.${Z}.`, `web.prod.svc.${Z}. 5 IN A 10.96.30.1`],
  },
  nodata('§3.4 inside target without that family: CNAME dropped', `extin.prod.svc.${Z}`, 'AAAA'),
  {
    spec: '§3.4 chain followed',
    name: `extchain.prod.svc.${Z}`,
    type: 'A',
    rcode: 'NOERROR',
    answer: [
      `extchain.prod.svc.${Z}. 5 IN CNAME extin.prod.svc.${Z}.`,
      `extin.prod.svc.${Z}. 5 IN CNAME web.prod.svc.${Z}.`,
      `web.prod.svc.${Z}. 5 IN A 10.96.30.1`,
    ],
  },
  nodata('§3.4 loop cut', `loop1.prod.svc.${Z}`, 'A'),
  nodata('§3.4 inside target missing', `extnone.prod.svc.${Z}`, 'A'),
  {
    spec: '§3.4 inside target is a pod name',
    name: `extpod.prod.svc.${Z}`,
    type: 'A',
    rcode: 'NOERROR',
    answer: [`extpod.prod.svc.${Z}. 5 IN CNAME 10-244-5-5.team.pod.${Z}.`, `10-244-5-5.team.pod.${Z}. 5 IN A 10.244.5.5`],
  },
  nxdomain('§3.4 IP-looking externalName', `extip.prod.svc.${Z}`, 'A'),
  nxdomain('§3.4 IP-looking externalName', `extip.prod.svc.${Z}`, 'CNAME'),
  nxdomain('§3.4', `_http._tcp.ext.prod.svc.${Z}`, 'SRV'),
  nxdomain('§3.4', `x.ext.prod.svc.${Z}`, 'A'),
  nodata('§3.4/§9 SRV at the name', `ext.prod.svc.${Z}`, 'SRV'),
  nodata('§3.4/§9 TXT at the name', `ext.prod.svc.${Z}`, 'TXT'),

  // §3.5 pods (insecure)
  { spec: '§3.5', name: `10-244-3-1.team.pod.${Z}`, type: 'A', rcode: 'NOERROR', answer: [`10-244-3-1.team.pod.${Z}. 5 IN A 10.244.3.1`] },
  {
    spec: '§3.5',
    name: `2001-db8-244--7.team.pod.${Z}`,
    type: 'AAAA',
    rcode: 'NOERROR',
    answer: [`2001-db8-244--7.team.pod.${Z}. 5 IN AAAA 2001:db8:244::7`],
  },
  nodata('§3.5 other type', `10-244-3-1.team.pod.${Z}`, 'AAAA'),
  nodata('§3.5 other type', `2001-db8-244--7.team.pod.${Z}`, 'A'),
  nodata('§3.5 other qtype', `10-244-3-1.team.pod.${Z}`, 'TXT'),
  nxdomain('§3.5 pod names never answer', `busybox1.team.pod.${Z}`, 'A'),
  nxdomain('§3.5 missing namespace', `10-244-3-1.nope.pod.${Z}`, 'A'),
  nxdomain('§3.5 pod names are not service names', `busybox1.team.svc.${Z}`, 'A'),

  // §3.7 reverse
  nxdomain('§3.7 unknown address', '9.9.9.10.in-addr.arpa', 'PTR', SOA4),
  nxdomain('§3.7 unknown IPv6 address', '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa', 'PTR', SOA6),
  nxdomain('§3.7 pod IP is not an endpoint', '5.5.244.10.in-addr.arpa', 'PTR', SOA4),
  { spec: '§3.7 known name, other type', name: '1.30.96.10.in-addr.arpa', type: 'A', rcode: 'NOERROR', authority: [SOA4] },

  // §3.8 dns-version
  {
    spec: '§3.8',
    name: `dns-version.${Z}`,
    type: 'TXT',
    rcode: 'NOERROR',
    answer: [`dns-version.${Z}. 28800 IN TXT "1.1.0"`],
  },
  nxdomain('§3.8 other types', `dns-version.${Z}`, 'A'),
  nxdomain('§3.8 TXT elsewhere, missing name', `nothing.${Z}`, 'TXT'),

  // §10 CoreDNS corners
  {
    spec: '§10 bare-name SRV of a dual-stack port: one record, weight 50',
    name: `dual.prod.svc.${Z}`,
    type: 'SRV',
    rcode: 'NOERROR',
    answer: [`dual.prod.svc.${Z}. 5 IN SRV 0 50 80 dual.prod.svc.${Z}.`],
    additional: [`dual.prod.svc.${Z}. 5 IN A 10.96.30.2`, `dual.prod.svc.${Z}. 5 IN AAAA fd00:10:96::2`],
  },
  {
    spec: '§10 reverse apex NS (sic: built with the zone asked)',
    name: 'in-addr.arpa',
    type: 'NS',
    rcode: 'NOERROR',
    answer: ['in-addr.arpa. 5 IN NS kube-dns.kube-system.svc.in-addr.arpa.'],
    additional: ['kube-dns.kube-system.svc.in-addr.arpa. 5 IN A 10.96.0.10'],
  },
  {
    spec: '§10 reverse apex NS (sic)',
    name: 'ip6.arpa',
    type: 'NS',
    rcode: 'NOERROR',
    answer: ['ip6.arpa. 5 IN NS kube-dns.kube-system.svc.ip6.arpa.'],
    additional: ['kube-dns.kube-system.svc.ip6.arpa. 5 IN A 10.96.0.10'],
  },
  { spec: '§10 ns.dns A still answers', name: `ns.dns.${Z}`, type: 'A', rcode: 'NOERROR', answer: [`ns.dns.${Z}. 5 IN A 10.96.0.10`] },
  nxdomain('§10 TXT at the apex', Z, 'TXT'),
  nxdomain('§10 TXT at svc', `svc.${Z}`, 'TXT'),
  nxdomain('§10 TXT at pod', `pod.${Z}`, 'TXT'),
  nxdomain('§10 TXT at a namespace node', `team.svc.${Z}`, 'TXT'),
  nxdomain('§10 TXT at a pod namespace node', `team.pod.${Z}`, 'TXT'),
  nxdomain('§10 TXT at ns.dns', `ns.dns.${Z}`, 'TXT'),
  nxdomain('§10 PTR at ns.dns', `ns.dns.${Z}`, 'PTR'),
  nodata('§10 SOA below the apex: existing service', `web.prod.svc.${Z}`, 'SOA'),
  nodata('§10 SOA below the apex: missing name', `missing.prod.svc.${Z}`, 'SOA'),
  nodata('§10 SOA below the apex: dns-version', `dns-version.${Z}`, 'SOA'),
  nodata('§10 SOA below the apex: nonsense', `x.y.${Z}`, 'SOA'),
  { spec: '§10 SOA below a reverse apex: known name', name: '1.30.96.10.in-addr.arpa', type: 'SOA', rcode: 'NOERROR', authority: [SOA4] },
  { spec: '§10 SOA below a reverse apex: unknown name', name: '9.9.9.10.in-addr.arpa', type: 'SOA', rcode: 'NOERROR', authority: [SOA4] },
  {
    spec: '§10 labels left of a dashed IP are ignored',
    name: `x.10-244-3-1.team.pod.${Z}`,
    type: 'A',
    rcode: 'NOERROR',
    answer: [`x.10-244-3-1.team.pod.${Z}. 5 IN A 10.244.3.1`],
  },
  {
    spec: '§10 SRV-shaped pod name',
    name: `_http._tcp.10-244-3-1.team.pod.${Z}`,
    type: 'A',
    rcode: 'NOERROR',
    answer: [`_http._tcp.10-244-3-1.team.pod.${Z}. 5 IN A 10.244.3.1`],
  },
  {
    spec: '§10 SRV at a pod name',
    name: `10-244-3-1.team.pod.${Z}`,
    type: 'SRV',
    rcode: 'NOERROR',
    answer: [`10-244-3-1.team.pod.${Z}. 5 IN SRV 0 100 0 10-244-3-1.team.pod.${Z}.`],
    additional: [`10-244-3-1.team.pod.${Z}. 5 IN A 10.244.3.1`],
  },
  {
    spec: '§10 SRV at an IPv6 pod name',
    name: `2001-db8-244--7.team.pod.${Z}`,
    type: 'SRV',
    rcode: 'NOERROR',
    answer: [`2001-db8-244--7.team.pod.${Z}. 5 IN SRV 0 100 0 2001-db8-244--7.team.pod.${Z}.`],
    additional: [`2001-db8-244--7.team.pod.${Z}. 5 IN AAAA 2001:db8:244::7`],
  },
  {
    spec: '§10 IPv4-mapped pod label is IPv4',
    name: `--ffff-a00-1.team.pod.${Z}`,
    type: 'A',
    rcode: 'NOERROR',
    answer: [`--ffff-a00-1.team.pod.${Z}. 5 IN A 10.0.0.1`],
  },
  nodata('§10 IPv4-mapped pod label has no AAAA', `--ffff-a00-1.team.pod.${Z}`, 'AAAA'),
  nxdomain('§10 SRV at a pod name that is no IP', `busybox1.team.pod.${Z}`, 'SRV'),

  // §8 what the search list sends (pod in team)
  nxdomain('§8 db.prod', `db.prod.team.svc.${Z}`, 'A'),
  nxdomain('§8 db.prod.svc', `db.prod.svc.team.svc.${Z}`, 'A'),
  nxdomain('§8 db.prod.svc', `db.prod.svc.svc.${Z}`, 'A'),
  nxdomain('§8 _pg._tcp.db.prod.svc', `_pg._tcp.db.prod.svc.team.svc.${Z}`, 'SRV'),
  nxdomain('§8 _pg._tcp.db.prod.svc', `_pg._tcp.db.prod.svc.svc.${Z}`, 'SRV'),
  nxdomain('§8 data', `data.team.svc.${Z}`, 'A'),
  nxdomain('§8 data', `data.svc.${Z}`, 'A'),
  nxdomain('§8 data', `data.${Z}`, 'A'),
  { spec: '§8 data → upstream', name: 'data', type: 'A', rcode: 'REFUSED', aa: false },
];

describe('responder answers every spec row', () => {
  const index = buildRecordIndex(exampleCluster(), {
    zone: Z,
    ttl: 5,
    podMode: 'insecure',
    serial: 42,
    nameserverAddresses: ['127.0.0.1'],
  });
  const responder = createResponder({ index: () => index });

  it.each(rows)('$spec: $name $type → $rcode', async (row) => {
    const response = decode(await responder.respond(query(row.name, row.type)));
    const lower = (lines: readonly string[]): string[] => sorted(lines.map((line) => line.toLowerCase()));
    expect({
      rcode: response.rcode,
      aa: response.aa,
      answer: lower(response.answer),
      authority: lower(response.authority),
      additional: lower(response.additional),
    }).toEqual({
      rcode: row.rcode,
      aa: row.aa ?? true,
      answer: lower(row.answer ?? []),
      authority: lower(row.authority ?? []),
      additional: lower(row.additional ?? []),
    });
  });
});
