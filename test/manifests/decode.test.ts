// Decoder rows written as manifest text: what one document becomes (valid
// rows, checked with toMatchObject) or exactly which problems it raises.

import { describe, expect, test } from 'vitest';
import { formatProblem } from '../../src/cluster/model/problems.js';
import { parseManifestText } from '../../src/manifests/index.js';

const F = 'm.yaml';

function svc(spec: string, meta = ''): string {
  return `apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n${meta}spec:\n${spec}`;
}

function load(text: string) {
  const result = parseManifestText(text, F);
  return { result, problems: result.problems.map((problem) => `${problem.level}: ${formatProblem(problem)}`) };
}

interface ValidRow {
  readonly name: string;
  readonly text: string;
  readonly object: Record<string, unknown>;
}

const valid: readonly ValidRow[] = [
  {
    name: 'Service defaults: type ClusterIP, protocol TCP, no selector when empty (spec §4.1)',
    text: svc('  selector: {}\n  ports:\n  - port: 53\n'),
    object: { type: 'ClusterIP', ports: [{ protocol: 'TCP', port: 53 }], publishNotReadyAddresses: false, selector: undefined },
  },
  {
    name: 'clusterIP only -> clusterIPs filled in (admission default, spec §6)',
    text: svc('  clusterIP: 10.96.0.9\n  ports:\n  - port: 80\n'),
    object: { clusterIP: '10.96.0.9', clusterIPs: ['10.96.0.9'] },
  },
  {
    name: 'clusterIPs only -> clusterIP filled in (spec §6)',
    text: svc('  clusterIPs: [fd00:10:96::9, 10.96.0.9]\n  ipFamilies: [IPv6, IPv4]\n  ipFamilyPolicy: RequireDualStack\n  ports:\n  - port: 80\n'),
    object: { clusterIP: 'fd00:10:96::9', clusterIPs: ['fd00:10:96::9', '10.96.0.9'], ipFamilies: ['IPv6', 'IPv4'] },
  },
  {
    name: 'clusterIP "" is the same as absent',
    text: svc('  clusterIP: ""\n  ports:\n  - port: 80\n'),
    object: { clusterIP: undefined, clusterIPs: undefined },
  },
  {
    name: 'headless without ports is fine (spec §3.2)',
    text: svc('  clusterIP: None\n  selector:\n    app: db\n'),
    object: { clusterIP: 'None', clusterIPs: ['None'], ports: [], selector: { app: 'db' } },
  },
  {
    name: 'legacy tolerate-unready annotation sets publishNotReadyAddresses (spec §4.1)',
    text: svc('  clusterIP: None\n', '  annotations:\n    service.alpha.kubernetes.io/tolerate-unready-endpoints: "true"\n'),
    object: { publishNotReadyAddresses: true },
  },
  {
    name: 'targetPort by name and unnamed ports written as name: ""',
    text: svc('  ports:\n  - name: ""\n    port: 80\n    targetPort: web\n'),
    object: { ports: [{ protocol: 'TCP', port: 80, targetPort: 'web' }] },
  },
  {
    name: 'Pod without status has no status (IPs synthesized, spec §5.1)',
    text: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: team\nspec:\n  containers:\n  - name: c\n    ports:\n    - {name: http, containerPort: 8080, protocol: UDP}\n  initContainers:\n  - name: i\n    ports:\n    - containerPort: 1\n',
    object: { meta: { namespace: 'team' }, spec: { restartPolicy: 'Always', containerPorts: [{ name: 'http', containerPort: 8080, protocol: 'UDP' }] }, status: undefined },
  },
  {
    name: 'Pod podIPs as plain strings, podIP alone, Ready condition',
    text: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  deletionTimestamp: "2024-01-01T00:00:00Z"\nstatus:\n  podIP: 10.244.0.5\n  conditions:\n  - {type: Ready, status: "True"}\n',
    object: { meta: { deletionTimestamp: '2024-01-01T00:00:00Z' }, status: { podIPs: ['10.244.0.5'], readyCondition: true } },
  },
  {
    name: 'Job defaults: NonIndexed, parallelism 1, no selector',
    text: 'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n',
    object: { completionMode: 'NonIndexed', parallelism: 1, selector: undefined, template: { labels: {}, spec: { restartPolicy: 'Never' } } },
  },
  {
    name: 'StatefulSet defaults: replicas 1, ordinals 0; empty selector matches everything (spec §5.3)',
    text: 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\nspec:\n  selector: {}\n  template:\n    metadata:\n      labels: {app: db}\n',
    object: { replicas: 1, ordinalsStart: 0, selector: { matchLabels: {}, matchExpressions: [] } },
  },
  {
    name: 'EndpointSlice: ready absent means ready, terminating kept, service-name label (spec §4.2)',
    text: 'apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: e\n  labels:\n    kubernetes.io/service-name: web\naddressType: IPv6\nendpoints:\n- addresses: ["fd00::7"]\n  conditions: {terminating: true}\n  hostname: h\nports:\n- {name: http, port: 80}\n',
    object: { serviceName: 'web', addressType: 'IPv6', endpoints: [{ addresses: ['fd00::7'], ready: true, terminating: true, hostname: 'h' }], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
  },
  {
    name: 'Service name may start with a digit (spec §1)',
    text: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: 3d-api\nspec:\n  clusterIP: None\n',
    object: { meta: { name: '3d-api', namespace: 'default' } },
  },
];

describe('decoders: valid documents', () => {
  test.each(valid)('$name', ({ text, object }) => {
    const { result, problems } = load(text);
    expect(problems.filter((line) => line.startsWith('error'))).toEqual([]);
    expect(result.objects).toHaveLength(1);
    const loaded = result.objects[0] as unknown as Record<string, unknown>;
    // `key: undefined` in a row means the key is absent from the model object.
    const present = Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
    expect(loaded).toMatchObject(present);
    for (const [key, value] of Object.entries(object)) if (value === undefined) expect(loaded).not.toHaveProperty(key);
  });
});

interface InvalidRow {
  readonly name: string;
  readonly text: string;
  readonly problems: readonly string[];
}

const invalid: readonly InvalidRow[] = [
  {
    name: 'Service name longer than 63 characters (spec §1)',
    text: `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${'a'.repeat(64)}\nspec:\n  clusterIP: None\n`,
    problems: [
      `error: ${F}, document 1 (line 4): metadata.name: expected a lowercase RFC 1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, e.g. 'my-name' or '123-abc') of at most 63 characters, got 64 characters ("${'a'.repeat(64)}")`,
    ],
  },
  {
    name: 'several ports need names',
    text: svc('  ports:\n  - port: 80\n  - port: 81\n'),
    problems: [
      `error: ${F}, document 1 (line 7): spec.ports[0].name: required when a Service has more than one port (names become SRV labels: _<name>._tcp)`,
      `error: ${F}, document 1 (line 8): spec.ports[1].name: required when a Service has more than one port (names become SRV labels: _<name>._tcp)`,
    ],
  },
  {
    name: 'Service port names are DNS-1123 labels; a named targetPort follows the IANA rule (container port names)',
    text: svc('  ports:\n  - name: HTTP_Main\n    port: 80\n    targetPort: "8080"\n'),
    problems: [
      `error: ${F}, document 1 (line 7): spec.ports[0].name: expected a lowercase RFC 1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, e.g. 'my-name' or '123-abc'), got "HTTP_Main"`,
      `error: ${F}, document 1 (line 9): spec.ports[0].targetPort: expected an integer 1-65535 or a container port name (a port name must contain at least one letter), got "8080"`,
    ],
  },
  {
    name: 'a Service port name longer than 63 characters',
    text: svc(`  ports:\n  - name: ${'p'.repeat(64)}\n    port: 80\n`),
    problems: [
      `error: ${F}, document 1 (line 7): spec.ports[0].name: expected a lowercase RFC 1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, e.g. 'my-name' or '123-abc') of at most 63 characters, got 64 characters ("${'p'.repeat(64)}")`,
    ],
  },
  {
    name: 'a container port name longer than 15 characters (IANA service name)',
    text: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    ports:\n    - name: jaeger-collector-http\n      containerPort: 80\n',
    problems: [
      `error: ${F}, document 1 (line 9): spec.containers[0].ports[0].name: expected an IANA service name (must be 1-15 characters, e.g. "http" or "grpc-web"), got "jaeger-collector-http"`,
    ],
  },
  {
    name: 'a pod name longer than 253 characters',
    text: `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${'p'.repeat(254)}\n`,
    problems: [
      `error: ${F}, document 1 (line 4): metadata.name: expected a lowercase RFC 1123 subdomain (dot-separated labels of lower-case letters, digits and '-', each starting and ending with a letter or digit, e.g. 'example.com') of at most 253 characters, got 254 characters`,
    ],
  },
  {
    name: 'a ReplicationController with neither selector nor template labels',
    text: 'apiVersion: v1\nkind: ReplicationController\nmetadata:\n  name: rc\nspec:\n  template:\n    spec:\n      containers: []\n',
    problems: [
      `error: ${F}, document 1 (line 5): spec.selector: required field is missing (it defaults to the pod template's labels, and the template has none)`,
    ],
  },
  {
    name: 'a ReplicationController selector that does not match the template',
    text: 'apiVersion: v1\nkind: ReplicationController\nmetadata:\n  name: rc\nspec:\n  selector: {app: a}\n  template:\n    metadata:\n      labels: {app: b}\n',
    problems: [
      `error: ${F}, document 1 (line 9): spec.template.metadata.labels: selector does not match template labels: spec.selector is "app=a", the template's labels are "app=b"`,
    ],
  },
  {
    name: 'ClusterIP service without ports',
    text: svc('  selector: {app: a}\n'),
    problems: [`error: ${F}, document 1 (line 5): spec.ports: at least one port is required (only headless and ExternalName services may have no ports)`],
  },
  {
    name: 'two cluster IPs of one family, families out of order (spec §6)',
    text: svc('  clusterIPs: [10.96.0.1, 10.96.0.2]\n  ipFamilies: [IPv6]\n  ports:\n  - port: 80\n'),
    problems: [
      `error: ${F}, document 1 (line 6): spec.clusterIPs: expected at most one cluster IP per family, got two IPv4 addresses`,
      `error: ${F}, document 1 (line 7): spec.ipFamilies[0]: expected "IPv4" to match clusterIPs[0] ("10.96.0.1"), got "IPv6" (the order of ipFamilies must match clusterIPs)`,
    ],
  },
  {
    name: 'ExternalName with a cluster IP, and an IP-looking target (spec §3.4)',
    text: svc('  type: ExternalName\n  clusterIP: 10.96.0.3\n  externalName: 192.0.2.1\n'),
    problems: [
      `error: ${F}, document 1 (line 7): spec.clusterIP: expected no clusterIP for type ExternalName (an ExternalName service is a CNAME and has no cluster IP), got "10.96.0.3"`,
      `warning: ${F}, document 1 (line 8): spec.externalName: "192.0.2.1" is an IP address, not a DNS name: no A record is made from it and CoreDNS answers NXDOMAIN for this service (docs/behaviour.md#externalname-services); use a ClusterIP service without selector plus an EndpointSlice instead`,
      `warning: ${F}, document 1 (line 8): spec.externalName: ExternalName is a DNS alias only: HTTP Host headers and TLS SNI/certificates still carry the service name (s.default.svc...), not "192.0.2.1"`,
    ],
  },
  {
    name: 'ExternalName needs a DNS name',
    text: svc('  type: ExternalName\n  externalName: "bad name!"\n'),
    problems: [`error: ${F}, document 1 (line 7): spec.externalName: expected a DNS name (RFC 1123 subdomain, e.g. "db.example.com"), got "bad name!"`],
  },
  {
    name: 'publishNotReadyAddresses must be a boolean',
    text: svc('  clusterIP: None\n  publishNotReadyAddresses: "yes"\n'),
    problems: [`error: ${F}, document 1 (line 7): spec.publishNotReadyAddresses: expected true or false, got "yes"`],
  },
  {
    name: 'podIPs: first must equal podIP, one per family (spec §6)',
    text: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nstatus:\n  podIP: 10.244.0.1\n  podIPs:\n  - ip: 10.244.0.2\n  - ip: 10.244.0.1\n',
    problems: [
      `error: ${F}, document 1 (line 7): status.podIPs: expected at most one pod IP per family, got two IPv4 addresses`,
      `error: ${F}, document 1 (line 8): status.podIPs[0]: must equal status.podIP ("10.244.0.1"), got "10.244.0.2"`,
    ],
  },
  {
    name: 'matchExpressions values: required for In, forbidden for Exists (spec §5.3)',
    text: 'apiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: r\nspec:\n  selector:\n    matchExpressions:\n    - {key: app, operator: In}\n    - {key: app, operator: Exists, values: [x]}\n  template:\n    metadata:\n      labels: {app: r}\n',
    problems: [
      `error: ${F}, document 1 (line 8): spec.selector.matchExpressions[0].values: must be a non-empty list when operator is In`,
      `error: ${F}, document 1 (line 9): spec.selector.matchExpressions[1].values: must be empty when operator is Exists, got 1 value(s)`,
    ],
  },
  {
    name: 'apps/v1 workload without selector or template labels',
    text: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec: {}\n',
    problems: [
      `error: ${F}, document 1 (line 6): spec.template.metadata.labels: required field is missing (the pod template needs labels for spec.selector to match)`,
      `error: ${F}, document 1 (line 5): spec.selector: required field is missing (expected a mapping)`,
    ],
  },
  {
    name: 'missing apiVersion (a generateName stands in for metadata.name)',
    text: 'kind: Service\nmetadata:\n  generateName: web-\n',
    problems: [`error: ${F}, document 1 (line 1): apiVersion: required field is missing (the API group/version, e.g. "v1" or "apps/v1")`],
  },
  {
    name: 'missing metadata.name without a generateName',
    text: 'apiVersion: v1\nkind: Service\nmetadata:\n  namespace: a\nspec:\n  clusterIP: None\n',
    problems: [`error: ${F}, document 1 (line 3): metadata.name: required field is missing (expected a string)`],
  },
  {
    name: 'a generateName that cannot become a Service name',
    text: 'apiVersion: v1\nkind: Service\nmetadata:\n  generateName: Web_\nspec:\n  clusterIP: None\n',
    problems: [
      `error: ${F}, document 1 (line 4): metadata.generateName: expected a lowercase RFC 1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, e.g. 'my-name' or '123-abc'), got "Web_gfl5w"`,
    ],
  },
  {
    name: 'EndpointSlice: addressType required, endpoint needs addresses',
    text: 'apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: e\nendpoints:\n- addresses: []\n',
    problems: [
      `error: ${F}, document 1 (line 1): addressType: required field is missing (expected one of "IPv4", "IPv6", "FQDN")`,
      `error: ${F}, document 1 (line 6): endpoints[0].addresses: expected at least one address`,
    ],
  },
  {
    name: 'Endpoints addresses need valid IPs; label keys with dots are quoted in paths',
    text: 'apiVersion: v1\nkind: Endpoints\nmetadata:\n  name: e\n  annotations:\n    example.com/owner: 7\nsubsets:\n- addresses:\n  - ip: nope\n',
    problems: [
      `error: ${F}, document 1 (line 6): metadata.annotations["example.com/owner"]: expected a string, got 7 (quote it: example.com/owner: "7")`,
      `error: ${F}, document 1 (line 9): subsets[0].addresses[0].ip: expected an IP address, got "nope"`,
    ],
  },
];

describe('decoders: invalid documents', () => {
  test.each(invalid)('$name', ({ text, problems }) => {
    const loaded = load(text);
    expect(loaded.problems).toEqual(problems);
    if (problems.some((line) => line.startsWith('error'))) expect(loaded.result).toMatchObject({ ok: false, objects: [] });
  });
});
