// Service objects: type, cluster IPs and families (spec §6), ports, the plain
// selector (docs/behaviour.md#service-selectors), publishNotReadyAddresses, ExternalName (docs/behaviour.md#externalname-services).

import { familyOf, type IPFamily, type IPFamilyPolicy, type Labels, type ObjectMeta, parseIP, type ServiceObject, type ServiceType } from '../../cluster/index.js';
import { isDNSSubdomain, readIP } from './names.js';
import { checkOnePerFamily } from './pod.js';
import type { Field } from './reader.js';
import { readServicePorts } from './service-ports.js';
import { checkAddressAnnotation } from './address-annotation.js';
import { definedFields, trimmed } from './defined.js';

const SERVICE_TYPES: readonly ServiceType[] = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
const FAMILIES: readonly IPFamily[] = ['IPv4', 'IPv6'];
const POLICIES: readonly IPFamilyPolicy[] = ['SingleStack', 'PreferDualStack', 'RequireDualStack'];
/** The legacy spelling of publishNotReadyAddresses, still honoured by the endpoints controller. */
const TOLERATE_UNREADY_ANNOTATION = 'service.alpha.kubernetes.io/tolerate-unready-endpoints';
/** What Go's strconv.ParseBool reads as true (the controller parses the annotation with it). */
const TRUE_TEXTS: ReadonlySet<string> = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);

interface ClusterIPs {
  readonly clusterIP?: string;
  readonly clusterIPs?: readonly string[];
}

export function decodeService(root: Field, meta: ObjectMeta): ServiceObject {
  const spec = root.get('spec');
  spec.mapping();
  const type = spec.get('type').oneOf(SERVICE_TYPES) ?? 'ClusterIP';
  const external = type === 'ExternalName';
  const ips = external ? readNoClusterIP(spec) : readClusterIPs(spec, type);
  const headless = ips.clusterIP === 'None';
  const ipFamilies = external ? undefined : readIPFamilies(spec.get('ipFamilies'), headless ? [] : (ips.clusterIPs ?? []));
  const ipFamilyPolicy = external ? undefined : readPolicy(spec, ipFamilies, ips.clusterIPs);
  const ports = readServicePorts(spec.get('ports'), !external && !headless);
  const selector = readServiceSelector(spec.get('selector'));
  const externalName = external ? readExternalName(spec.get('externalName'), meta) : undefined;
  if (!external && spec.get('externalName').present) {
    spec.get('externalName').warn(`ignored: externalName is only used when type is ExternalName (type is ${type})`);
  }
  if (external) {
    checkAddressAnnotation(root.get('metadata'), { allowed: false, why: 'an ExternalName service is a CNAME and has no addresses of its own' });
  }
  const tolerate = meta.annotations[TOLERATE_UNREADY_ANNOTATION];
  const publish = spec.get('publishNotReadyAddresses').boolean() ?? false;
  return definedFields({
    kind: 'Service',
    meta,
    type,
    clusterIP: ips.clusterIP,
    clusterIPs: ips.clusterIPs,
    ipFamilies,
    ipFamilyPolicy,
    selector,
    ports,
    externalName,
    publishNotReadyAddresses: publish || (tolerate !== undefined && TRUE_TEXTS.has(tolerate)),
  });
}

/** An ExternalName service has no cluster IP; "" is the same as absent. */
function readNoClusterIP(spec: Field): ClusterIPs {
  const clusterIP = spec.get('clusterIP');
  if (clusterIP.present && clusterIP.value !== '') {
    clusterIP.expected('no clusterIP for type ExternalName (an ExternalName service is a CNAME and has no cluster IP)');
  }
  const clusterIPs = spec.get('clusterIPs');
  if (clusterIPs.present && !(Array.isArray(clusterIPs.value) && clusterIPs.value.length === 0)) {
    clusterIPs.expected('no clusterIPs for type ExternalName');
  }
  return {};
}

/**
 * clusterIP / clusterIPs (spec §6). Admission defaults are filled in: a
 * missing clusterIP is clusterIPs[0] and a missing clusterIPs is [clusterIP].
 */
function readClusterIPs(spec: Field, type: ServiceType): ClusterIPs {
  const ipField = spec.get('clusterIP');
  const written = ipField.value === '' ? undefined : ipField.value === 'None' ? 'None' : readIP(ipField, 'any');
  const listField = spec.get('clusterIPs');
  const list = listField
    .list()
    .map((item) => (item.value === 'None' ? 'None' : readIP(item, 'any', { required: true })))
    .filter((ip): ip is string => ip !== undefined);
  const clusterIP = written ?? list[0];
  if (written !== undefined && list[0] !== undefined && list[0] !== written) {
    listField.get(0).error(`must equal spec.clusterIP ("${written}"), got "${list[0]}"`);
  }
  if (clusterIP === 'None') {
    if (list.length > 1 || (list[0] !== undefined && list[0] !== 'None')) {
      listField.expected('["None"] for a headless service (clusterIP: None)');
    }
    if (type === 'NodePort' || type === 'LoadBalancer') {
      (written === undefined ? listField : ipField).error(`may not be "None" for ${type} services`);
    }
    return { clusterIP, clusterIPs: ['None'] };
  }
  if (list.includes('None')) listField.error('"None" is only allowed as the single entry of a headless service');
  checkOnePerFamily(listField, list, 'cluster');
  const clusterIPs = list.length > 0 ? trimmed(list) : clusterIP === undefined ? undefined : [clusterIP];
  return definedFields({ clusterIP, clusterIPs });
}

/** ipFamilies: at most two, distinct, in the same order as the families of clusterIPs. */
function readIPFamilies(field: Field, clusterIPs: readonly string[]): IPFamily[] | undefined {
  if (!field.present) return undefined;
  const items = field.list();
  const families: IPFamily[] = [];
  items.forEach((item, index) => {
    const family = item.oneOf(FAMILIES, { required: true });
    if (family === undefined) return;
    if (families.includes(family)) item.error(`duplicate family "${family}"`);
    const ip = clusterIPs[index];
    if (ip !== undefined && familyOf(ip) !== undefined && familyOf(ip) !== family) {
      item.error(`expected "${familyOf(ip)}" to match clusterIPs[${index}] ("${ip}"), got "${family}" (the order of ipFamilies must match clusterIPs)`);
    }
    families.push(family);
  });
  if (items.length > 2) field.error(`expected at most 2 families, got ${items.length}`);
  return trimmed(families);
}

function readPolicy(spec: Field, families: readonly IPFamily[] | undefined, clusterIPs: readonly string[] | undefined): IPFamilyPolicy | undefined {
  const field = spec.get('ipFamilyPolicy');
  const policy = field.oneOf(POLICIES);
  const count = Math.max(families?.length ?? 0, clusterIPs?.length ?? 0);
  if (policy === 'SingleStack' && count > 1) {
    field.error(`SingleStack allows one IP family, but ${count} are given in ipFamilies/clusterIPs (use PreferDualStack or RequireDualStack)`);
  }
  return policy;
}

/**
 * A Service selector is a plain label map (docs/behaviour.md#service-selectors). The LabelSelector form
 * (matchLabels/matchExpressions) is what workloads use; in a Service it would
 * silently select nothing, so it is an error with the fix spelled out.
 */
function readServiceSelector(field: Field): Labels | undefined {
  for (const key of ['matchLabels', 'matchExpressions']) {
    const child = field.get(key);
    if (child.present && typeof child.value !== 'string') {
      child.error(
        'a Service selector is a plain map of labels (docs/behaviour.md#service-selectors), not a LabelSelector: write the labels directly under spec.selector (e.g. `selector: {app: web}`); matchLabels/matchExpressions are only for workloads',
      );
      return undefined;
    }
  }
  const selector = field.stringMap();
  return Object.keys(selector).length === 0 ? undefined : selector;
}

/** externalName: a DNS name, trailing dot allowed and stripped; IP-looking values only warn (docs/behaviour.md#externalname-services). */
function readExternalName(field: Field, meta: ObjectMeta): string | undefined {
  const written = field.string({ required: true });
  if (written === undefined) return undefined;
  const name = written.endsWith('.') ? written.slice(0, -1) : written;
  if (parseIP(name) !== undefined) {
    field.warn(`"${written}" is an IP address, not a DNS name: no A record is made from it and CoreDNS answers NXDOMAIN for this service (docs/behaviour.md#externalname-services); use a ClusterIP service without selector plus an EndpointSlice instead`);
  } else if (name === '' || !isDNSSubdomain(name.toLowerCase())) {
    return field.expected('a DNS name (RFC 1123 subdomain, e.g. "db.example.com")');
  }
  field.warn(`ExternalName is a DNS alias only: HTTP Host headers and TLS SNI/certificates still carry the service name (${meta.name}.${meta.namespace}.svc...), not "${name}"`);
  return name;
}
