// Endpoints (v1) and EndpointSlice (discovery.k8s.io/v1) given directly
// (spec §4.2).

import type { EndpointAddress, EndpointPort, EndpointSliceEndpoint, EndpointSliceObject, EndpointsObject, EndpointSubset, ObjectMeta } from '../../cluster/index.js';
import { type IPKind, readIP, readLabelName, readServicePortName, readSubdomainName } from './names.js';
import { PROTOCOLS } from './pod.js';
import type { Field } from './reader.js';
import { definedFields, trimmed } from './defined.js';

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const SKIP_MIRROR_LABEL = 'endpointslice.kubernetes.io/skip-mirror';

const ADDRESS_TYPES = ['IPv4', 'IPv6', 'FQDN'] as const;

export function decodeEndpointSlice(root: Field, meta: ObjectMeta): EndpointSliceObject {
  const addressType = root.get('addressType').oneOf(ADDRESS_TYPES, { required: true });
  const endpoints = root
    .get('endpoints')
    .list()
    .map((endpoint) => readSliceEndpoint(endpoint, addressType))
    .filter((endpoint): endpoint is EndpointSliceEndpoint => endpoint !== undefined);
  const serviceName = meta.labels[SERVICE_NAME_LABEL];
  return definedFields({
    kind: 'EndpointSlice',
    meta,
    serviceName,
    addressType: addressType ?? 'IPv4',
    endpoints,
    ports: readEndpointPorts(root.get('ports')),
  });
}

function readSliceEndpoint(field: Field, addressType: (typeof ADDRESS_TYPES)[number] | undefined): EndpointSliceEndpoint | undefined {
  if (!field.mapping({ required: true })) return undefined;
  const addressesField = field.get('addresses');
  const items = addressesField.list({ required: true });
  if (addressesField.present && Array.isArray(addressesField.value) && items.length === 0) {
    addressesField.error('expected at least one address');
  }
  const addresses = items
    .map((item) => readSliceAddress(item, addressType))
    .filter((address): address is string => address !== undefined);
  const conditions = field.get('conditions');
  conditions.mapping();
  const hostname = readLabelName(field.get('hostname'), { emptyIsAbsent: true });
  return definedFields({
    targetPod: targetPod(field.get('targetRef')),
    addresses,
    // Absent means ready: the API treats an unknown condition as ready (spec §4.2).
    ready: conditions.get('ready').boolean() ?? true,
    terminating: conditions.get('terminating').boolean() ?? false,
    hostname,
  });
}

function readSliceAddress(item: Field, addressType: (typeof ADDRESS_TYPES)[number] | undefined): string | undefined {
  if (addressType === 'FQDN') return readSubdomainName(item, { required: true });
  const kind: IPKind = addressType ?? 'any';
  return readIP(item, kind, { required: true });
}

export function decodeEndpoints(root: Field, meta: ObjectMeta): EndpointsObject {
  const subsets = root
    .get('subsets')
    .list()
    .map(readSubset)
    .filter((subset): subset is EndpointSubset => subset !== undefined);
  return { kind: 'Endpoints', meta, skipMirror: meta.labels[SKIP_MIRROR_LABEL] === 'true', subsets };
}

function readSubset(field: Field): EndpointSubset | undefined {
  if (!field.mapping({ required: true })) return undefined;
  return {
    addresses: readAddresses(field.get('addresses')),
    notReadyAddresses: readAddresses(field.get('notReadyAddresses')),
    ports: readEndpointPorts(field.get('ports')),
  };
}

function readAddresses(field: Field): EndpointAddress[] {
  const addresses: EndpointAddress[] = [];
  for (const item of field.list()) {
    if (!item.mapping({ required: true })) continue;
    const ip = readIP(item.get('ip'), 'any', { required: true });
    const hostname = readLabelName(item.get('hostname'), { emptyIsAbsent: true });
    if (ip !== undefined) addresses.push(definedFields({ ip, hostname, targetPod: targetPod(item.get('targetRef')) }));
  }
  return trimmed(addresses);
}

/** The pod an address points at (targetRef kind Pod): its name, for CoreDNS's endpoint_pod_names. */
function targetPod(field: Field): string | undefined {
  if (!field.present || typeof field.value !== 'object' || field.value === null) return undefined;
  const ref = field.value as Record<string, unknown>;
  return ref['kind'] === 'Pod' && typeof ref['name'] === 'string' && ref['name'] !== '' ? ref['name'] : undefined;
}

function readEndpointPorts(field: Field): EndpointPort[] {
  const ports: EndpointPort[] = [];
  for (const item of field.list()) {
    if (!item.mapping({ required: true })) continue;
    const name = readServicePortName(item.get('name'));
    const port = item.get('port').integer(1, 65535, { required: true });
    const protocol = item.get('protocol').oneOf(PROTOCOLS) ?? 'TCP';
    if (port !== undefined) ports.push(definedFields({ name, port, protocol }));
  }
  return trimmed(ports);
}
