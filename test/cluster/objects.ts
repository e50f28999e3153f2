// Compact builders for the model objects the loader would produce, so test
// rows state only what they are about.

import type {
  DaemonSetObject,
  DeploymentObject,
  EndpointSliceEndpoint,
  EndpointSliceObject,
  EndpointsObject,
  EndpointSubset,
  JobObject,
  Labels,
  NamespaceObject,
  ObjectMeta,
  PodObject,
  PodSpec,
  PodStatus,
  ReplicaSetObject,
  ServiceObject,
  StatefulSetObject,
} from '../../src/cluster/model/model.js';

let document = 0;

export function meta(name: string, namespace = 'default', extra: Partial<ObjectMeta> = {}): ObjectMeta {
  document++;
  return { name, namespace, labels: {}, annotations: {}, source: { file: 'test.yaml', document }, ...extra };
}

export function namespace(name: string): NamespaceObject {
  return { kind: 'Namespace', meta: meta(name, name) };
}

export function service(name: string, fields: Partial<Omit<ServiceObject, 'kind' | 'meta'>> & { namespace?: string } = {}): ServiceObject {
  const { namespace: ns, ...rest } = fields;
  return { kind: 'Service', meta: meta(name, ns), type: 'ClusterIP', ports: [], publishNotReadyAddresses: false, ...rest };
}

export function podSpec(fields: Partial<PodSpec> = {}): PodSpec {
  return { restartPolicy: 'Always', containerPorts: [], ...fields };
}

export interface PodFields {
  namespace?: string;
  labels?: Labels;
  spec?: Partial<PodSpec>;
  status?: PodStatus;
  deletionTimestamp?: string;
}

export function pod(name: string, fields: PodFields = {}): PodObject {
  const extra = {
    labels: fields.labels ?? {},
    ...(fields.deletionTimestamp ? { deletionTimestamp: fields.deletionTimestamp } : {}),
  };
  return {
    kind: 'Pod',
    meta: meta(name, fields.namespace, extra),
    spec: podSpec(fields.spec),
    ...(fields.status ? { status: fields.status } : {}),
  };
}

const everything = { matchLabels: {}, matchExpressions: [] };

function template(labels: Labels, spec: Partial<PodSpec> = {}) {
  return { labels, annotations: {}, spec: podSpec(spec) };
}

export function statefulSet(name: string, fields: { namespace?: string; replicas?: number; serviceName?: string; ordinalsStart?: number; labels?: Labels; spec?: Partial<PodSpec> } = {}): StatefulSetObject {
  return {
    kind: 'StatefulSet',
    meta: meta(name, fields.namespace),
    selector: everything,
    template: template(fields.labels ?? { app: name }, fields.spec),
    replicas: fields.replicas ?? 1,
    ordinalsStart: fields.ordinalsStart ?? 0,
    ...(fields.serviceName ? { serviceName: fields.serviceName } : {}),
  };
}

export function deployment(name: string, fields: { namespace?: string; replicas?: number; labels?: Labels; spec?: Partial<PodSpec> } = {}): DeploymentObject {
  return {
    kind: 'Deployment',
    meta: meta(name, fields.namespace),
    selector: everything,
    template: template(fields.labels ?? { app: name }, fields.spec),
    replicas: fields.replicas ?? 1,
  };
}

export function replicaSet(name: string, replicas = 1): ReplicaSetObject {
  return { kind: 'ReplicaSet', meta: meta(name), selector: everything, template: template({ app: name }), replicas };
}

export function daemonSet(name: string): DaemonSetObject {
  return { kind: 'DaemonSet', meta: meta(name), selector: everything, template: template({ app: name }) };
}

export function job(name: string, fields: { mode?: 'NonIndexed' | 'Indexed'; parallelism?: number; completions?: number; spec?: Partial<PodSpec> } = {}): JobObject {
  return {
    kind: 'Job',
    meta: meta(name),
    template: template({ app: name }, fields.spec),
    completionMode: fields.mode ?? 'NonIndexed',
    parallelism: fields.parallelism ?? 1,
    ...(fields.completions !== undefined ? { completions: fields.completions } : {}),
  };
}

export function slice(name: string, fields: { namespace?: string; serviceName?: string; addressType?: 'IPv4' | 'IPv6' | 'FQDN'; endpoints: EndpointSliceEndpoint[]; ports?: EndpointSliceObject['ports'] }): EndpointSliceObject {
  return {
    kind: 'EndpointSlice',
    meta: meta(name, fields.namespace),
    ...(fields.serviceName ? { serviceName: fields.serviceName } : {}),
    addressType: fields.addressType ?? 'IPv4',
    endpoints: fields.endpoints,
    ports: fields.ports ?? [],
  };
}

export function endpointsObject(name: string, subsets: EndpointSubset[], skipMirror = false): EndpointsObject {
  return { kind: 'Endpoints', meta: meta(name), skipMirror, subsets };
}
