// `explain`, one row per reason: a fixture in test/fixtures/explain, a name,
// and the lines a user reads. Each required reason of issue 5 has its own
// fixture; the rarer reasons share shop.yaml.

import { describe, expect, it } from 'vitest';
import { loadCluster, type LoadedCluster } from '../../src/pipeline/index.js';
import { validateConfig, type PodMode } from '../../src/config.js';
import { rrTypeCode } from '../../src/dns/types.js';
import { explain, formatExplanation, type Reason } from '../../src/explain/index.js';
import { answerOffline } from '../../src/cli/ask.js';
import { decodeResponse } from '../../src/cli/dig-format.js';
import { silentLogger } from '../../src/log.js';

interface Row {
  readonly reason: Reason;
  readonly fixture: string;
  readonly name: string;
  readonly type?: string;
  readonly pods?: PodMode;
  /** The outcome line: what follows `NAME. TYPE: `. */
  readonly outcome: string;
  /** Lines that must appear in the text, compared after trimming. */
  readonly lines: readonly string[];
}

const rows: Row[] = [
  // The reasons issue 5 names, one fixture each.
  {
    reason: 'no-service',
    fixture: 'no-service',
    name: 'web.shop.svc.cluster.local',
    outcome: 'NXDOMAIN',
    lines: ['- no service "web" in namespace "shop" (nor in any other namespace)', 'services in shop: cart'],
  },
  {
    reason: 'selector-matches-nothing',
    fixture: 'selector-matches-nothing',
    name: 'db.data.svc.cluster.local',
    outcome: 'NXDOMAIN',
    lines: [
      '- headless service data/db has no ready endpoints, so its name does not exist (NXDOMAIN, docs/behaviour.md#headless-services)',
      '- the selector of service data/db matches no pod in namespace data',
      'selector: app=db,tier=backend',
      'nearest pods in data:',
      'pod database-0: app=database,tier=backend',
      'pod cache-0: app=cache',
    ],
  },
  {
    reason: 'pods-not-ready',
    fixture: 'pods-not-ready',
    name: 'db.data.svc.cluster.local',
    outcome: 'NXDOMAIN',
    lines: [
      '- selector app=db matches 1 pod, none of them a ready endpoint',
      'pod db-0 is not ready (Ready condition false, or phase not Running)',
      'publishNotReadyAddresses: true on the service publishes not-ready pods too',
    ],
  },
  {
    reason: 'port-unnamed',
    fixture: 'port-unnamed',
    name: '_http._tcp.web.shop.svc.cluster.local',
    type: 'SRV',
    outcome: 'NXDOMAIN',
    lines: [
      '- service shop/web has no port named "http": its port 80/TCP has no name, and an unnamed port gets no _http._tcp SRV name (docs/behaviour.md#named-ports-and-srv)',
      'give the port a name in the Service (ports[].name: http), or ask web.shop.svc.cluster.local SRV, which lists unnamed ports too',
    ],
  },
  {
    reason: 'hostname-no-service',
    fixture: 'hostname-no-service',
    name: 'box-1.boxes.default.svc.cluster.local',
    outcome: 'NXDOMAIN',
    lines: [
      '- pod default/box has hostname "box-1" and subdomain "boxes", but there is no service "boxes" in namespace default: ' +
        'hostname.subdomain names exist only through a Service named like the subdomain that selects the pod (docs/behaviour.md#hostname-and-subdomain)',
      `create a headless Service "boxes" in default (clusterIP: None) whose selector matches the pod's labels: app=box`,
    ],
  },
  {
    reason: 'pod-name',
    fixture: 'pod-name',
    name: 'busybox1.default.svc.cluster.local',
    outcome: 'NXDOMAIN',
    lines: [
      '- "busybox1" is the name of pod default/busybox1, and pod names are never DNS names (docs/behaviour.md#pod-records)',
      'ask 10-244-7-7.default.pod.cluster.local (its IP with dashes)',
    ],
  },
  {
    reason: 'service-elsewhere',
    fixture: 'service-elsewhere',
    name: 'web.shop.svc.cluster.local',
    outcome: 'NXDOMAIN',
    lines: ['- no service "web" in namespace "shop", but there is one in namespace prod', 'ask web.prod.svc.cluster.local'],
  },
  // Rarer reasons and the positive answers, on one shared cluster.
  {
    reason: 'pod-name',
    fixture: 'pod-name',
    name: 'busybox1.default.pod.cluster.local',
    outcome: 'NXDOMAIN',
    lines: ['- "busybox1" is the name of pod default/busybox1, and pod names are never DNS names (docs/behaviour.md#pod-records)'],
  },
  {
    reason: 'hostname-wrong-subdomain',
    fixture: 'shop',
    name: 'back.web-hl.shop.svc.cluster.local',
    outcome: 'NXDOMAIN',
    lines: [
      '- pod shop/web-b has hostname "back" but subdomain "backends", so it answers as back.backends.shop.svc.cluster.local ' +
        'if a service of that name selects it; set spec.subdomain: web-hl to be back.web-hl.shop.svc.cluster.local',
    ],
  },
  {
    reason: 'hostname-not-selected',
    fixture: 'shop',
    name: 'side.web-hl.shop.svc.cluster.local',
    outcome: 'NXDOMAIN',
    lines: [
      '- pod shop/other has hostname "side" and subdomain "web-hl", but service shop/web-hl does not select it',
      'selector: app=web',
      'pod labels: app=other',
    ],
  },
  {
    reason: 'no-such-port',
    fixture: 'shop',
    name: '_dns._tcp.web.shop.svc.cluster.local',
    type: 'SRV',
    outcome: 'NXDOMAIN',
    lines: ['- port "dns" of service shop/web is UDP, not TCP', 'ask _dns._udp.web.shop.svc.cluster.local'],
  },
  {
    reason: 'no-namespace',
    fixture: 'shop',
    name: 'web.svc.cluster.local',
    outcome: 'NXDOMAIN',
    lines: [
      '- namespace "web" does not exist: no Namespace object declares it and no object lives in it',
      '- "web" is the name of a service in namespace shop; a service name needs its namespace',
    ],
  },
  {
    reason: 'cluster-ip',
    fixture: 'shop',
    name: 'web.shop.svc.cluster.local',
    outcome: 'NOERROR, 1 record',
    lines: ['- ClusterIP service shop/web answers its cluster IP 10.96.40.1, whether or not it has ready endpoints'],
  },
  {
    reason: 'no-family',
    fixture: 'shop',
    name: 'web.shop.svc.cluster.local',
    type: 'AAAA',
    outcome: 'NOERROR, no records (NODATA)',
    lines: ['- service shop/web has no IPv6 address (ipFamilies: IPv4): the name exists, so the answer is NODATA'],
  },
  {
    reason: 'headless',
    fixture: 'shop',
    name: 'web-hl.shop.svc.cluster.local',
    outcome: 'NOERROR, 2 records',
    lines: [
      '- headless service shop/web-hl answers the addresses of its 2 ready endpoints',
      '10.244.8.1 front (pod shop/web-a)',
      '10.244.8.2 10-244-8-2 (pod shop/web-b)',
    ],
  },
  {
    reason: 'endpoint',
    fixture: 'shop',
    name: 'front.web-hl.shop.svc.cluster.local',
    outcome: 'NOERROR, 1 record',
    lines: ['- "front" is a ready endpoint of service shop/web-hl', '10.244.8.1 (pod shop/web-a)'],
  },
  {
    reason: 'srv-port',
    fixture: 'shop',
    name: '_http._tcp.web-hl.shop.svc.cluster.local',
    type: 'SRV',
    outcome: 'NOERROR, 2 records',
    lines: ['- port "http" of headless service shop/web-hl: one SRV per ready endpoint (2 endpoints), with the endpoint\'s port'],
  },
  {
    reason: 'external-name',
    fixture: 'shop',
    name: 'ext.shop.svc.cluster.local',
    outcome: 'CNAME to api.example.com., then what the upstream has for it',
    lines: ['- shop/ext is an ExternalName service: CNAME to api.example.com.'],
  },
  {
    reason: 'address-override',
    fixture: 'address-override',
    name: 'orders.shop.svc.cluster.local',
    outcome: 'NOERROR, 1 record',
    lines: ['- service shop/orders has the clusterdns.io/address annotation: its A/AAAA answer 172.18.0.5 instead of the cluster IP'],
  },
  {
    reason: 'pod-ip',
    fixture: 'shop',
    name: '10-244-8-1.shop.pod.cluster.local',
    outcome: 'NOERROR, 1 record',
    lines: [
      '- "10-244-8-1" is the IP 10.244.8.1 written with dashes; in --pods insecure mode (the default, as stock clusters run) any IP in an existing namespace answers',
    ],
  },
  {
    reason: 'pod-ip-unknown',
    fixture: 'shop',
    name: '10-244-9-9.shop.pod.cluster.local',
    pods: 'verified',
    outcome: 'NXDOMAIN',
    lines: ['- --pods verified answers only IPs of pods in namespace shop, and no pod there has 10.244.9.9'],
  },
  {
    reason: 'pods-disabled',
    fixture: 'shop',
    name: '10-244-8-1.shop.pod.cluster.local',
    pods: 'disabled',
    outcome: 'NXDOMAIN',
    lines: ['- pod names are turned off (--pods disabled): every <ip>.<ns>.pod name is NXDOMAIN'],
  },
  {
    reason: 'not-an-ip',
    fixture: 'shop',
    name: 'nginx.shop.pod.cluster.local',
    outcome: 'NXDOMAIN',
    lines: ['- "nginx" is not an IP address written with dashes (10-244-1-2, or fd00-10-244--7 for IPv6), e.g. 10-244-8-3, 10-244-8-1'],
  },
  {
    reason: 'reverse',
    fixture: 'shop',
    name: '3.8.244.10.in-addr.arpa',
    type: 'PTR',
    outcome: 'NXDOMAIN',
    lines: ['- 10.244.8.3 is the IP of pod shop/other, which is no endpoint of any service: pod IPs alone get no PTR (docs/behaviour.md#pod-records)'],
  },
  {
    reason: 'missing-zone',
    fixture: 'shop',
    name: 'web.shop.svc',
    outcome: 'not ours: forwarded upstream (offline: REFUSED)',
    lines: [
      '- web.shop.svc. is outside the cluster domain cluster.local: a running server forwards it to its upstream; offline there is no upstream (REFUSED)',
      '- did you mean web.shop.svc.cluster.local? Inside a pod the search list adds the cluster domain to short names (docs/behaviour.md#search-list)',
    ],
  },
  {
    reason: 'bad-form',
    fixture: 'shop',
    name: 'web.shop.cluster.local',
    outcome: 'NXDOMAIN',
    lines: ['- "shop" right before cluster.local must be svc or pod (docs/behaviour.md#name-forms): NXDOMAIN', '- did you mean web.shop.svc.cluster.local?'],
  },
  {
    reason: 'other-type',
    fixture: 'shop',
    name: 'web.shop.svc.cluster.local',
    type: 'MX',
    outcome: 'NOERROR, no records (NODATA)',
    lines: ['- the name exists but has no MX records: NODATA (cluster names hold A, AAAA, SRV, CNAME, PTR)'],
  },
  // §10: explain says when an answer is a CoreDNS quirk, and which
  {
    reason: 'coredns-quirk',
    fixture: 'shop',
    name: 'cluster.local',
    type: 'NS',
    outcome: 'NOERROR, 1 record',
    lines: [
      '- NS names kube-dns.kube-system.svc.cluster.local., one per cluster IP of kube-system/kube-dns (added by clusterdns, as every kubeadm cluster has it), its addresses in the additional section — a CoreDNS quirk clusterdns copies (docs/behaviour.md#coredns-corners)',
    ],
  },
  {
    reason: 'coredns-quirk',
    fixture: 'shop',
    name: 'in-addr.arpa',
    type: 'NS',
    outcome: 'NOERROR, 1 record',
    lines: [
      '- NS names kube-dns.kube-system.svc.in-addr.arpa. (sic: CoreDNS builds the name with the zone asked, in-addr.arpa), one per cluster IP of kube-system/kube-dns (added by clusterdns, as every kubeadm cluster has it), its addresses in the additional section — a CoreDNS quirk clusterdns copies (docs/behaviour.md#coredns-corners)',
    ],
  },
  {
    reason: 'coredns-quirk',
    fixture: 'shop',
    name: 'dns-version.cluster.local',
    type: 'TXT',
    outcome: 'NOERROR, 1 record',
    lines: [
      '- the kubernetes plugin gives this TXT a TTL of 28800, which `cache 30` caps: its TTL is --cache-max-ttl (30 by default; 28800 with --no-cache) — a CoreDNS quirk clusterdns copies (docs/behaviour.md#coredns-corners)',
    ],
  },
  {
    reason: 'coredns-quirk',
    fixture: 'shop',
    name: 'shop.svc.cluster.local',
    type: 'TXT',
    outcome: 'NXDOMAIN',
    lines: ['- TXT at a name that holds no service records is NXDOMAIN, though the name exists for other types — a CoreDNS quirk clusterdns copies (docs/behaviour.md#coredns-corners)'],
  },
  {
    reason: 'coredns-quirk',
    fixture: 'shop',
    name: 'ns.dns.cluster.local',
    type: 'PTR',
    outcome: 'NXDOMAIN',
    lines: ['- TXT and PTR at ns.dns.cluster.local are NXDOMAIN — a CoreDNS quirk clusterdns copies (docs/behaviour.md#coredns-corners)'],
  },
  {
    reason: 'coredns-quirk',
    fixture: 'shop',
    name: 'nothing.shop.svc.cluster.local',
    type: 'SOA',
    outcome: 'NOERROR, no records (NODATA)',
    lines: ['- SOA below the zone apex is NODATA whether the name exists or not, and never forwarded — a CoreDNS quirk clusterdns copies (docs/behaviour.md#coredns-corners)'],
  },
  {
    reason: 'coredns-quirk',
    fixture: 'shop',
    name: '1.40.96.10.in-addr.arpa',
    type: 'A',
    outcome: 'NOERROR, no records (NODATA)',
    lines: [
      '- only PTR is answered at a reverse name; A falls through to the upstream like an unknown reverse name (NODATA when there is no upstream) — a CoreDNS quirk clusterdns copies (docs/behaviour.md#coredns-corners)',
    ],
  },
  {
    reason: 'coredns-quirk',
    fixture: 'shop',
    name: 'x.10-244-0-9.shop.pod.cluster.local',
    outcome: 'NOERROR, 1 record',
    lines: ['- the label left of the dashed IP 10-244-0-9 is ignored — a CoreDNS quirk clusterdns copies (docs/behaviour.md#coredns-corners)'],
  },
  {
    reason: 'coredns-quirk',
    fixture: 'shop',
    name: '--ffff-a00-1.shop.pod.cluster.local',
    type: 'AAAA',
    outcome: 'NOERROR, no records (NODATA)',
    lines: ['- --ffff-a00-1 is an IPv4-mapped IPv6 address, read as IPv4 10.0.0.1: A answers, AAAA is NODATA — a CoreDNS quirk clusterdns copies (docs/behaviour.md#coredns-corners)'],
  },
  {
    reason: 'coredns-quirk',
    fixture: 'shop',
    name: '10-244-0-9.shop.pod.cluster.local',
    type: 'SRV',
    outcome: 'NOERROR, 1 record',
    lines: ['- SRV at a pod name answers 0 100 0 <the name>, its address in the additional section — a CoreDNS quirk clusterdns copies (docs/behaviour.md#coredns-corners)'],
  },
];

const clusters = new Map<string, Promise<LoadedCluster>>();

/** Load a fixture the way the CLI does (manifests -> state -> index), once per fixture and pod mode. */
function cluster(fixture: string, pods: PodMode): Promise<LoadedCluster> {
  const key = `${fixture} ${pods}`;
  let loaded = clusters.get(key);
  if (!loaded) {
    const result = validateConfig({ manifests: [`test/fixtures/explain/${fixture}.yaml`], podMode: pods, upstreams: ['none'] });
    if (!result.ok) throw new Error(result.problems.join('\n'));
    loaded = loadCluster(result.config, silentLogger(), { serial: 1 }).then((load) => {
      if (!load.ok) throw new Error(`fixture ${fixture} does not load`);
      return load.cluster;
    });
    clusters.set(key, loaded);
  }
  return loaded;
}

describe('explain', () => {
  it.each(rows)('$reason: $name $type', async (row) => {
    const podMode = row.pods ?? 'insecure';
    const { state, index } = await cluster(row.fixture, podMode);
    const type = row.type ?? 'A';
    const explanation = explain({ state, index, podMode, name: row.name, qtype: rrTypeCode(type) ?? 0 });
    expect(explanation.findings.map((finding) => finding.reason)).toContain(row.reason);
    const text = formatExplanation(explanation);
    const lines = text.split('\n').map((line) => line.trim());
    expect(lines[0]).toBe(`${row.name}. ${type}: ${row.outcome}`);
    for (const line of row.lines) expect(lines).toContain(line);
  });

  it('covers every reason issue 5 asks for with a fixture of its own', () => {
    const required: Reason[] = ['no-service', 'selector-matches-nothing', 'pods-not-ready', 'port-unnamed', 'hostname-no-service', 'pod-name', 'service-elsewhere'];
    for (const reason of required) expect(rows.some((row) => row.reason === reason && row.fixture === reason)).toBe(true);
  });
});

// Endpoints keep a reference to their pod, not its `namespace/name`: the text
// must read as it did. A hand-written slice's endpoints name no pod here
// (targetRef is not read, spec §4.2), whether the pod it names exists or not;
// selector-derived ones do, ready or not.
describe('explain: endpoints and the pods behind them (slice-target-ref.yaml)', () => {
  const rows: Array<{ name: string; type?: string; text: string[] }> = [
    {
      name: 'db.data.svc.cluster.local',
      text: [
        'db.data.svc.cluster.local. A: NOERROR, 2 records',
        '  db.data.svc.cluster.local. 5 IN A 10.244.6.10',
        '  db.data.svc.cluster.local. 5 IN A 10.244.6.19',
        'why:',
        '  - headless service data/db answers the addresses of its 2 ready endpoints',
        '      10.244.6.10 primary',
        '      10.244.6.19 gone',
      ],
    },
    {
      name: 'primary.db.data.svc.cluster.local',
      text: [
        'primary.db.data.svc.cluster.local. A: NOERROR, 1 record',
        '  primary.db.data.svc.cluster.local. 5 IN A 10.244.6.10',
        'why:',
        '  - "primary" is a ready endpoint of service data/db',
        '      10.244.6.10',
      ],
    },
    {
      name: 'gone.db.data.svc.cluster.local',
      text: [
        'gone.db.data.svc.cluster.local. A: NOERROR, 1 record',
        '  gone.db.data.svc.cluster.local. 5 IN A 10.244.6.19',
        'why:',
        '  - "gone" is a ready endpoint of service data/db',
        '      10.244.6.19',
      ],
    },
    {
      name: 'standby.db.data.svc.cluster.local',
      text: [
        'standby.db.data.svc.cluster.local. A: NXDOMAIN',
        'why:',
        '  - endpoint "standby" of service data/db is not ready, so its name does not exist',
        '      10.244.6.20: ready false',
      ],
    },
    {
      name: 'db-0.data.svc.cluster.local',
      text: [
        'db-0.data.svc.cluster.local. A: NXDOMAIN',
        'why:',
        '  - "db-0" is the name of pod data/db-0, and pod names are never DNS names (docs/behaviour.md#pod-records)',
        '      ask 10-244-6-10.data.pod.cluster.local (its IP with dashes)',
      ],
    },
    {
      name: '10.6.244.10.in-addr.arpa',
      type: 'PTR',
      text: [
        '10.6.244.10.in-addr.arpa. PTR: NOERROR, 1 record',
        '  10.6.244.10.in-addr.arpa. 5 IN PTR primary.db.data.svc.cluster.local.',
        'why:',
        '  - 10.244.6.10 is a ready endpoint of service data/db: PTR primary.db.data.svc.cluster.local.',
      ],
    },
    {
      name: 'cache.data.svc.cluster.local',
      text: [
        'cache.data.svc.cluster.local. A: NOERROR, 1 record',
        '  cache.data.svc.cluster.local. 5 IN A 10.244.6.30',
        'why:',
        '  - headless service data/cache answers the addresses of its 1 ready endpoint',
        '      10.244.6.30 cache-0 (pod data/cache-0)',
      ],
    },
    {
      name: 'cache-0.cache.data.svc.cluster.local',
      text: [
        'cache-0.cache.data.svc.cluster.local. A: NOERROR, 1 record',
        '  cache-0.cache.data.svc.cluster.local. 5 IN A 10.244.6.30',
        'why:',
        '  - "cache-0" is a ready endpoint of service data/cache',
        '      10.244.6.30 (pod data/cache-0)',
      ],
    },
    {
      name: 'cache-0.data.svc.cluster.local',
      text: [
        'cache-0.data.svc.cluster.local. A: NXDOMAIN',
        'why:',
        '  - "cache-0" is the name of pod data/cache-0, and pod names are never DNS names (docs/behaviour.md#pod-records)',
        '      ask 10-244-6-30.data.pod.cluster.local (its IP with dashes)',
        '      or cache-0.cache.data.svc.cluster.local (endpoint of service data/cache)',
      ],
    },
    {
      name: 'cache-1.cache.data.svc.cluster.local',
      text: [
        'cache-1.cache.data.svc.cluster.local. A: NXDOMAIN',
        'why:',
        '  - endpoint "cache-1" of service data/cache is not ready, so its name does not exist',
        '      10.244.6.31 (pod data/cache-1): is not ready (Ready condition false, or phase not Running)',
        '      publishNotReadyAddresses: true on the service publishes not-ready pods too',
      ],
    },
  ];
  it.each(rows)('$name $type', async ({ name, type = 'A', text }) => {
    const { state, index } = await cluster('slice-target-ref', 'insecure');
    const qtype = rrTypeCode(type) ?? 0;
    const explanation = explain({ state, index, podMode: 'insecure', name, qtype });
    // The answer as the CLI prints it above the reasons: the responder's, through the wire format.
    const decoded = decodeResponse((await answerOffline(index, name, qtype)).message);
    if (decoded instanceof Error) throw decoded;
    expect(formatExplanation(explanation, decoded.answer).trimEnd().split('\n')).toEqual(text);
  });
});
