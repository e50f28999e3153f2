// A Service's kind, ipFamilyPolicy, ipFamilies and the cluster IPs it was
// given (spec §3, §6), decided the way the API server defaults them. Which
// addresses are still missing is returned; the allocator fills them in.

import { type IPFamily, type IPFamilyPolicy, parseIP, type ServiceKind, type ServiceObject } from '../model/index.js';

export interface ServiceAddressing {
  readonly kind: ServiceKind;
  readonly policy: IPFamilyPolicy;
  /** Families in order; empty for ExternalName. */
  readonly ipFamilies: readonly IPFamily[];
  /** Canonical cluster IPs written in the manifest, by family (ClusterIP kind only). */
  readonly given: ReadonlyMap<IPFamily, string>;
  /** Families that still need a cluster IP, in ipFamilies order (ClusterIP kind only). */
  readonly missing: readonly IPFamily[];
  /** Problems worth a warning: [field, message]. */
  readonly notes: readonly (readonly [field: string, message: string])[];
}

export function serviceKind(service: ServiceObject): ServiceKind {
  if (service.type === 'ExternalName') return 'ExternalName';
  const first = service.clusterIPs?.[0] ?? service.clusterIP;
  return first === 'None' ? 'Headless' : 'ClusterIP';
}

// Shared by every Service without them: each reload resolves all 10,000 of a big cluster.
const NO_IPS: ReadonlyMap<IPFamily, string> = new Map();
const NONE: readonly never[] = Object.freeze([]);

/** `clusterFamilies`: families of the configured service CIDRs, primary first. */
export function resolveAddressing(service: ServiceObject, clusterFamilies: readonly IPFamily[]): ServiceAddressing {
  const kind = serviceKind(service);
  if (kind === 'ExternalName') {
    return { kind, policy: 'SingleStack', ipFamilies: NONE, given: NO_IPS, missing: NONE, notes: NONE };
  }
  const notes: [string, string][] = [];
  const dualStackCluster = clusterFamilies.length > 1;
  const policy = defaultPolicy(service, kind, dualStackCluster);
  const given = kind === 'ClusterIP' ? givenClusterIPs(service) : NO_IPS;
  const families = chooseFamilies(service, given, policy, clusterFamilies);
  if (policy === 'RequireDualStack' && !dualStackCluster && families.length < 2) {
    notes.push(['spec.ipFamilyPolicy', `RequireDualStack on a single-stack cluster: served as ${families.join(', ')} only`]);
  }
  for (const [family, ip] of given) {
    if (!families.includes(family)) {
      notes.push(['spec.clusterIPs', `cluster IP ${ip} is ${family}, which spec.ipFamilies does not list; kept`]);
      families.push(family);
    }
  }
  const missing = kind !== 'ClusterIP' ? NONE : given.size === 0 ? families : families.filter((family) => !given.has(family));
  return { kind, policy, ipFamilies: families, given, missing, notes: notes.length === 0 ? NONE : notes };
}

/** SingleStack unless written; headless without selector is RequireDualStack on a dual-stack cluster. */
function defaultPolicy(service: ServiceObject, kind: ServiceKind, dualStackCluster: boolean): IPFamilyPolicy {
  if (service.ipFamilyPolicy) return service.ipFamilyPolicy;
  const hasSelector = service.selector !== undefined && hasKeys(service.selector);
  if (kind === 'Headless' && !hasSelector && dualStackCluster) return 'RequireDualStack';
  return 'SingleStack';
}

function givenClusterIPs(service: ServiceObject): ReadonlyMap<IPFamily, string> {
  const written = service.clusterIPs ?? (service.clusterIP === undefined ? NONE : [service.clusterIP]);
  if (written.length === 0) return NO_IPS;
  const given = new Map<IPFamily, string>();
  for (const text of written) {
    const ip = parseIP(text);
    if (ip && !given.has(ip.family)) given.set(ip.family, ip.text);
  }
  return given;
}

/**
 * ipFamilies given ⇒ used in order; else the families of the given cluster
 * IPs; else the primary family. A dual-stack policy on a dual-stack cluster
 * then gets the other family appended, as the API server does.
 */
function chooseFamilies(
  service: ServiceObject,
  given: ReadonlyMap<IPFamily, string>,
  policy: IPFamilyPolicy,
  clusterFamilies: readonly IPFamily[],
): IPFamily[] {
  let families: IPFamily[];
  if (service.ipFamilies && service.ipFamilies.length > 0) families = unique(service.ipFamilies);
  else if (given.size > 0) families = [...given.keys()];
  else families = clusterFamilies.length > 0 ? [clusterFamilies[0] as IPFamily] : ['IPv4'];
  if (policy !== 'SingleStack' && clusterFamilies.length > 1) {
    for (const family of clusterFamilies) if (!families.includes(family)) families.push(family);
  }
  return families;
}

/** Whether `record` has an own key, without listing them. */
export function hasKeys(record: object): boolean {
  for (const key in record) if (Object.hasOwn(record, key)) return true;
  return false;
}

function unique(families: readonly IPFamily[]): IPFamily[] {
  return families.filter((family, index) => families.indexOf(family) === index);
}
