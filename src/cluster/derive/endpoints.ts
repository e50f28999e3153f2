// Selector-derived endpoints of a Service (spec §4.1), as the EndpointSlice
// controller would write them, and the merge of all endpoint sources.
//
// In a big cluster every pod is an endpoint of a Service or two, so what
// endpoints can share they do: one array per distinct port list
// (PortLists), and one Endpoint object per pod address for every Service that
// sees it alike (a ClusterIP Service and its headless twin), which refers to
// its Pod object rather than carrying a `namespace/name` string of its own.
// All of it is readonly once built: sharing is safe.

import { compareSortKeys, type Endpoint, ipAt, ipCount, type IPFamily, isFinished, type Labels, type NamedPort, type ParsedIP, type PodEntry, type PortLists, type ServicePort, type SortKey, sortKeyOf } from '../model/index.js';

/** An endpoint with its address already parsed, for merging and sorting without re-parsing. */
export interface KeyedEndpoint {
  readonly endpoint: Endpoint;
  readonly ip: ParsedIP;
}

/**
 * Pods by namespace, label key and label value, so a Service selector looks
 * at its smallest candidate list instead of every pod. Only label keys some
 * selector uses are indexed.
 */
export class PodIndex {
  private readonly byNamespace = new Map<string, Map<string, Map<string, PodEntry[]>>>();

  /** `entries` in the order select() returns them. */
  constructor(entries: readonly PodEntry[], selectorKeys: ReadonlySet<string>) {
    // Replicas of a workload sit next to each other in name order and agree
    // on the labels selectors use (StatefulSet pods differ only in their
    // pod-name and pod-index labels): look their lists up once.
    let labels: Labels | undefined;
    let namespace: string | undefined;
    let lists: PodEntry[][] = [];
    // Indexed loops: this runs once a build over every pod, and for-of in code
    // not yet optimized allocates an iterator result per step.
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i] as PodEntry;
      const pod = entry.pod;
      if (pod.namespace !== namespace || (pod.labels !== labels && !sameSelectedLabels(pod.labels, labels, selectorKeys))) {
        lists = this.listsFor(pod.namespace, pod.labels, selectorKeys);
      }
      ({ labels, namespace } = pod);
      for (let j = 0; j < lists.length; j++) (lists[j] as PodEntry[]).push(entry);
    }
  }

  private listsFor(namespace: string, labels: Labels, selectorKeys: ReadonlySet<string>): PodEntry[][] {
    let byKey = this.byNamespace.get(namespace);
    if (!byKey) {
      byKey = new Map();
      this.byNamespace.set(namespace, byKey);
    }
    const lists: PodEntry[][] = [];
    // for-in, not Object.keys(): no array per pod (labels are plain objects from the loader).
    for (const key in labels) {
      if (!Object.hasOwn(labels, key) || !selectorKeys.has(key)) continue;
      let byValue = byKey.get(key);
      if (!byValue) {
        byValue = new Map();
        byKey.set(key, byValue);
      }
      const value = labels[key] ?? '';
      let list = byValue.get(value);
      if (!list) {
        list = [];
        byValue.set(value, list);
      }
      lists.push(list);
    }
    return lists;
  }

  /** Pods of `namespace` matching a plain selector; empty selector ⇒ none (spec §4.1). */
  select(namespace: string, selector: Labels | undefined): PodEntry[] {
    const pairs = Object.entries(selector ?? {});
    const byKey = this.byNamespace.get(namespace);
    if (pairs.length === 0 || !byKey) return [];
    let smallest: PodEntry[] | undefined;
    for (const [key, value] of pairs) {
      const list = byKey.get(key)?.get(value);
      if (!list) return [];
      if (!smallest || list.length < smallest.length) smallest = list;
    }
    if (pairs.length === 1) return smallest ?? [];
    return (smallest ?? []).filter((entry) =>
      pairs.every(([key, value]) => Object.hasOwn(entry.pod.labels, key) && entry.pod.labels[key] === value),
    );
  }
}

/** Whether two label sets agree on every key some selector uses (then they belong in the same lists). */
function sameSelectedLabels(a: Labels, b: Labels | undefined, selectorKeys: ReadonlySet<string>): boolean {
  if (!b) return false;
  let count = 0;
  for (const key in a) {
    if (!Object.hasOwn(a, key) || !selectorKeys.has(key)) continue;
    if (!Object.hasOwn(b, key) || a[key] !== b[key]) return false;
    count++;
  }
  for (const key in b) if (Object.hasOwn(b, key) && selectorKeys.has(key)) count--;
  return count === 0;
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

/** The Service's endpoints from the pods its selector picks, in pod (name) order. */
export function selectorEndpoints(service: EndpointTarget, index: PodIndex, portLists: PortLists): SortableEndpoints {
  const endpoints = new SortableEndpoints();
  const candidates = index.select(service.namespace, service.selector);
  if (candidates.length === 0) return endpoints;
  // Without named targetPorts every pod gets the same port list; with them,
  // pods of one spec (the replicas of a workload, adjacent here) do.
  const named = service.ports.some((port) => typeof port.targetPort === 'string');
  const shared = named ? undefined : portLists.intern(resolvePorts(service.ports, undefined));
  let lastSpec: PodEntry['origin']['spec'] | undefined;
  let lastPorts: readonly NamedPort[] = [];
  for (const entry of candidates) {
    let ports = shared;
    if (!ports) {
      if (entry.origin.spec !== lastSpec) {
        lastSpec = entry.origin.spec;
        lastPorts = portLists.intern(resolvePorts(service.ports, entry));
      }
      ports = lastPorts;
    }
    podEndpoints(service, entry, ports, endpoints);
  }
  return endpoints;
}

/** Appends one endpoint per pod IP of the service's families; none for pods without IP or finished. */
function podEndpoints(service: EndpointTarget, entry: PodEntry, ports: readonly NamedPort[], out: SortableEndpoints): void {
  const { pod } = entry;
  const count = ipCount(pod.ips);
  if (count === 0 || isFinished(entry)) return;
  const ready = service.publishNotReadyAddresses || (pod.ready && !pod.terminating);
  const hostname = pod.hostname && pod.subdomain === service.name ? pod.hostname : undefined;
  for (let i = 0; i < count; i++) {
    const address = ipAt(pod.ips, i)!;
    // Pod IPs are canonical: only IPv6 has a colon.
    const family: IPFamily = address.includes(':') ? 'IPv6' : 'IPv4';
    if (!service.ipFamilies.includes(family)) continue;
    out.add(endpointOf(entry, address, family, hostname, ready, ports), i === 0 ? entry.firstKey : sortKeyOf(address));
  }
}

/** The pod's endpoint for `address` as one Service sees it: an earlier Service's when they agree, else a new one. */
function endpointOf(
  entry: PodEntry,
  address: string,
  family: IPFamily,
  hostname: string | undefined,
  ready: boolean,
  ports: readonly NamedPort[],
): Endpoint {
  if (entry.endpoint && alike(entry.endpoint, address, hostname, ready, ports)) return entry.endpoint;
  const others = entry.otherEndpoints;
  if (Array.isArray(others)) {
    for (const other of others) if (alike(other, address, hostname, ready, ports)) return other;
  } else if (others && alike(others, address, hostname, ready, ports)) return others;
  // The Pod itself: no string per pod (150,000 of them were 4.6 MB).
  const { pod } = entry;
  const endpoint: Endpoint = hostname ? { address, family, hostname, ready, ports, pod } : { address, family, ready, ports, pod };
  if (!entry.endpoint) entry.endpoint = endpoint;
  else if (!others) entry.otherEndpoints = endpoint;
  else if (Array.isArray(others)) others.push(endpoint);
  else entry.otherEndpoints = [others, endpoint];
  return endpoint;
}

function alike(seen: Endpoint, address: string, hostname: string | undefined, ready: boolean, ports: readonly NamedPort[]): boolean {
  return seen.address === address && seen.hostname === hostname && seen.ready === ready && seen.ports === ports;
}

/**
 * targetPort against the pod: a number as is; a name looked up among the
 * pod's container ports of the same protocol (missing ⇒ that port is absent
 * for this pod, as podutil.FindPort decides); absent ⇒ the service port.
 * `entry` undefined: no names to look up (see selectorEndpoints).
 */
function resolvePorts(ports: readonly ServicePort[], entry: PodEntry | undefined): NamedPort[] {
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
  const found = entry?.origin.spec.containerPorts.find((cp) => cp.name === target && cp.protocol === port.protocol);
  return found?.containerPort;
}

/**
 * Endpoints with their addresses as sort keys, side by side: no wrapper
 * object per endpoint (300,000 of them in a 150,000-pod cluster).
 */
export class SortableEndpoints {
  readonly endpoints: Endpoint[] = [];
  readonly keys: SortKey[] = [];

  add(endpoint: Endpoint, key: SortKey): void {
    this.endpoints.push(endpoint);
    this.keys.push(key);
  }
}

/**
 * Selector-derived endpoints and given ones, merged: the first endpoint with
 * a given address wins (derived before given, each in list order); sorted
 * by address, IPv4 first. `derived` is used up (sorted in place).
 */
export function mergeEndpoints(derived: SortableEndpoints, given: readonly KeyedEndpoint[]): Endpoint[] {
  for (const { endpoint, ip } of given) derived.add(endpoint, sortKeyOf(ip));
  // Stable: equal addresses stay in list order, so the first of each run is the one that wins.
  sortStably(derived);
  const { endpoints, keys } = derived;
  let duplicates = 0;
  for (let i = 1; i < keys.length; i++) if (keys[i] === keys[i - 1]) duplicates++;
  // Arrays of exactly the right size: the Service keeps this one.
  if (duplicates === 0) return endpoints.slice();
  const unique = new Array<Endpoint>(endpoints.length - duplicates);
  for (let i = 0, n = 0; i < endpoints.length; i++) if (i === 0 || keys[i] !== keys[i - 1]) unique[n++] = endpoints[i] as Endpoint;
  return unique;
}

/**
 * Insertion sort for the usual few dozen endpoints (stable, and unlike
 * Array.prototype.sort it makes no work array: 10,000 Services sort once
 * each); an index sort, also stable, for long lists.
 */
function sortStably({ endpoints, keys }: SortableEndpoints): void {
  if (keys.length > 64) {
    const order = keys.map((_, i) => i).sort((a, b) => compareSortKeys(keys[a] as SortKey, keys[b] as SortKey) || a - b);
    const sortedEndpoints = order.map((i) => endpoints[i] as Endpoint);
    const sortedKeys = order.map((i) => keys[i] as SortKey);
    for (let i = 0; i < order.length; i++) {
      endpoints[i] = sortedEndpoints[i] as Endpoint;
      keys[i] = sortedKeys[i] as SortKey;
    }
    return;
  }
  for (let i = 1; i < keys.length; i++) {
    const endpoint = endpoints[i] as Endpoint;
    const key = keys[i] as SortKey;
    let j = i - 1;
    while (j >= 0 && compareSortKeys(keys[j] as SortKey, key) > 0) {
      endpoints[j + 1] = endpoints[j] as Endpoint;
      keys[j + 1] = keys[j] as SortKey;
      j--;
    }
    endpoints[j + 1] = endpoint;
    keys[j + 1] = key;
  }
}
