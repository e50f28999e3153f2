// Every invalid fixture is one failure mode; each row pins the exact text a
// user sees: file, document, line, field, expectation.

import { describe, expect, test } from 'vitest';
import { loadManifests } from '../../src/manifests/index.js';
import { errors, INVALID, keys, messages, VALID } from './helpers.js';

const LABEL_RULE =
  "a lowercase RFC 1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, e.g. 'my-name' or '123-abc')";

interface InvalidRow {
  readonly name: string;
  readonly paths: readonly string[];
  readonly expected: readonly string[];
}

const rows: readonly InvalidRow[] = [
  {
    name: 'YAML syntax error, with line and column',
    paths: [`${INVALID}/syntax.yaml`],
    expected: [
      `error: ${INVALID}/syntax.yaml, document 1 (line 4): YAML syntax error at column 9: Nested mappings are not allowed in compact mappings`,
      `error: ${INVALID}/syntax.yaml, document 1 (line 4): YAML syntax error at column 9: Implicit keys need to be on a single line`,
    ],
  },
  {
    name: 'a document that is not a mapping',
    paths: [`${INVALID}/not-mapping.yaml`],
    expected: [
      `error: ${INVALID}/not-mapping.yaml, document 1 (line 1): expected a mapping (a Kubernetes object with apiVersion, kind and metadata), got a list`,
    ],
  },
  {
    name: 'missing kind',
    paths: [`${INVALID}/missing-kind.yaml`],
    expected: [
      `error: ${INVALID}/missing-kind.yaml, document 1 (line 1): kind: required field is missing (the kind of object, e.g. "Service")`,
    ],
  },
  {
    name: 'apiVersion that does not serve the kind',
    paths: [`${INVALID}/bad-apiversion.yaml`],
    expected: [
      `error: ${INVALID}/bad-apiversion.yaml, document 1 (line 1): apiVersion: kind Deployment is served as apiVersion "apps/v1", got "extensions/v1beta1" (no matches for kind "Deployment" in version "extensions/v1beta1")`,
    ],
  },
  {
    name: 'Service name that is not a DNS label (spec §1)',
    paths: [`${INVALID}/bad-name.yaml`],
    expected: [`error: ${INVALID}/bad-name.yaml, document 1 (line 4): metadata.name: expected ${LABEL_RULE}, got "Web_Frontend"`],
  },
  {
    name: 'port that is not a number',
    paths: [`${INVALID}/bad-port.yaml`],
    expected: [`error: ${INVALID}/bad-port.yaml, document 1 (line 10): spec.ports[1].port: expected an integer 1-65535, got "http"`],
  },
  {
    name: 'duplicate port names',
    paths: [`${INVALID}/duplicate-port-names.yaml`],
    expected: [
      `error: ${INVALID}/duplicate-port-names.yaml, document 1 (line 9): spec.ports[1].name: duplicate port name "http" (also ports[0])`,
    ],
  },
  {
    name: 'matchLabels in a Service selector (spec §4.1)',
    paths: [`${INVALID}/service-matchlabels.yaml`],
    expected: [
      `error: ${INVALID}/service-matchlabels.yaml, document 1 (line 7): spec.selector.matchLabels: a Service selector is a plain map of labels (docs/behaviour.md#service-selectors), not a LabelSelector: write the labels directly under spec.selector (e.g. \`selector: {app: web}\`); matchLabels/matchExpressions are only for workloads`,
    ],
  },
  {
    name: 'clusterIPs[0] differs from clusterIP (spec §6)',
    paths: [`${INVALID}/clusterips-mismatch.yaml`],
    expected: [
      `error: ${INVALID}/clusterips-mismatch.yaml, document 1 (line 8): spec.clusterIPs[0]: must equal spec.clusterIP ("10.96.0.20"), got "10.96.0.21"`,
    ],
  },
  {
    name: 'workload selector does not match the template labels (spec §5.3)',
    paths: [`${INVALID}/selector-mismatch.yaml`],
    expected: [
      `error: ${INVALID}/selector-mismatch.yaml, document 1 (line 11): spec.template.metadata.labels: selector does not match template labels: spec.selector is "app=web", the template's labels are "app=frontend"`,
    ],
  },
  {
    name: 'unknown matchExpressions operator (spec §5.3)',
    paths: [`${INVALID}/bad-operator.yaml`],
    expected: [
      `error: ${INVALID}/bad-operator.yaml, document 1 (line 9): spec.selector.matchExpressions[0].operator: expected one of "In", "NotIn", "Exists", "DoesNotExist", got "Equals"`,
    ],
  },
  {
    name: 'bad IPs: pod status and an EndpointSlice address of the wrong family',
    paths: [`${INVALID}/bad-ips.yaml`],
    expected: [
      `error: ${INVALID}/bad-ips.yaml, document 1 (line 10): status.podIP: expected an IP address, got "10.244.1.300"`,
      `error: ${INVALID}/bad-ips.yaml, document 1 (line 12): status.podIPs[0].ip: expected an IP address, got "10.244.1.300"`,
      `error: ${INVALID}/bad-ips.yaml, document 2 (line 23): endpoints[0].addresses[0]: expected an IPv4 address, got "fd00::1"`,
    ],
  },
  {
    name: 'the same object in two files names both places',
    paths: [`${INVALID}/duplicate`],
    expected: [
      `error: ${INVALID}/duplicate/b.yaml, document 2 (line 6): metadata.name: duplicate Service "prod/web": also defined at ${INVALID}/duplicate/a.yaml, document 1 (line 1)`,
    ],
  },
  {
    name: 'several errors across documents are all reported',
    paths: [`${INVALID}/several-errors.yaml`],
    expected: [
      `error: ${INVALID}/several-errors.yaml, document 1 (line 6): spec.type: expected one of "ClusterIP", "NodePort", "LoadBalancer", "ExternalName", got "Balanced"`,
      `error: ${INVALID}/several-errors.yaml, document 1 (line 8): spec.ports[0].port: expected an integer 1-65535, got 0`,
      `error: ${INVALID}/several-errors.yaml, document 1 (line 9): spec.ports[0].protocol: expected one of "TCP", "UDP", "SCTP", got "HTTP"`,
      `error: ${INVALID}/several-errors.yaml, document 2 (line 16): spec.hostname: expected ${LABEL_RULE}, got "Worker.1"`,
      `error: ${INVALID}/several-errors.yaml, document 2 (line 17): spec.restartPolicy: expected one of "Always", "OnFailure", "Never", got "Sometimes"`,
      `error: ${INVALID}/several-errors.yaml, document 3 (line 23): spec.completions: required when completionMode is Indexed`,
      `error: ${INVALID}/several-errors.yaml, document 3 (line 25): spec.parallelism: expected an integer >= 0, got -1`,
    ],
  },
  {
    name: 'alias bomb is rejected',
    paths: [`${INVALID}/alias-bomb.yaml`],
    expected: [
      `error: ${INVALID}/alias-bomb.yaml, document 1 (line 1): more than 100 alias expansions; refusing this document (protection against YAML alias bombs)`,
    ],
  },
  {
    name: 'label values that YAML reads as a number and a boolean',
    paths: [`${INVALID}/label-number.yaml`],
    expected: [
      `error: ${INVALID}/label-number.yaml, document 1 (line 7): metadata.labels.version: expected a string, got 2 (quote it: version: "2")`,
      `error: ${INVALID}/label-number.yaml, document 1 (line 8): metadata.labels.canary: expected a string, got true (quote it: canary: "true")`,
    ],
  },
  {
    name: 'errors from several files in one load',
    paths: [`${INVALID}/bad-name.yaml`, `${INVALID}/bad-port.yaml`],
    expected: [
      `error: ${INVALID}/bad-name.yaml, document 1 (line 4): metadata.name: expected ${LABEL_RULE}, got "Web_Frontend"`,
      `error: ${INVALID}/bad-port.yaml, document 1 (line 10): spec.ports[1].port: expected an integer 1-65535, got "http"`,
    ],
  },
];

describe('invalid fixtures', () => {
  test.each(rows)('$name', async ({ paths, expected }) => {
    const result = await loadManifests(paths);
    expect(result.ok).toBe(false);
    expect(result.objects).toEqual([]);
    expect(errors(result)).toEqual(expected);
  });
});

describe('valid fixtures', () => {
  test('the whole directory loads, recursively, in sorted order, skipping dot-dirs and other extensions', async () => {
    const result = await loadManifests([VALID]);
    expect(errors(result)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.files).toEqual([
      `${VALID}/app.yaml`,
      `${VALID}/helm.yaml`,
      `${VALID}/list.yaml`,
      `${VALID}/nested/b-endpoints.yml`,
      `${VALID}/nested/deeper/a-replicaset.yaml`,
      `${VALID}/service.json`,
    ]);
    expect(keys(result)).toEqual([
      'Namespace/shop/shop',
      'Service/shop/web',
      'Deployment/shop/web',
      'Service/shop/db',
      'StatefulSet/shop/db',
      'Service/shop/payments',
      'Pod/shop/debug',
      'Job/shop/migrate',
      'Service/monitoring/prometheus',
      'DaemonSet/monitoring/node-exporter',
      'Service/infra/cache',
      'EndpointSlice/infra/cache-abcde',
      'Endpoints/infra/legacy',
      'ReplicaSet/infra/worker',
      'Service/infra/search',
    ]);
  });

  test('skipped kinds are listed with their place', async () => {
    const result = await loadManifests([VALID]);
    expect(result.skipped).toEqual([
      { kind: 'ConfigMap', namespace: 'shop', name: 'web-config', source: { file: `${VALID}/app.yaml`, document: 7, line: 102 } },
      { kind: 'ServiceAccount', namespace: 'monitoring', name: 'prometheus', source: { file: `${VALID}/helm.yaml`, document: 1, line: 3 } },
    ]);
  });

  test('ExternalName services carry the Host/SNI warning (spec §3.4); warnings do not fail the load', async () => {
    const result = await loadManifests([`${VALID}/app.yaml`]);
    expect(result.ok).toBe(true);
    expect(messages(result)).toEqual([
      `warning: ${VALID}/app.yaml, document 6 (line 100): spec.externalName: ExternalName is a DNS alias only: HTTP Host headers and TLS SNI/certificates still carry the service name (payments.shop.svc...), not "api.payments.example.com"`,
    ]);
  });

  test('helm template output: comments and empty documents are skipped silently, documents keep their numbers', async () => {
    const result = await loadManifests([`${VALID}/helm.yaml`]);
    expect(result.problems).toEqual([]);
    expect(result.objects.map((object) => object.meta.source)).toEqual([
      { file: `${VALID}/helm.yaml`, document: 4, line: 14 },
      { file: `${VALID}/helm.yaml`, document: 5, line: 34 },
    ]);
  });

  test('kind: List items get SourceRef.item and their own line', async () => {
    const result = await loadManifests([`${VALID}/list.yaml`]);
    expect(result.objects.map((object) => object.meta.source)).toEqual([
      { file: `${VALID}/list.yaml`, document: 1, item: 0, line: 3 },
      { file: `${VALID}/list.yaml`, document: 1, item: 1, line: 30 },
    ]);
  });

  test('a JSON file decodes like YAML', async () => {
    const result = await loadManifests([`${VALID}/service.json`]);
    expect(result.objects).toEqual([
      {
        kind: 'Service',
        meta: { name: 'search', namespace: 'infra', labels: {}, annotations: {}, source: { file: `${VALID}/service.json`, document: 1, line: 1 } },
        type: 'NodePort',
        selector: { app: 'search' },
        ports: [{ name: 'http', protocol: 'TCP', port: 9200, targetPort: 9200 }],
        publishNotReadyAddresses: false,
      },
    ]);
  });
});
