// The slim, validated objects the manifest loader hands to the cluster.
//
// Raw YAML never leaves src/manifests/: the loader checks every field it reads
// and converts it into these readonly shapes (CoreDNS keeps trimmed copies of
// API objects the same way, plugin/kubernetes/object/). Fields that nothing
// in clusterdns reads are not carried. Defaults that Kubernetes applies on
// admission (protocol TCP, replicas 1, restartPolicy Always, ...) are already
// filled in here, so the cluster code never guesses.

/** Where an object was read from; every message about it names this. */
export interface SourceRef {
  /** Path as the user gave it (or `<stdin>`, `<api>` for control-API bodies). */
  readonly file: string;
  /** 1-based index of the YAML document inside the file. */
  readonly document: number;
  /** 1-based line of the document's start (or of the List item), when known. */
  readonly line?: number;
  /** For `kind: List` items: 0-based index inside `items`. */
  readonly item?: number;
}

import type { IPFamily } from '../../net/ip.js';

export type { IPFamily };
export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export type IPFamilyPolicy = 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';

export type Labels = Readonly<Record<string, string>>;

export interface ObjectMeta {
  readonly name: string;
  /** Namespaced kinds default to `default`; Namespace objects carry their own name here too. */
  readonly namespace: string;
  readonly labels: Labels;
  readonly annotations: Labels;
  /** Set when the object is terminating (metadata.deletionTimestamp). */
  readonly deletionTimestamp?: string;
  readonly source: SourceRef;
}

export interface NamespaceObject {
  readonly kind: 'Namespace';
  readonly meta: ObjectMeta;
}

export interface ServicePort {
  readonly name?: string;
  readonly protocol: Protocol;
  readonly port: number;
  /** A number, a named container port, or absent (then it equals `port`). */
  readonly targetPort?: number | string;
}

export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';

export interface ServiceObject {
  readonly kind: 'Service';
  readonly meta: ObjectMeta;
  readonly type: ServiceType;
  /** `None` for headless; absent when the manifest leaves it to allocation. */
  readonly clusterIP?: string;
  /** As written; validated: at most one per family, [0] equals clusterIP. */
  readonly clusterIPs?: readonly string[];
  readonly ipFamilies?: readonly IPFamily[];
  readonly ipFamilyPolicy?: IPFamilyPolicy;
  /** Plain string map (spec §4.1); absent or empty means no selector. */
  readonly selector?: Labels;
  readonly ports: readonly ServicePort[];
  /** For type ExternalName: the target as written (no trailing dot added). */
  readonly externalName?: string;
  /** spec.publishNotReadyAddresses, or the legacy tolerate-unready annotation. */
  readonly publishNotReadyAddresses: boolean;
}

export interface ContainerPort {
  readonly name?: string;
  readonly containerPort: number;
  readonly protocol: Protocol;
}

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

export interface PodSpec {
  readonly hostname?: string;
  readonly subdomain?: string;
  readonly restartPolicy: RestartPolicy;
  /** Every container's ports, flattened (named targetPort lookup, spec §4.1). */
  readonly containerPorts: readonly ContainerPort[];
}

export interface PodStatus {
  readonly phase?: string;
  /** status.podIPs as written, or [status.podIP] when only that is given. */
  readonly podIPs: readonly string[];
  /** The `Ready` condition when present (true/false), else undefined. */
  readonly readyCondition?: boolean;
}

export interface PodObject {
  readonly kind: 'Pod';
  readonly meta: ObjectMeta;
  /** The controller ownerReference as `Kind/name` (`ReplicaSet/web-7c5d`), as a cluster dump has it. */
  readonly controller?: string;
  readonly spec: PodSpec;
  /** Absent when the manifest has no `status` at all (then IPs are synthesized). */
  readonly status?: PodStatus;
}

export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface SelectorRequirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
}

/** A workload's metav1.LabelSelector (spec §5.3). `{}` matches everything. */
export interface LabelSelector {
  readonly matchLabels: Labels;
  readonly matchExpressions: readonly SelectorRequirement[];
}

export interface PodTemplate {
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly spec: PodSpec;
}

interface WorkloadBase {
  readonly meta: ObjectMeta;
  /** The controller ownerReference as `Kind/name` (a ReplicaSet's Deployment), as a cluster dump has it. */
  readonly controller?: string;
  readonly selector: LabelSelector;
  readonly template: PodTemplate;
}

export interface StatefulSetObject extends WorkloadBase {
  readonly kind: 'StatefulSet';
  readonly replicas: number;
  readonly serviceName?: string;
  /** spec.ordinals.start, default 0. */
  readonly ordinalsStart: number;
}

export interface DeploymentObject extends WorkloadBase {
  readonly kind: 'Deployment';
  readonly replicas: number;
}

export interface ReplicaSetObject extends WorkloadBase {
  readonly kind: 'ReplicaSet';
  readonly replicas: number;
}

/**
 * A ReplicationController (v1), the ReplicaSet's predecessor: its plain-map
 * selector (defaulted to the template's labels, as the API server does) is
 * held as matchLabels. Pods are named as a ReplicaSet's: `<rc>-<5 chars>`.
 */
export interface ReplicationControllerObject extends WorkloadBase {
  readonly kind: 'ReplicationController';
  readonly replicas: number;
}

export interface DaemonSetObject extends WorkloadBase {
  readonly kind: 'DaemonSet';
}

export interface JobObject {
  readonly kind: 'Job';
  readonly meta: ObjectMeta;
  /** The controller ownerReference as `Kind/name` (a CronJob), as a cluster dump has it. */
  readonly controller?: string;
  /** Jobs may omit the selector (the controller generates one). */
  readonly selector?: LabelSelector;
  readonly template: PodTemplate;
  readonly completionMode: 'NonIndexed' | 'Indexed';
  readonly parallelism: number;
  readonly completions?: number;
}

export type WorkloadObject =
  | StatefulSetObject
  | DeploymentObject
  | ReplicaSetObject
  | ReplicationControllerObject
  | DaemonSetObject
  | JobObject;

export interface EndpointPort {
  readonly name?: string;
  readonly port: number;
  readonly protocol: Protocol;
}

export interface EndpointSliceEndpoint {
  readonly addresses: readonly string[];
  /** conditions.ready; absent in the manifest means ready (spec §4.2). */
  readonly ready: boolean;
  readonly terminating: boolean;
  readonly hostname?: string;
  /** targetRef.name when targetRef.kind is Pod (CoreDNS endpoint_pod_names). */
  readonly targetPod?: string;
}

export interface EndpointSliceObject {
  readonly kind: 'EndpointSlice';
  readonly meta: ObjectMeta;
  /** The `kubernetes.io/service-name` label; absent means it belongs to no service. */
  readonly serviceName?: string;
  readonly addressType: 'IPv4' | 'IPv6' | 'FQDN';
  readonly endpoints: readonly EndpointSliceEndpoint[];
  readonly ports: readonly EndpointPort[];
}

export interface EndpointAddress {
  readonly ip: string;
  readonly hostname?: string;
  /** targetRef.name when targetRef.kind is Pod (CoreDNS endpoint_pod_names). */
  readonly targetPod?: string;
}

export interface EndpointSubset {
  readonly addresses: readonly EndpointAddress[];
  readonly notReadyAddresses: readonly EndpointAddress[];
  readonly ports: readonly EndpointPort[];
}

export interface EndpointsObject {
  readonly kind: 'Endpoints';
  readonly meta: ObjectMeta;
  /** Labelled endpointslice.kubernetes.io/skip-mirror: "true". */
  readonly skipMirror: boolean;
  readonly subsets: readonly EndpointSubset[];
}

/** Every kind the loader keeps; everything else is skipped with a log line. */
export type ManifestObject =
  | NamespaceObject
  | ServiceObject
  | PodObject
  | EndpointSliceObject
  | EndpointsObject
  | WorkloadObject;

export type ManifestKind = ManifestObject['kind'];

export const MANIFEST_KINDS: readonly ManifestKind[] = [
  'Namespace',
  'Service',
  'Pod',
  'Endpoints',
  'EndpointSlice',
  'StatefulSet',
  'Deployment',
  'ReplicaSet',
  'ReplicationController',
  'DaemonSet',
  'Job',
];

/** `kind/namespace/name` — the identity used for duplicate detection and the control API. */
export function objectKey(object: { kind: string; meta: { namespace: string; name: string } }): string {
  return `${object.kind}/${object.meta.namespace}/${object.meta.name}`;
}

/** `file, document N (line L)` — how every message names a place. */
export function describeSource(source: SourceRef): string {
  const item = source.item === undefined ? '' : `, item ${source.item}`;
  const line = source.line === undefined ? '' : ` (line ${source.line})`;
  return `${source.file}, document ${source.document}${item}${line}`;
}
