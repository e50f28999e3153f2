#!/usr/bin/env node
// A cluster dump in kubectl's own output shape, for load benchmarks:
//
//   node bench/gen-dump.mjs --services 2000 --pods 30000 [--namespaces 20] [-o yaml|json] > dump.yaml
//
// What `kubectl get ns,svc,endpointslices,pods,deploy,rs,sts -A -o yaml`
// writes for the cluster of bench/gen-cluster.mjs (same shape and flags): one
// `kind: List` per resource (items carry full metadata with uid,
// resourceVersion, creationTimestamp, ownerReferences and managedFields, and
// status), Pods with IPs and conditions, EndpointSlices for every Service.
// The YAML is kubectl's layout (items at column 0, keys sorted); `-o json`
// writes kubectl's JSON (4-space indent). Written as a stream, so a
// 150,000-pod dump never sits in this process's memory.

import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { clusterShape } from './gen-cluster.mjs';

const { values } = parseArgs({
  options: {
    services: { type: 'string', default: '1000' },
    pods: { type: 'string', default: '10000' },
    namespaces: { type: 'string', default: '20' },
    output: { type: 'string', short: 'o', default: 'yaml' },
  },
});
const size = { services: Number(values.services), pods: Number(values.pods), namespaces: Number(values.namespaces) };
const json = values.output === 'json';
const CREATED = '2026-11-20T09:14:07Z';
const uid = (text) => {
  const h = createHash('sha1').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const suffix = (text, n = 5) => [...createHash('sha1').update(text).digest()].slice(0, n).map((b) => ALPHABET[b % ALPHABET.length]).join('');
let resourceVersion = 1000;

function meta(kind, name, namespace, extra = {}) {
  resourceVersion += 1;
  return {
    ...(extra.annotations ? { annotations: extra.annotations } : {}),
    creationTimestamp: CREATED,
    ...(extra.generateName ? { generateName: extra.generateName } : {}),
    ...(extra.labels ? { labels: extra.labels } : {}),
    managedFields: [
      {
        apiVersion: kind === 'Pod' || kind === 'Service' ? 'v1' : 'apps/v1',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } }, 'f:spec': { 'f:containers': { 'k:{"name":"main"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } },
        manager: 'kube-controller-manager',
        operation: 'Update',
        time: CREATED,
      },
      { apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:status': { 'f:conditions': {} } }, manager: 'kubelet', operation: 'Update', subresource: 'status', time: CREATED },
    ],
    name,
    ...(namespace ? { namespace } : {}),
    ...(extra.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', blockOwnerDeletion: true, controller: true, kind: extra.owner.kind, name: extra.owner.name, uid: uid(extra.owner.name) }] } : {}),
    resourceVersion: String(resourceVersion),
    uid: uid(`${kind}/${namespace}/${name}`),
  };
}

const container = { image: 'example/app:1', imagePullPolicy: 'IfNotPresent', name: 'main', ports: [{ containerPort: 8080, name: 'http', protocol: 'TCP' }], resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' };
const podSpec = { containers: [container], dnsPolicy: 'ClusterFirst', enableServiceLinks: true, preemptionPolicy: 'PreemptLowerPriority', priority: 0, restartPolicy: 'Always', schedulerName: 'default-scheduler', securityContext: {}, serviceAccountName: 'default', terminationGracePeriodSeconds: 30 };
const conditions = ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ lastProbeTime: null, lastTransitionTime: CREATED, status: 'True', type }));

const shape = clusterShape(size);
const ip = (n) => `10.${244 + Math.floor(n / 65536)}.${Math.floor(n / 256) % 256}.${n % 256}`;

function* namespaces() {
  for (let n = 0; n < size.namespaces; n++) {
    const name = `ns-${String(n).padStart(3, '0')}`;
    yield { apiVersion: 'v1', kind: 'Namespace', metadata: meta('Namespace', name, undefined, { labels: { 'kubernetes.io/metadata.name': name } }), spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
  }
}

/** Every pod of every app, with its IP: the same sequence for Pods and EndpointSlices. */
function* podsOf(app, base) {
  const hash = suffix(`${app.name}/template`, 10);
  for (let i = 0; i < app.replicas; i++) {
    const name = app.kind === 'StatefulSet' ? `${app.name}-${i}` : `${app.name}-${hash}-${suffix(`${app.name}/${i}`)}`;
    yield { name, ip: ip(base + i), owner: app.kind === 'StatefulSet' ? { kind: 'StatefulSet', name: app.name } : { kind: 'ReplicaSet', name: `${app.name}-${hash}` }, hash };
  }
}

function* eachPod() {
  let base = 256;
  for (const app of shape) {
    for (const pod of podsOf(app, base)) yield { app, pod };
    base += app.replicas;
  }
}

function* pods() {
  for (const { app, pod } of eachPod()) {
    const labels = app.kind === 'StatefulSet' ? { app: app.name, 'statefulset.kubernetes.io/pod-name': pod.name } : { app: app.name, 'pod-template-hash': pod.hash };
    const spec = app.kind === 'StatefulSet' ? { ...podSpec, hostname: pod.name, nodeName: 'node-1', subdomain: `${app.name}-hl` } : { ...podSpec, nodeName: 'node-1' };
    yield {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta('Pod', pod.name, app.namespace, { labels, owner: pod.owner, ...(app.kind === 'StatefulSet' ? {} : { generateName: `${pod.owner.name}-` }) }),
      spec,
      status: {
        conditions,
        containerStatuses: [{ containerID: `containerd://${uid(pod.name).replace(/-/g, '')}`, image: 'example/app:1', imageID: 'example/app@sha256:0', lastState: {}, name: 'main', ready: true, restartCount: 0, started: true, state: { running: { startedAt: CREATED } } }],
        hostIP: '172.18.0.2',
        hostIPs: [{ ip: '172.18.0.2' }],
        phase: 'Running',
        podIP: pod.ip,
        podIPs: [{ ip: pod.ip }],
        qosClass: 'BestEffort',
        startTime: CREATED,
      },
    };
  }
}

let clusterIP = 10;
function* services() {
  for (const app of shape) {
    const ports = [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' }];
    clusterIP += 1;
    const address = `10.96.${Math.floor(clusterIP / 256)}.${clusterIP % 256}`;
    yield { apiVersion: 'v1', kind: 'Service', metadata: meta('Service', app.name, app.namespace), spec: { clusterIP: address, clusterIPs: [address], internalTrafficPolicy: 'Cluster', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', ports, selector: { app: app.name }, sessionAffinity: 'None', type: 'ClusterIP' }, status: { loadBalancer: {} } };
    yield { apiVersion: 'v1', kind: 'Service', metadata: meta('Service', `${app.name}-hl`, app.namespace), spec: { clusterIP: 'None', clusterIPs: ['None'], internalTrafficPolicy: 'Cluster', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', ports, selector: { app: app.name }, sessionAffinity: 'None', type: 'ClusterIP' }, status: { loadBalancer: {} } };
  }
}

function* endpointSlices() {
  let base = 256;
  for (const app of shape) {
    const members = [...podsOf(app, base)];
    base += app.replicas;
    for (const service of [app.name, `${app.name}-hl`]) {
      const name = `${service}-${suffix(`${service}/slice`)}`;
      yield {
        addressType: 'IPv4',
        apiVersion: 'discovery.k8s.io/v1',
        endpoints: members.map((pod) => ({
          addresses: [pod.ip],
          conditions: { ready: true, serving: true, terminating: false },
          ...(app.kind === 'StatefulSet' && service.endsWith('-hl') ? { hostname: pod.name } : {}),
          nodeName: 'node-1',
          targetRef: { kind: 'Pod', name: pod.name, namespace: app.namespace, uid: uid(pod.name) },
        })),
        kind: 'EndpointSlice',
        metadata: meta('EndpointSlice', name, app.namespace, { labels: { 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io', 'kubernetes.io/service-name': service }, generateName: `${service}-` }),
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      };
    }
  }
}

function* workloads(kind) {
  for (const app of shape) {
    if (app.kind !== kind) continue;
    const template = { metadata: { labels: { app: app.name } }, spec: podSpec };
    const spec = { replicas: app.replicas, selector: { matchLabels: { app: app.name } }, template, ...(kind === 'StatefulSet' ? { serviceName: `${app.name}-hl` } : {}) };
    yield { apiVersion: 'apps/v1', kind, metadata: meta(kind, app.name, app.namespace), spec, status: { availableReplicas: app.replicas, readyReplicas: app.replicas, replicas: app.replicas } };
  }
}

function* replicaSets() {
  for (const app of shape) {
    if (app.kind !== 'Deployment') continue;
    const name = `${app.name}-${suffix(`${app.name}/template`, 10)}`;
    const template = { metadata: { labels: { app: app.name, 'pod-template-hash': name.slice(app.name.length + 1) } }, spec: podSpec };
    yield { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: meta('ReplicaSet', name, app.namespace, { owner: { kind: 'Deployment', name: app.name } }), spec: { replicas: app.replicas, selector: { matchLabels: template.metadata.labels }, template }, status: { replicas: app.replicas } };
  }
}

// kubectl's YAML: block style, keys as given (sorted above), lists at the parent's indent.
function yamlScalar(value) {
  if (value === null) return 'null';
  if (typeof value !== 'string') return String(value);
  return /^[A-Za-z_/][\w./-]*$/.test(value) && !['true', 'false', 'null', 'yes', 'no', 'on', 'off', 'y', 'n'].includes(value.toLowerCase()) ? value : JSON.stringify(value);
}
function yamlOf(value, indent) {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return ' []\n';
    // Like kubectl: a list's dashes at its key's indent.
    const dash = ' '.repeat(Math.max(0, indent - 2));
    return `\n${value.map((item) => `${dash}-${yamlOf(item, indent).replace(/^\n {0,}/, ' ')}`).join('')}`;
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 0) return ' {}\n';
    return `\n${keys.map((key) => `${pad}${yamlScalar(key)}:${yamlOf(value[key], indent + 2)}`).join('')}`;
  }
  return ` ${yamlScalar(value)}\n`;
}

const out = process.stdout;
async function write(text) {
  if (!out.write(text)) await new Promise((resolve) => out.once('drain', resolve));
}

async function list(items, first) {
  if (json) {
    await write(`${first ? '' : '\n'}{\n    "apiVersion": "v1",\n    "items": [`);
    let n = 0;
    for (const item of items) {
      const text = JSON.stringify(item, null, 4).replace(/\n/g, '\n        ');
      await write(`${n++ === 0 ? '\n' : ',\n'}        ${text}`);
    }
    await write(`\n    ],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n`);
    return;
  }
  await write(`${first ? '' : '---\n'}apiVersion: v1\nitems:\n`);
  for (const item of items) await write(yamlOf(item, 2).replace(/^\n {2}/, '- '));
  await write('kind: List\nmetadata:\n  resourceVersion: ""\n');
}

const lists = [namespaces(), services(), endpointSlices(), pods(), workloads('Deployment'), replicaSets(), workloads('StatefulSet')];
if (json && lists.length > 1) {
  // JSON has no document separator: kubectl writes one List of every resource.
  await list((function* () { for (const items of lists) yield* items; })(), true);
} else {
  for (const [index, items] of lists.entries()) await list(items, index === 0);
}
