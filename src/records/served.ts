// The part of a cluster state the kubernetes plugin serves, as its Corefile
// options shape it (CoreDNS plugin/kubernetes):
//
// - `namespaces a b`: only those namespaces exist for the DNS; names in any
//   other are NXDOMAIN, and their addresses get no PTR.
// - `endpoint_pod_names`: an endpoint without a hostname answers under its
//   pod's name instead of its dashed IP, when that name is a valid DNS label
//   (pod names may be up to 253 characters; a longer one keeps the dashed IP).

import type { ClusterState, Endpoint, Service } from '../cluster/index.js';

export interface ServedOptions {
  /** Namespaces served; undefined or null = all. */
  readonly namespaces?: readonly string[] | null;
  readonly endpointPodNames?: boolean;
}

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** `state` narrowed and renamed as `options` say; `state` itself when they change nothing. */
export function servedState(state: ClusterState, options: ServedOptions): ClusterState {
  const namespaces = options.namespaces ? new Set(options.namespaces) : undefined;
  if (!namespaces && !options.endpointPodNames) return state;
  let services = namespaces ? state.services.filter((service) => namespaces.has(service.namespace)) : state.services;
  if (options.endpointPodNames) services = services.map(withPodNames);
  return {
    namespaces: namespaces ? new Set([...state.namespaces].filter((namespace) => namespaces.has(namespace))) : state.namespaces,
    services,
    pods: namespaces ? state.pods.filter((pod) => namespaces.has(pod.namespace)) : state.pods,
    warnings: state.warnings,
  };
}

/** The label an endpoint of a pod named `name` answers under with endpoint_pod_names, when it has no hostname. */
export function podNameLabel(name: string): string | undefined {
  return DNS_LABEL.test(name) ? name : undefined;
}

function withPodNames(service: Service): Service {
  if (service.kind !== 'Headless' || !service.endpoints.some((endpoint) => podLabelOf(endpoint) !== undefined)) return service;
  return {
    ...service,
    endpoints: service.endpoints.map((endpoint) => {
      const label = podLabelOf(endpoint);
      return label === undefined ? endpoint : { ...endpoint, hostname: label };
    }),
  };
}

/** The pod name an endpoint without a hostname answers under: its pod's (selector-derived) or its targetRef's (given slices). */
function podLabelOf(endpoint: Endpoint): string | undefined {
  if (endpoint.hostname !== undefined) return undefined;
  const name = endpoint.pod?.name ?? endpoint.targetPod;
  return name === undefined ? undefined : podNameLabel(name);
}

/** Whether two indexes serve the same part of their states (a diff between them can be computed part by part). */
export function sameServing(a: ServedOptions, b: ServedOptions): boolean {
  return (a.endpointPodNames ?? false) === (b.endpointPodNames ?? false) && (a.namespaces ?? []).join() === (b.namespaces ?? []).join();
}
