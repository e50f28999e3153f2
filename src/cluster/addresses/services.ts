// Services with their addresses settled (spec §3, §6): families resolved,
// missing cluster IPs allocated, and the Services every cluster has added
// when the manifests do not declare them: `kubernetes` in `default` and
// `kube-dns` in `kube-system` (docs/behaviour.md#coredns-corners).

import type { FamilyPool } from './allocate.js';
import type { ExplicitAddresses } from './explicit.js';
import { hasKeys, resolveAddressing, type ServiceAddressing } from './families.js';
import { addressAt, addressOverrideOf, compareKeys, type Endpoint, type IPFamily, type NamedPort, type ParsedIP, type PortLists, type Problem, type Service, type ServiceObject } from '../model/index.js';
import { ITEMS_PER_STEP, sortSteps, type Steps } from '../slicer.js';

/** A Service whose addresses are final; its endpoints are set once, later (empty until then). */
export type SettledService = Omit<Service, 'endpoints'> & { endpoints: readonly Endpoint[] };

type MutableService = { -readonly [K in keyof SettledService]: SettledService[K] };

const NO_ENDPOINTS: readonly Endpoint[] = Object.freeze([]);

interface SettledServices {
  readonly services: readonly SettledService[];
  readonly warnings: readonly Problem[];
}

const KUBERNETES = { namespace: 'default', name: 'kubernetes' };
const KUBERNETES_PORTS: readonly NamedPort[] = [{ name: 'https', protocol: 'TCP', port: 443 }];
const KUBE_DNS = { namespace: 'kube-system', name: 'kube-dns' };
/** The kubeadm kube-dns Service's ports. */
const KUBE_DNS_PORTS: readonly NamedPort[] = [
  { name: 'dns', protocol: 'UDP', port: 53 },
  { name: 'dns-tcp', protocol: 'TCP', port: 53 },
  { name: 'metrics', protocol: 'TCP', port: 9153 },
];
/** kubeadm gives kube-dns the 10th address of the service CIDR (10.96.0.10 in 10.96.0.0/12). */
const KUBE_DNS_INDEX = 10n;

/** Whether `objects` declare the Service `namespace/name`. */
function declares(objects: readonly ServiceObject[], id: { namespace: string; name: string }): boolean {
  return objects.some((o) => o.meta.namespace === id.namespace && o.meta.name === id.name);
}

/**
 * The address kubeadm gives kube-system/kube-dns: the 10th of the primary
 * service CIDR. Undefined when the manifests declare kube-dns, the CIDR is
 * too small, or a manifest already claims that address (kube-dns is then
 * allocated like any Service). The build marks it taken before anything is
 * allocated and hands it to settleServices.
 */
export function implicitKubeDnsAddress(objects: readonly ServiceObject[], pool: FamilyPool, explicit: ExplicitAddresses): ParsedIP | undefined {
  if (declares(objects, KUBE_DNS)) return undefined;
  const primary = pool.families[0];
  const cidr = primary === undefined ? undefined : pool.allocator(primary)?.cidr;
  if (!cidr || cidr.size <= KUBE_DNS_INDEX + 1n) return undefined;
  const address = addressAt(cidr, KUBE_DNS_INDEX);
  return explicit.owners.has(address.text) ? undefined : address;
}

/**
 * `objects` in any order; allocation runs in namespace/name order so ties
 * are deterministic. The first host of every service CIDR must already be
 * marked taken: it belongs to kubernetes.default; so must `kubeDnsAddress`
 * (implicitKubeDnsAddress()), which belongs to kube-system/kube-dns. In steps,
 * so a reload can run them through a Slicer.
 */
export function* settleServiceSteps(
  objects: readonly ServiceObject[],
  pool: FamilyPool,
  explicit: ExplicitAddresses,
  portLists: PortLists,
  kubeDnsAddress?: ParsedIP,
): Steps<SettledServices> {
  const warnings: Problem[] = [];
  const sorted = yield* sortSteps(objects, (a, b) => compareKeys(a.meta, b.meta));
  yield;
  const services: SettledService[] = [];
  for (let i = 0; i < sorted.length; i++) {
    if (i % ITEMS_PER_STEP === 0) yield;
    services.push(settleOne(sorted[i]!, pool, portLists, warnings));
  }
  yield;
  const kubernetes = declares(sorted, KUBERNETES) ? undefined : implicitKubernetes(pool, explicit, warnings);
  const kubeDns = declares(sorted, KUBE_DNS) ? undefined : implicitKubeDns(pool, kubeDnsAddress);
  if (!kubernetes && !kubeDns) return { services, warnings };
  // Into their places in the sorted list (after equal keys, as a stable sort of the list with them at its end would put them).
  for (const implicit of [kubernetes, kubeDns]) if (implicit) services.splice(upperBound(services, implicit), 0, implicit);
  return { services, warnings };
}

/** The first position in `sorted` whose service sorts after `service`. */
function upperBound(sorted: readonly SettledService[], service: SettledService): number {
  let [low, high] = [0, sorted.length];
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareKeys(sorted[middle]!, service) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

function settleOne(object: ServiceObject, pool: FamilyPool, portLists: PortLists, warnings: Problem[]): SettledService {
  const addressing = resolveAddressing(object, pool.families);
  for (const [field, message] of addressing.notes) {
    warnings.push({ level: 'warning', source: object.meta.source, field, message });
  }
  const clusterIPs = clusterIPsFor(object, addressing, pool, warnings);
  const selector = object.selector && hasKeys(object.selector) ? object.selector : undefined;
  const address = addressOverrideOf(object.meta.annotations);
  const name = object.meta.name;
  const namespace = object.meta.namespace;
  const kind = addressing.kind;
  const ipFamilies = addressing.ipFamilies;
  const ports = portLists.intern(object.ports, (p) => (p.name ? { name: p.name, protocol: p.protocol, port: p.port } : { protocol: p.protocol, port: p.port }));
  const { publishNotReadyAddresses, externalName } = object;
  const source = object.meta.source;
  const endpoints = NO_ENDPOINTS;
  const implicit = false;
  // The usual Service as one literal; the rest assigned in the same key
  // order. Never spread from conditional parts: that costs ~10µs a Service
  // and can leave it a slow dictionary object.
  if (selector && externalName === undefined && !address) {
    return { name, namespace, kind, clusterIPs, ipFamilies, ports, selector, publishNotReadyAddresses, implicit, source, endpoints };
  }
  const service: Partial<MutableService> = { name, namespace, kind, clusterIPs, ipFamilies, ports };
  if (externalName !== undefined) service.externalName = externalName;
  if (selector) service.selector = selector;
  service.publishNotReadyAddresses = publishNotReadyAddresses;
  service.implicit = implicit;
  service.source = source;
  if (address && kind !== 'ExternalName') service.address = address;
  service.endpoints = endpoints;
  return service as SettledService;
}

/** kubernetes.default takes the reserved first host; everyone else hashes into the CIDR. */
function allocateFor(object: ServiceObject, family: IPFamily, pool: FamilyPool, warnings: Problem[]) {
  const allocator = pool.allocator(family);
  const source = object.meta.source;
  if (!allocator) {
    const message = `needs an ${family} cluster IP but no ${family} service CIDR is configured; none synthesized`;
    warnings.push({ level: 'warning', source, field: 'spec.ipFamilies', message });
    return undefined;
  }
  if (isKubernetes(object.meta)) return allocator.firstHost().text;
  const ip = allocator.allocate(`${object.meta.namespace}/${object.meta.name}/${family}`);
  if (!ip) {
    const message = `service CIDR ${allocator.cidr.text} is full; no ${family} cluster IP allocated`;
    warnings.push({ level: 'warning', source, field: 'spec.clusterIPs', message });
  }
  return ip?.text;
}

/** The cluster IPs in ipFamilies order: written ones as given, missing ones allocated (in that order). */
function clusterIPsFor(object: ServiceObject, addressing: ServiceAddressing, pool: FamilyPool, warnings: Problem[]): string[] {
  // Only the ClusterIP kind has missing families.
  if (addressing.kind !== 'ClusterIP') return [];
  const ips: string[] = [];
  if (addressing.given.size === 0) {
    // Nothing written (most Services): every family is missing, in ipFamilies order.
    for (const family of addressing.missing) {
      const ip = allocateFor(object, family, pool, warnings);
      if (ip !== undefined) ips.push(ip);
    }
    return ips;
  }
  const allocated = new Map<IPFamily, string>();
  for (const family of addressing.missing) {
    const ip = allocateFor(object, family, pool, warnings);
    if (ip !== undefined) allocated.set(family, ip);
  }
  for (const family of addressing.ipFamilies) {
    const ip = addressing.given.get(family) ?? allocated.get(family);
    if (ip !== undefined) ips.push(ip);
  }
  return ips;
}

/** The Service the API server always has: first host of the primary service CIDR, https 443/TCP, no endpoints. */
function implicitKubernetes(pool: FamilyPool, explicit: ExplicitAddresses, warnings: Problem[]) {
  const primary = pool.families[0];
  const allocator = primary === undefined ? undefined : pool.allocator(primary);
  if (!allocator || primary === undefined) return undefined;
  const ip = allocator.firstHost().text;
  const owner = explicit.owners.get(ip);
  if (owner) {
    const message = `address ${ip} of ${owner.what} is also used by the implicit Service default/kubernetes (the first host of ${allocator.cidr.text}, reserved for it)`;
    warnings.push({ level: 'warning', source: owner.source, field: 'spec.clusterIPs', message });
  }
  const service: SettledService = {
    ...KUBERNETES,
    kind: 'ClusterIP',
    clusterIPs: [ip],
    ipFamilies: [primary],
    ports: KUBERNETES_PORTS,
    publishNotReadyAddresses: false,
    implicit: true,
    endpoints: NO_ENDPOINTS,
  };
  return service;
}

/**
 * The kube-dns Service kubeadm creates: ports dns 53/UDP, dns-tcp 53/TCP,
 * metrics 9153/TCP, no endpoints; at `address`, else allocated in the
 * primary family like any Service (undefined when that fails).
 */
function implicitKubeDns(pool: FamilyPool, reserved: ParsedIP | undefined): SettledService | undefined {
  const primary = pool.families[0];
  const address = reserved?.text ?? (primary && pool.allocator(primary)?.allocate(`${KUBE_DNS.namespace}/${KUBE_DNS.name}/${primary}`)?.text);
  if (!address || !primary) return undefined;
  return {
    ...KUBE_DNS,
    kind: 'ClusterIP',
    clusterIPs: [address],
    ipFamilies: [reserved?.family ?? primary],
    ports: KUBE_DNS_PORTS,
    publishNotReadyAddresses: false,
    implicit: true,
    endpoints: NO_ENDPOINTS,
  };
}

function isKubernetes(meta: { namespace: string; name: string }): boolean {
  return meta.namespace === KUBERNETES.namespace && meta.name === KUBERNETES.name;
}
