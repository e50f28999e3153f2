// A readable builder for ClusterState fixtures, so record and responder tests
// do not depend on the manifest loader or buildCluster.

import type { IPFamily, Protocol } from '../../src/cluster/model/model.js';
import { BUILTIN_NAMESPACES, type ClusterState, type Endpoint, type NamedPort, type Pod, type Service } from '../../src/cluster/model/state.js';
import { canonicalIP, ipFamilyOf } from '../../src/net/ip.js';
import { packIPs } from '../../src/cluster/model/pod-ip-list.js';

const SOURCE = { file: 'fixture.yaml', document: 1 };

/** `port('http', 80)`, `port(undefined, 9090)`, `port('dns', 53, 'UDP')`. */
export function port(name: string | undefined, number: number, protocol: Protocol = 'TCP'): NamedPort {
  return { protocol, port: number, ...(name ? { name } : {}) };
}

export interface EndpointOptions {
  readonly hostname?: string;
  readonly ready?: boolean;
  readonly ports?: readonly NamedPort[];
}

/** One endpoint address (ready unless told otherwise). */
export function endpoint(address: string, options: EndpointOptions = {}): Endpoint {
  const canonical = canonicalIP(address);
  if (!canonical) throw new Error(`fixture: bad endpoint address ${address}`);
  return {
    address: canonical,
    family: ipFamilyOf(canonical) as IPFamily,
    ready: options.ready ?? true,
    ports: options.ports ?? [],
    ...(options.hostname ? { hostname: options.hostname } : {}),
  };
}

function split(id: string): { namespace: string; name: string } {
  const [namespace, name] = id.split('/');
  if (!namespace || !name) throw new Error(`fixture: expected namespace/name, got ${id}`);
  return { namespace, name };
}

function families(addresses: readonly string[]): IPFamily[] {
  return [...new Set(addresses.map((address) => ipFamilyOf(address) as IPFamily))];
}

interface ServiceOptions {
  readonly ports?: readonly NamedPort[];
  readonly endpoints?: readonly Endpoint[];
}

function service(id: string, fields: Partial<Service> & Pick<Service, 'kind'>): Service {
  return {
    ...split(id),
    clusterIPs: [],
    ipFamilies: ['IPv4'],
    ports: [],
    publishNotReadyAddresses: false,
    endpoints: [],
    implicit: false,
    ...fields,
  };
}

/** `clusterIP('prod/web', ['10.96.30.1'], { ports, endpoints })`. */
export function clusterIP(id: string, clusterIPs: readonly string[], options: ServiceOptions = {}): Service {
  return service(id, {
    kind: 'ClusterIP',
    clusterIPs,
    ipFamilies: families(clusterIPs),
    ports: options.ports ?? [],
    endpoints: options.endpoints ?? [],
  });
}

/** `headless('prod/db', { ports, endpoints })`. */
export function headless(id: string, options: ServiceOptions = {}): Service {
  const endpoints = options.endpoints ?? [];
  return service(id, {
    kind: 'Headless',
    ipFamilies: endpoints.length > 0 ? families(endpoints.map((e) => e.address)) : ['IPv4'],
    ports: options.ports ?? [],
    endpoints,
  });
}

/** `externalName('prod/ext', 'example.com')`. */
export function externalName(id: string, target: string): Service {
  return service(id, { kind: 'ExternalName', externalName: target, ipFamilies: [] });
}

/** A running, ready pod with these IPs, held as a built cluster holds them. */
export function pod(id: string, ips: readonly string[], fields: Partial<Pod> = {}): Pod {
  return { ...split(id), ips: packIPs(ips), labels: {}, ready: true, terminating: false, source: SOURCE, ...fields };
}

export interface ClusterFixture {
  readonly services?: readonly Service[];
  readonly pods?: readonly Pod[];
  /** Declared namespaces; those of the objects and the built-ins are added. */
  readonly namespaces?: readonly string[];
}

export function cluster(fixture: ClusterFixture): ClusterState {
  const services = fixture.services ?? [];
  const pods = fixture.pods ?? [];
  const namespaces = new Set<string>([
    ...BUILTIN_NAMESPACES,
    ...(fixture.namespaces ?? []),
    ...services.map((s) => s.namespace),
    ...pods.map((p) => p.namespace),
  ]);
  return { namespaces, services, pods, warnings: [] };
}

/**
 * The cluster the responder tables ask (zone cluster.local): one service of
 * every shape the spec's tables describe.
 */
export function exampleCluster(): ClusterState {
  const pg = port('pg', 5432);
  return cluster({
    namespaces: ['team'],
    services: [
      clusterIP('prod/web', ['10.96.30.1'], {
        ports: [port('http', 80), port('dns', 53, 'UDP'), port(undefined, 9090)],
        endpoints: [
          endpoint('10.244.1.1', { ports: [port('http', 8080), port('dns', 53, 'UDP'), port(undefined, 9090)] }),
          endpoint('10.244.1.2', { ready: false, ports: [port('http', 8080)] }),
        ],
      }),
      clusterIP('prod/dual', ['10.96.30.2', 'fd00:10:96::2'], { ports: [port('http', 80)] }),
      headless('prod/db', {
        ports: [pg],
        endpoints: [
          endpoint('10.244.2.10', { hostname: 'db-0', ports: [pg] }),
          endpoint('10.244.2.11', { hostname: 'db-1', ports: [pg] }),
          endpoint('10.244.2.12', { ports: [pg] }),
          endpoint('10.244.2.13', { hostname: 'db-3', ready: false, ports: [pg] }),
        ],
      }),
      headless('prod/empty', { ports: [pg], endpoints: [endpoint('10.244.2.20', { ready: false, ports: [pg] })] }),
      headless('prod/v6', { ports: [pg], endpoints: [endpoint('fd00:10:244::7', { ports: [pg] })] }),
      headless('prod/bare', { endpoints: [endpoint('10.244.3.3')] }),
      headless('prod/shared', {
        ports: [port('web', 80)],
        endpoints: [
          endpoint('10.244.4.1', { hostname: 'h', ports: [port('web', 80)] }),
          endpoint('10.244.4.2', { hostname: 'h', ports: [port('web', 80)] }),
        ],
      }),
      externalName('prod/ext', 'example.com'),
      externalName('prod/extin', 'Web.Prod.svc.cluster.local'),
      externalName('prod/extchain', 'extin.prod.svc.cluster.local'),
      externalName('prod/loop1', 'loop2.prod.svc.cluster.local'),
      externalName('prod/loop2', 'loop1.prod.svc.cluster.local.'),
      externalName('prod/extnone', 'missing.prod.svc.cluster.local'),
      externalName('prod/extip', '1.2.3.4'),
      externalName('prod/extpod', '10-244-5-5.team.pod.cluster.local'),
      clusterIP('kube-system/kube-dns', ['10.96.0.10'], { ports: [port('dns', 53, 'UDP')] }),
    ],
    pods: [pod('team/busybox1', ['10.244.5.5'])],
  });
}
