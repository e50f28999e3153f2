// Endpoints given directly (spec §4.2): EndpointSlices add to their
// Service whatever its selector; Endpoints objects are mirrored only for
// Services without a selector. Everything that cannot apply is a warning.

import type { KeyedEndpoint } from './endpoints.js';
import { type EndpointAddress, type EndpointPort, type EndpointSliceObject, type EndpointsObject, type NamedPort, type ObjectMeta, parseIP, type Problem, type ServiceKind } from '../model/index.js';

/** What the attachment needs to know about a Service, by `namespace/name`. */
export interface ServiceShape {
  readonly kind: ServiceKind;
  readonly hasSelector: boolean;
}

interface GivenEndpoints {
  /** Endpoints per service key `namespace/name`, in object order. */
  readonly byService: ReadonlyMap<string, readonly KeyedEndpoint[]>;
  readonly warnings: readonly Problem[];
}

export function givenEndpoints(
  slices: readonly EndpointSliceObject[],
  endpointsObjects: readonly EndpointsObject[],
  services: ReadonlyMap<string, ServiceShape>,
): GivenEndpoints {
  const byService = new Map<string, KeyedEndpoint[]>();
  const warnings: Problem[] = [];
  const add = (key: string, endpoints: KeyedEndpoint[]): void => {
    const list = byService.get(key);
    if (list) for (const endpoint of endpoints) list.push(endpoint);
    else byService.set(key, endpoints);
  };
  const warn = (meta: ObjectMeta, message: string, field?: string): void => {
    warnings.push({ level: 'warning', source: meta.source, ...(field ? { field } : {}), message });
  };

  for (const slice of slices) {
    const what = `EndpointSlice ${slice.meta.namespace}/${slice.meta.name}`;
    if (slice.serviceName === undefined) {
      warn(slice.meta, `${what} has no kubernetes.io/service-name label; it belongs to no Service`, 'metadata.labels');
      continue;
    }
    if (slice.addressType === 'FQDN') {
      warn(slice.meta, `${what} has addressType FQDN, which cluster DNS ignores`, 'addressType');
      continue;
    }
    const key = `${slice.meta.namespace}/${slice.serviceName}`;
    const problem = targetProblem(services.get(key), key);
    if (problem) warn(slice.meta, `${what}: ${problem}`);
    else add(key, sliceEndpoints(slice));
  }

  for (const object of endpointsObjects) {
    const key = `${object.meta.namespace}/${object.meta.name}`;
    const what = `Endpoints ${key}`;
    const service = services.get(key);
    const problem = targetProblem(service, key);
    if (problem) warn(object.meta, `${what}: ${problem}`);
    else if (service?.hasSelector) {
      warn(object.meta, `${what} ignored: Service ${key} has a selector, so its endpoints come from the pods it selects`);
    } else if (!object.skipMirror) add(key, mirroredEndpoints(object));
  }
  return { byService, warnings };
}

function targetProblem(service: ServiceShape | undefined, key: string): string | undefined {
  if (!service) return `Service ${key} does not exist; loaded, answers nothing`;
  if (service.kind === 'ExternalName') return `Service ${key} is an ExternalName service, which has no endpoints; ignored`;
  return undefined;
}

/** Slice endpoints as written: ready, hostname and ports as given, no family filtering. */
function sliceEndpoints(slice: EndpointSliceObject): KeyedEndpoint[] {
  const ports = slice.ports.map(namedPort);
  const out: KeyedEndpoint[] = [];
  for (const endpoint of slice.endpoints) {
    for (const address of endpoint.addresses) {
      const ip = parseIP(address);
      if (!ip) continue;
      const hostname = endpoint.hostname ? { hostname: endpoint.hostname } : {};
      const target = endpoint.targetPod ? { targetPod: endpoint.targetPod } : {};
      out.push({ ip, endpoint: { address: ip.text, family: ip.family, ...hostname, ...target, ready: endpoint.ready, ports } });
    }
  }
  return out;
}

/** Mirrored Endpoints: `addresses` ready, `notReadyAddresses` not ready, hostname kept. */
function mirroredEndpoints(object: EndpointsObject): KeyedEndpoint[] {
  const out: KeyedEndpoint[] = [];
  for (const subset of object.subsets) {
    const ports = subset.ports.map(namedPort);
    for (const address of subset.addresses) pushAddress(out, address, true, ports);
    for (const address of subset.notReadyAddresses) pushAddress(out, address, false, ports);
  }
  return out;
}

function pushAddress(out: KeyedEndpoint[], address: EndpointAddress, ready: boolean, ports: readonly NamedPort[]): void {
  const ip = parseIP(address.ip);
  if (!ip) return;
  const hostname = address.hostname ? { hostname: address.hostname } : {};
  const target = address.targetPod ? { targetPod: address.targetPod } : {};
  out.push({ ip, endpoint: { address: ip.text, family: ip.family, ...hostname, ...target, ready, ports } });
}

function namedPort(port: EndpointPort): NamedPort {
  return { ...(port.name ? { name: port.name } : {}), protocol: port.protocol, port: port.port };
}
