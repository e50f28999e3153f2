// The real-manifest corpus (../shared/real-manifests, 623 files from 9 public
// projects; SOURCES.md there): every file Kubernetes accepts loads, and every
// Service, named port and StatefulSet pod in it answers as CoreDNS would.
// Files Kubernetes itself refuses are listed below with the reason, and must
// be refused with file, document, line and field.
//
// The expectations are computed here from the manifests, read with the
// `yaml` library and a few lines of Kubernetes rules, not from clusterdns's
// output. Each file is loaded on its own (several projects hold the same
// app twice, e.g. microservices-demo's kubernetes-manifests/ and kustomize/),
// in process. Without the corpus the suite skips with one line.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { buildCluster } from '../../src/cluster/build.js';
import { formatProblem } from '../../src/cluster/model/problems.js';
import { loadManifests } from '../../src/manifests/index.js';
import { buildRecordIndex } from '../../src/records/index.js';

const PROJECT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const CORPUS = resolve(PROJECT, '../shared/real-manifests/corpus');
const ZONE = 'cluster.local';
/** Dual-stack, so istio's IPv6-only samples (tcp-echo-ipv6.yaml) get their addresses as in a dual-stack cluster. */
const CLUSTER = { serviceCIDRs: ['10.96.0.0/12', 'fd00:10:96::/108'], podCIDRs: ['10.244.0.0/16', 'fd00:10:244::/64'], nodeCount: 1 };

/** Files Kubernetes refuses, with why, and a pattern one of the errors matches. */
const REJECTED: Readonly<Record<string, { why: string; error: RegExp }>> = {
  'k8s-examples/_archived/newrelic-infrastructure/newrelic-infra-daemonset.yaml': {
    why: 'DaemonSet as extensions/v1beta1 (removed in Kubernetes 1.16), and no spec.selector',
    error: /apiVersion: kind DaemonSet is served as apiVersion "apps\/v1"/,
  },
  'k8s-examples/_archived/volumes/flexvolume/deploy/ds.yaml': {
    why: 'DaemonSet as extensions/v1beta1 (removed in Kubernetes 1.16), and no spec.selector',
    error: /apiVersion: kind DaemonSet is served as apiVersion "apps\/v1"/,
  },
  'k8s-examples/_archived/openshift-origin/etcd-controller.yaml': { why: 'a field given twice', error: /Map keys must be unique/ },
  'k8s-examples/_archived/openshift-origin/etcd-discovery-controller.yaml': { why: 'a field given twice', error: /Map keys must be unique/ },
  'k8s-examples/_archived/openshift-origin/openshift-controller.yaml': { why: 'a field given twice', error: /Map keys must be unique/ },
  'k8s-examples/_archived/persistent-volume-provisioning/quobyte/quobyte-admin-secret.yaml': {
    why: 'a field given twice',
    error: /Map keys must be unique/,
  },
  'k8s-examples/_archived/volumes/scaleio/sc-pvc.yaml': { why: 'a field given twice', error: /Map keys must be unique/ },
  'k8s-examples/_archived/volumes/aws_ebs/aws-ebs-web.yaml': { why: 'protocol "tcp" (protocols are upper-case)', error: /protocol: expected one of "TCP"/ },
  'k8s-examples/_archived/volumes/cinder/cinder-web.yaml': { why: 'protocol "tcp" (protocols are upper-case)', error: /protocol: expected one of "TCP"/ },
  'k8s-examples/_archived/sysdig-cloud/sysdig-rc.yaml': {
    why: 'a ReplicationController with neither a selector nor template labels (selector: Required value)',
    error: /spec\.selector: required field is missing/,
  },
  'microservices-demo/kustomize/components/without-loadgenerator/delete-loadgenerator.patch.yaml': {
    why: 'a kustomize `$patch: delete` patch, not an object: a Deployment without spec',
    error: /spec: required field is missing/,
  },
  'popeye/internal/lint/testdata/apps/dp/1.yaml': {
    why: "popeye's deliberately broken fixture: a Deployment without selector or template labels",
    error: /spec\.selector: required field is missing/,
  },
  'popeye/internal/lint/testdata/apps/ds/1.yaml': {
    why: 'the List holds DaemonSet default/ds2 twice; a cluster holds one object per name (kubectl create says AlreadyExists)',
    error: /duplicate DaemonSet "default\/ds2"/,
  },
  'popeye/internal/lint/testdata/batch/job/1.yaml': {
    why: "popeye's edited fixture: Job selectors (controller-uid=xxx) that do not match the template labels",
    error: /selector does not match template labels/,
  },
  'popeye/internal/lint/testdata/core/svc/1.yaml': {
    why: "popeye's deliberately broken fixture: an ExternalName Service with a cluster IP and no externalName",
    error: /expected no clusterIP for type ExternalName/,
  },
};

type Raw = Record<string, unknown>;

interface Obj {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly raw: Raw;
}

const present = existsSync(CORPUS);
if (!present) console.info(`corpus test skipped: ${CORPUS} not found`);

describe.skipIf(!present)('the real-manifest corpus', () => {
  const files = present ? walk(CORPUS) : [];

  test('it is the corpus this test was written for (623 files)', () => {
    expect(files).toHaveLength(623);
    for (const path of Object.keys(REJECTED)) expect(files).toContain(join(CORPUS, path));
  });

  test('every file Kubernetes accepts loads and answers for every Service, named port and StatefulSet pod', async () => {
    const failures: string[] = [];
    let checked = 0;
    let loaded = 0;
    for (const file of files) {
      const path = relative(CORPUS, file);
      if (REJECTED[path]) continue;
      const load = await loadManifests([file]);
      if (!load.ok) {
        failures.push(`${path}: ${load.problems.filter((p) => p.level === 'error').map(formatProblem).slice(0, 3).join('; ')}`);
        continue;
      }
      loaded += 1;
      const expected = expectedNames(objectsOf(readFileSync(file, 'utf8')));
      if (expected.length === 0) continue;
      const state = buildCluster(load.objects, CLUSTER);
      const index = buildRecordIndex(state, { zone: ZONE, ttl: 5, podMode: 'verified', serial: 1, nameserverAddresses: ['127.0.0.1'] });
      for (const { name, types } of expected) {
        checked += 1;
        const answered = types.some((type) => {
          const found = index.lookup(name, QTYPES[type] ?? 0);
          return found.kind === 'answer' && found.answer.rcode === 0 && found.answer.answerCount > 0;
        });
        if (!answered) failures.push(`${path}: no ${types.join('/')} answer for ${name}`);
      }
    }
    expect(failures).toEqual([]);
    expect(loaded).toBe(files.length - Object.keys(REJECTED).length);
    // The corpus has hundreds of services; a derivation that finds almost nothing is a broken test.
    expect(checked).toBeGreaterThan(450);
    console.info(`corpus: ${loaded} files loaded, ${checked} names answered (services, named ports, StatefulSet pods)`);
  }, 60_000);

  test.each(Object.entries(REJECTED))('%s is refused with file, document, line and field', async (path, { error }) => {
    const file = join(CORPUS, path);
    const load = await loadManifests([file]);
    expect(load.ok).toBe(false);
    const errors = load.problems.filter((p) => p.level === 'error');
    expect(errors.map(formatProblem).some((line) => error.test(line))).toBe(true);
    for (const problem of errors) {
      expect(problem.source?.file).toBe(file);
      expect(problem.source?.document).toBeGreaterThan(0);
      expect(problem.source?.line).toBeGreaterThan(0);
      expect(problem.field).toBeTruthy();
    }
  });
});

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else out.push(path);
  }
  return out;
}

function isRaw(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every object in a file, List items flattened; a typed list's items are of its kind without `List`. */
function objectsOf(text: string): Obj[] {
  const out: Obj[] = [];
  const add = (value: unknown, impliedKind?: string): void => {
    if (!isRaw(value)) return;
    const kind = typeof value.kind === 'string' ? value.kind : impliedKind;
    if (kind !== undefined && kind.endsWith('List') && Array.isArray(value.items)) {
      for (const item of value.items) add(item, kind === 'List' ? undefined : kind.slice(0, -4));
      return;
    }
    const metadata = isRaw(value.metadata) ? value.metadata : {};
    if (kind === undefined || typeof metadata.name !== 'string') return;
    const namespace = typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : 'default';
    out.push({ kind, name: metadata.name, namespace, raw: value });
  };
  for (const document of parseAllDocuments(text, { uniqueKeys: false })) add(document.toJS());
  return out;
}

function spec(object: Obj): Raw {
  return isRaw(object.raw.spec) ? object.raw.spec : {};
}

function templateLabels(object: Obj): Raw {
  const template = spec(object).template;
  const metadata = isRaw(template) && isRaw(template.metadata) ? template.metadata : {};
  return isRaw(metadata.labels) ? metadata.labels : {};
}

function selects(selector: Raw, labels: Raw): boolean {
  const keys = Object.keys(selector);
  return keys.length > 0 && keys.every((key) => labels[key] === selector[key]);
}

const REPLICATED = new Set(['Deployment', 'ReplicaSet', 'ReplicationController', 'StatefulSet']);

/** Pods a controller makes from a template, or a Pod without status (clusterdns gives it an address). */
function backs(object: Obj, selector: Raw): boolean {
  if (object.kind === 'Pod') {
    const metadata = isRaw(object.raw.metadata) ? object.raw.metadata : {};
    return object.raw.status === undefined && isRaw(metadata.labels) && selects(selector, metadata.labels);
  }
  const replicas = spec(object).replicas ?? 1;
  if (REPLICATED.has(object.kind) && replicas === 0) return false;
  return (REPLICATED.has(object.kind) || object.kind === 'DaemonSet') && selects(selector, templateLabels(object));
}

interface Expected {
  readonly name: string;
  readonly types: readonly string[];
}

const ADDRESS = ['A', 'AAAA'];
const QTYPES: Readonly<Record<string, number>> = { A: 1, AAAA: 28, CNAME: 5, SRV: 33 };

/**
 * What CoreDNS answers for a file (spec §3): every Service name (A/AAAA, or a
 * CNAME for ExternalName), an SRV per named port; a headless Service only
 * when pods back it, and then `<pod>.<svc>` for each StatefulSet pod whose
 * serviceName is that Service.
 */
function expectedNames(objects: readonly Obj[]): Expected[] {
  const expected: Expected[] = [];
  const services = objects.filter((object) => object.kind === 'Service');
  for (const service of services) {
    const fqdn = `${service.name}.${service.namespace}.svc.${ZONE}`.toLowerCase();
    const serviceSpec = spec(service);
    if (serviceSpec.type === 'ExternalName') {
      expected.push({ name: fqdn, types: ['CNAME'] });
      continue;
    }
    if (serviceSpec.clusterIP === 'None') {
      const selector = isRaw(serviceSpec.selector) ? serviceSpec.selector : {};
      const backed = objects.some((object) => object.namespace === service.namespace && backs(object, selector));
      if (!backed) continue;
    }
    expected.push({ name: fqdn, types: ADDRESS });
    const ports = Array.isArray(serviceSpec.ports) ? serviceSpec.ports : [];
    for (const port of ports) {
      if (!isRaw(port) || typeof port.name !== 'string' || port.name === '') continue;
      const protocol = typeof port.protocol === 'string' ? port.protocol.toLowerCase() : 'tcp';
      expected.push({ name: `_${port.name}._${protocol}.${fqdn}`.toLowerCase(), types: ['SRV'] });
    }
  }
  for (const sts of objects.filter((object) => object.kind === 'StatefulSet')) {
    const stsSpec = spec(sts);
    const governing = services.find((s) => s.namespace === sts.namespace && s.name === stsSpec.serviceName && spec(s).clusterIP === 'None');
    const selector = governing && isRaw(spec(governing).selector) ? (spec(governing).selector as Raw) : {};
    if (!governing || !selects(selector, templateLabels(sts))) continue;
    const replicas = typeof stsSpec.replicas === 'number' ? stsSpec.replicas : 1;
    const start = isRaw(stsSpec.ordinals) && typeof stsSpec.ordinals.start === 'number' ? stsSpec.ordinals.start : 0;
    for (let ordinal = start; ordinal < start + replicas; ordinal++) {
      expected.push({ name: `${sts.name}-${ordinal}.${governing.name}.${sts.namespace}.svc.${ZONE}`.toLowerCase(), types: ADDRESS });
    }
  }
  return expected;
}
