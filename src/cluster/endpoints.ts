// Selector-derived endpoints of a Service (spec §4.1), as the EndpointSlice
// controller would write them, and the merge of all endpoint sources.

import { compareIPs, type ParsedIP } from './ip.js';
import type { IPFamily, Labels, ServicePort } from './model.js';
import { isFinished, podKey, type PodEntry } from './pods.js';
import type { Endpoint, NamedPort } from './state.js';

/** An endpoint with its address already parsed, for merging and sorting without re-parsing. */
export interface KeyedEndpoint {
  readonly endpoint: Endpoint;
  readonly ip: ParsedIP;
}

/**
 * Pods by namespace, and inside a namespace by `key=value` label pair, so a
 * Service selector looks at its smallest candidate list instead of every
 * pod. Only label keys some selector uses are indexed.
 */
export class PodIndex {
  private readonly byNamespace = new Map<string, Map<string, PodEntry[]>>();

  constructor(entries: readonly PodEntry[], selectorKeys: ReadonlySet<string>) {
    for (const entry of entries) {
      let pairs = this.byNamespace.get(entry.pod.namespace);
      if (!pairs) {
        pairs = new Map();
        this.byNamespace.set(entry.pod.namespace, pairs);
      }
      for (const key of Object.keys(entry.pod.labels)) {
        if (!selectorKeys.has(key)) continue;
        const pair = labelPair(key, entry.pod.labels[key] ?? '');
        const list = pairs.get(pair);
        if (list) list.push(entry);
        else pairs.set(pair, [entry]);
      }
    }
  }

  /** Pods of `namespace` matching a plain selector; empty selector ⇒ none (spec §4.1). */
  select(namespace: string, selector: Labels | undefined): PodEntry[] {
    const pairs = Object.entries(selector ?? {});
    const byPair = this.byNamespace.get(namespace);
    if (pairs.length === 0 || !byPair) return [];
    let smallest: PodEntry[] | undefined;
    for (const [key, value] of pairs) {
      const list = byPair.get(labelPair(key, value));
      if (!list) return [];
      if (!smallest || list.length < smallest.length) smallest = list;
    }
    if (pairs.length === 1) return smallest ?? [];
    return (smallest ?? []).filter((entry) =>
      pairs.every(([key, value]) => Object.hasOwn(entry.pod.labels, key) && entry.pod.labels[key] === value),
    );
  }
}

function labelPair(key: string, value: string): string {
  return `${key}=${value}`;
}

/** What endpoint derivation needs to know about the Service. */
export interface EndpointTarget {
  readonly name: string;
  readonly namespace: string;
  readonly selector?: Labels;
  readonly ports: readonly ServicePort[];
  readonly ipFamilies: readonly IPFamily[];
  readonly publishNotReadyAddresses: boolean;
}

export function selectorEndpoints(service: EndpointTarget, index: PodIndex): KeyedEndpoint[] {
  const candidates = index.select(service.namespace, service.selector);
  if (candidates.length === 0) return [];
  // Without named targetPorts every pod gets the same port list: build it once.
  const named = service.ports.some((port) => typeof port.targetPort === 'string');
  const shared = named ? undefined : resolvePorts(service.ports, undefined);
  const endpoints: KeyedEndpoint[] = [];
  for (const entry of candidates) podEndpoints(service, entry, shared, endpoints);
  return endpoints;
}

/** Appends one endpoint per pod IP of the service's families; none for pods without IP or finished. */
export function podEndpoints(
  service: EndpointTarget,
  entry: PodEntry,
  sharedPorts: readonly NamedPort[] | undefined,
  out: KeyedEndpoint[],
): void {
  const { pod, spec } = entry;
  if (entry.addresses.length === 0 || isFinished(entry)) return;
  const ready = service.publishNotReadyAddresses || (pod.ready && !pod.terminating);
  const hostname = spec.hostname && spec.subdomain === service.name ? spec.hostname : undefined;
  const ports = sharedPorts ?? resolvePorts(service.ports, entry);
  for (const ip of entry.addresses) {
    if (!service.ipFamilies.includes(ip.family)) continue;
    const endpoint: Endpoint = hostname
      ? { address: ip.text, family: ip.family, hostname, ready, ports, pod: podKey(pod) }
      : { address: ip.text, family: ip.family, ready, ports, pod: podKey(pod) };
    out.push({ endpoint, ip });
  }
}

/**
 * targetPort against the pod: a number as is; a name looked up among the
 * pod's container ports of the same protocol (missing ⇒ that port is absent
 * for this pod, as podutil.FindPort decides); absent ⇒ the service port.
 * `entry` undefined: no names to look up (see selectorEndpoints).
 */
export function resolvePorts(ports: readonly ServicePort[], entry: PodEntry | undefined): NamedPort[] {
  const resolved: NamedPort[] = [];
  for (const port of ports) {
    const number = resolveTargetPort(port, entry);
    if (number === undefined) continue;
    resolved.push(port.name ? { name: port.name, protocol: port.protocol, port: number } : { protocol: port.protocol, port: number });
  }
  return resolved;
}

function resolveTargetPort(port: ServicePort, entry: PodEntry | undefined): number | undefined {
  const target = port.targetPort;
  if (target === undefined) return port.port;
  if (typeof target === 'number') return target;
  const found = entry?.spec.containerPorts.find((cp) => cp.name === target && cp.protocol === port.protocol);
  return found?.containerPort;
}

/** Union of endpoint lists: the first endpoint with a given address wins; sorted by address. */
export function mergeEndpoints(lists: readonly (readonly KeyedEndpoint[])[]): Endpoint[] {
  const byAddress = new Map<string, KeyedEndpoint>();
  for (const list of lists) {
    for (const keyed of list) {
      if (!byAddress.has(keyed.endpoint.address)) byAddress.set(keyed.endpoint.address, keyed);
    }
  }
  return [...byAddress.values()].sort((a, b) => compareIPs(a.ip, b.ip)).map((keyed) => keyed.endpoint);
}
